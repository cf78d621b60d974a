package io.videomerge.store.jdbc;

import io.videomerge.internal.job.WebhookDeliveryContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("webhooks on JdbcJobStore (PostgreSQL)")
class PostgresWebhookDeliveryTest extends WebhookDeliveryContract {
    @RegisterExtension
    static final PostgresStores DATABASE = new PostgresStores();

    @Override
    protected JobStore newStore(Clock clock) {
        return DATABASE.newStore(clock);
    }
}
