package io.videomerge.store.jdbc;

import io.videomerge.MergeServiceJobsContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("asynchronous merges end to end on JdbcJobStore (SQLite)")
class SqliteMergeServiceJobsTest extends MergeServiceJobsContract {
    @RegisterExtension
    static final SqliteStores DATABASE = new SqliteStores();

    @Override
    protected JobStore newStore(Clock clock) {
        return DATABASE.newStore(clock);
    }
}
