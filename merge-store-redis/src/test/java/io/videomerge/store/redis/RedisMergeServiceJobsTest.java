package io.videomerge.store.redis;

import io.videomerge.MergeServiceJobsContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("asynchronous merges end to end on RedisJobStore")
class RedisMergeServiceJobsTest extends MergeServiceJobsContract {
    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Override
    protected JobStore newStore(Clock clock) {
        return redis.newStore(clock);
    }
}
