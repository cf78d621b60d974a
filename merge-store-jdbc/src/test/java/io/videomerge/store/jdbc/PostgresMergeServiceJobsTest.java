package io.videomerge.store.jdbc;

import io.videomerge.MergeServiceJobsContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("asynchronous merges end to end on JdbcJobStore (PostgreSQL)")
class PostgresMergeServiceJobsTest extends MergeServiceJobsContract {
    @RegisterExtension
    static final PostgresStores DATABASE = new PostgresStores();

    @Override
    protected JobStore newStore(Clock clock) {
        return DATABASE.newStore(clock);
    }
}
