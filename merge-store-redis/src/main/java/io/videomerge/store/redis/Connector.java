package io.videomerge.store.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.LettuceFutures;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.videomerge.StoreUnavailableException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's one multiplexed connection: opened lazily (so a store built while Redis is down starts
 * working once it is up), kept alive by Lettuce's reconnect, and the single place where Lettuce
 * failures become {@link StoreUnavailableException}.
 */
final class Connector implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisJobStore.class);

    /** Server errors that mean "not now" rather than "never": the command may succeed when retried. */
    private static final List<String> TRANSIENT_ERRORS = List.of(
            "LOADING", "BUSY", "MASTERDOWN", "READONLY", "OOM", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "MISCONF");

    private final RedisClient client;
    private final Runnable shutdown;
    private final Duration commandTimeout;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile Optional<String> evictionPolicy = Optional.empty();
    private final AtomicBoolean closed = new AtomicBoolean();

    /**
     * @param shutdown what {@link #close} does after closing the connection: shut down a client the
     *                 store created itself, nothing for a client it was given
     */
    Connector(RedisClient client, Runnable shutdown, Duration commandTimeout) {
        this.client = requireNonNull(client, "client");
        this.shutdown = requireNonNull(shutdown, "shutdown");
        this.commandTimeout = requireNonNull(commandTimeout, "commandTimeout");
    }

    /** Connects now if Redis answers; otherwise logs and leaves it to the first command. */
    void tryConnect() {
        try {
            connection();
        } catch (StoreUnavailableException e) {
            LOG.warn("Redis job store: Redis is not reachable yet; commands will retry the connection");
        }
    }

    /** Runs one command and translates Lettuce's failures. */
    <T> T call(Function<RedisAsyncCommands<String, String>, RedisFuture<T>> command) {
        try {
            return await(command.apply(connection().async()));
        } catch (RedisException e) {
            throw translate(e);
        }
    }

    /** Runs a script by its digest, loading it again when Redis no longer has it (restart, SCRIPT FLUSH). */
    <T> T eval(Script script, ScriptOutputType type, String key, String... args) {
        String[] keys = {key};
        try {
            RedisAsyncCommands<String, String> commands = connection().async();
            try {
                return await(commands.evalsha(script.sha(), type, keys, args));
            } catch (RedisNoScriptException e) {
                await(commands.scriptLoad(script.source()));
                return await(commands.evalsha(script.sha(), type, keys, args));
            }
        } catch (RedisException e) {
            throw translate(e);
        }
    }

    /** The {@code maxmemory-policy} Redis reported at connection, when CONFIG GET was allowed. */
    Optional<String> evictionPolicy() {
        return evictionPolicy;
    }

    /**
     * Calls {@code listener} on every message published on {@code channel}, on a connection of its own
     * that Lettuce re-subscribes after a reconnect.
     */
    RedisJobStore.Subscription subscribe(String channel, Runnable listener) {
        try {
            StatefulRedisPubSubConnection<String, String> pubSub = client.connectPubSub();
            pubSub.addListener(new RedisPubSubAdapter<>() {
                @Override
                public void message(String ch, String message) {
                    listener.run();
                }
            });
            pubSub.setTimeout(commandTimeout);
            pubSub.sync().subscribe(channel);
            return pubSub::close;
        } catch (RedisException e) {
            throw translate(e);
        }
    }

    @Override
    public void close() {
        if (closed.getAndSet(true)) {
            return;
        }
        StatefulRedisConnection<String, String> c = connection;
        if (c != null) {
            c.close();
        }
        shutdown.run();
    }

    private StatefulRedisConnection<String, String> connection() {
        StatefulRedisConnection<String, String> c = connection;
        return c != null ? c : connect();
    }

    private synchronized StatefulRedisConnection<String, String> connect() {
        if (connection != null) {
            return connection;
        }
        StatefulRedisConnection<String, String> c;
        try {
            c = client.connect();
        } catch (RedisException e) {
            throw translate(e);
        }
        try {
            c.setTimeout(commandTimeout);
            RedisCommands<String, String> commands = c.sync();
            for (Script script : Script.values()) {
                commands.scriptLoad(script.source());
            }
            checkEvictionPolicy(commands);
        } catch (RedisException e) {
            c.close();
            throw translate(e);
        }
        connection = c;
        return c;
    }

    private void checkEvictionPolicy(RedisCommands<String, String> commands) {
        try {
            Map<String, String> config = commands.configGet("maxmemory-policy");
            evictionPolicy = Optional.ofNullable(config.get("maxmemory-policy"));
        } catch (RedisCommandExecutionException e) {
            // Managed services often disable or rename CONFIG; the store works without knowing.
            LOG.info(
                    "Redis job store: could not read maxmemory-policy ({}); make sure it is noeviction",
                    e.getMessage());
            return;
        }
        evictionPolicy
                .filter(policy -> !policy.equals("noeviction"))
                .ifPresent(policy -> LOG.warn(
                        "Redis job store: maxmemory-policy is {}; under memory pressure Redis may evict queued jobs"
                                + " silently. Set maxmemory-policy noeviction.",
                        policy));
    }

    /**
     * Waits for a reply at most the command timeout, cancelling the command when it runs out. The async
     * API with this wait is what Lettuce's sync API does, without its reflective proxy on the hot path.
     */
    private <T> T await(RedisFuture<T> reply) {
        return LettuceFutures.awaitOrCancel(reply, commandTimeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    private static RuntimeException translate(RedisException e) {
        if (e instanceof RedisCommandExecutionException && !isTransient(e.getMessage())) {
            return new IllegalStateException("Redis refused a job store command: " + e.getMessage(), e);
        }
        return new StoreUnavailableException("The job store is unavailable.", e);
    }

    private static boolean isTransient(String message) {
        return message != null && TRANSIENT_ERRORS.stream().anyMatch(message::startsWith);
    }
}
