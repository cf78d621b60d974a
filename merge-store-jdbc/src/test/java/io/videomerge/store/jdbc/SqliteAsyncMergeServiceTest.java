package io.videomerge.store.jdbc;

import io.videomerge.internal.job.AsyncMergeServiceContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("async merges on JdbcJobStore (SQLite)")
class SqliteAsyncMergeServiceTest extends AsyncMergeServiceContract {
    @RegisterExtension
    static final SqliteStores DATABASE = new SqliteStores();

    @Override
    protected JobStore newStore(Clock clock) {
        return DATABASE.newStore(clock);
    }
}
