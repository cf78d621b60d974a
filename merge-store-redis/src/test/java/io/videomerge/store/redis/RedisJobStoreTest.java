package io.videomerge.store.redis;

import io.videomerge.spi.JobStore;
import io.videomerge.spi.JobStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("RedisJobStore")
class RedisJobStoreTest extends JobStoreContract {
    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Override
    protected JobStore newStore(Clock clock) {
        return redis.newStore(clock);
    }
}
