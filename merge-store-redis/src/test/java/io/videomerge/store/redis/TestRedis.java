package io.videomerge.store.redis;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The Redis the tests share (VIDEOMERGE_TEST_REDIS_URI, default {@code redis://127.0.0.1:6379}); as a
 * registered extension, it hands out stores with a key prefix of their own and after each test closes
 * them and deletes every key under their prefixes.
 */
final class TestRedis implements AfterEachCallback {
    static final String URI = System.getenv().getOrDefault("VIDEOMERGE_TEST_REDIS_URI", "redis://127.0.0.1:6379");
    static final String START_HINT = "start it with: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379"
            + " --save \"\" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log";

    private static RedisClient client;
    private static StatefulRedisConnection<String, String> connection;

    private final List<String> prefixes = new ArrayList<>();
    private final List<RedisJobStore> stores = new ArrayList<>();

    /** The shared client, checked to answer; a test fails (never skips) when Redis is down. */
    static synchronized RedisClient client() {
        if (client == null) {
            RedisClient created = RedisClient.create(URI);
            try {
                connection = created.connect();
                connection.sync().ping();
            } catch (RedisException e) {
                created.shutdown();
                fail("Redis is not reachable at " + URI + "; " + START_HINT, e);
            }
            client = created;
        }
        return client;
    }

    /** Plain commands on the shared Redis, for looking behind a store's back. */
    static RedisCommands<String, String> commands() {
        client();
        return connection.sync();
    }

    /** A fresh key prefix, remembered for deletion after the test. */
    String newPrefix() {
        String prefix = "vmtest-" + UUID.randomUUID();
        prefixes.add(prefix);
        return prefix;
    }

    /** A store on the shared client with a prefix of its own, closed after the test. */
    RedisJobStore newStore(Clock clock) {
        return track(RedisJobStore.builder(client())
                .clock(clock)
                .keyPrefix(newPrefix())
                .build());
    }

    /** Closes {@code store} after the test. */
    RedisJobStore track(RedisJobStore store) {
        stores.add(store);
        return store;
    }

    /** Every key of the store with this prefix. */
    static List<String> keysOf(String prefix) {
        RedisCommands<String, String> redis = commands();
        List<String> keys = new ArrayList<>();
        ScanArgs match = ScanArgs.Builder.matches("{" + prefix + "}*").limit(1000);
        KeyScanCursor<String> cursor = redis.scan(match);
        keys.addAll(cursor.getKeys());
        while (!cursor.isFinished()) {
            cursor = redis.scan(ScanCursor.of(cursor.getCursor()), match);
            keys.addAll(cursor.getKeys());
        }
        return keys;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        stores.forEach(RedisJobStore::close);
        stores.clear();
        for (String prefix : prefixes) {
            List<String> keys = keysOf(prefix);
            if (!keys.isEmpty()) {
                commands().del(keys.toArray(String[]::new));
            }
        }
        prefixes.clear();
    }
}
