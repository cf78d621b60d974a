package io.videomerge.store.redis;

import io.videomerge.WorkerCrashContract;
import io.videomerge.spi.JobStore;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("a worker killed mid-merge on Redis")
class RedisWorkerCrashTest extends WorkerCrashContract {
    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private String prefix;

    @Override
    protected String location() {
        if (prefix == null) {
            prefix = redis.newPrefix();
        }
        return TestRedis.URI + "\n" + prefix;
    }

    @Override
    protected JobStore openStore() {
        location();
        // Closed by the contract; the extension deletes the prefix's keys after the test.
        return RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build();
    }

    @Override
    protected Class<? extends StoreOpener> opener() {
        return Opener.class;
    }

    /** Opens the keys of a location (Redis URI, a newline, key prefix) in the killed worker's JVM. */
    public static final class Opener implements StoreOpener {
        @Override
        public JobStore open(String location) {
            String[] parts = location.split("\n", 2);
            return RedisJobStore.builder(parts[0]).keyPrefix(parts[1]).build();
        }
    }
}
