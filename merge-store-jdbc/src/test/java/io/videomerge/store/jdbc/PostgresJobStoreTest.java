package io.videomerge.store.jdbc;

import io.videomerge.spi.JobStore;
import io.videomerge.spi.JobStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("JdbcJobStore on PostgreSQL")
class PostgresJobStoreTest extends JobStoreContract {
    @RegisterExtension
    static final PostgresStores DATABASE = new PostgresStores();

    @Override
    protected JobStore newStore(Clock clock) {
        return DATABASE.newStore(clock);
    }
}
