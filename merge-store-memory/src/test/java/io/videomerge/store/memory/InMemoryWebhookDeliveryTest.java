package io.videomerge.store.memory;

import io.videomerge.internal.job.WebhookDeliveryContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("webhooks on InMemoryJobStore")
class InMemoryWebhookDeliveryTest extends WebhookDeliveryContract {
    @Override
    protected JobStore newStore(Clock clock) {
        return new InMemoryJobStore(clock);
    }
}
