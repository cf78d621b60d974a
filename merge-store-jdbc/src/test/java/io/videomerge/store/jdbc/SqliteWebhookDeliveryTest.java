package io.videomerge.store.jdbc;

import io.videomerge.internal.job.WebhookDeliveryContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("webhooks on JdbcJobStore (SQLite)")
class SqliteWebhookDeliveryTest extends WebhookDeliveryContract {
    @RegisterExtension
    static final SqliteStores DATABASE = new SqliteStores();

    @Override
    protected JobStore newStore(Clock clock) {
        return DATABASE.newStore(clock);
    }
}
