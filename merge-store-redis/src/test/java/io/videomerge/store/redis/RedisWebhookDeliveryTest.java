package io.videomerge.store.redis;

import io.videomerge.internal.job.WebhookDeliveryContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("webhooks on RedisJobStore")
class RedisWebhookDeliveryTest extends WebhookDeliveryContract {
    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Override
    protected JobStore newStore(Clock clock) {
        return redis.newStore(clock);
    }
}
