package io.videomerge.store.jdbc;

import io.videomerge.spi.JobStore;
import io.videomerge.spi.JobStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("JdbcJobStore on SQLite")
class SqliteJobStoreTest extends JobStoreContract {
    @RegisterExtension
    static final SqliteStores DATABASE = new SqliteStores();

    @Override
    protected JobStore newStore(Clock clock) {
        return DATABASE.newStore(clock);
    }
}
