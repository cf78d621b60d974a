package io.videomerge.store.jdbc;

import io.videomerge.WorkerCrashContract;
import io.videomerge.spi.JobStore;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.extension.RegisterExtension;

@DisplayName("a worker killed mid-merge on PostgreSQL")
class PostgresWorkerCrashTest extends WorkerCrashContract {
    @RegisterExtension
    static final PostgresStores DATABASE = new PostgresStores();

    private final String prefix = DATABASE.newPrefix();

    @Override
    protected String location() {
        return DATABASE.schema().url() + "\n" + prefix;
    }

    @Override
    protected JobStore openStore() {
        return JdbcJobStore.builder(DATABASE.jdbi()).tablePrefix(prefix).build();
    }

    @Override
    protected Class<? extends StoreOpener> opener() {
        return Opener.class;
    }

    /** Opens the tables of a location (JDBC URL, a newline, table prefix) in the killed worker's JVM. */
    public static final class Opener implements StoreOpener {
        @Override
        public JobStore open(String location) {
            String[] parts = location.split("\n", 2);
            return JdbcJobStore.builder(Jdbi.create(parts[0]))
                    .tablePrefix(parts[1])
                    .build();
        }
    }
}
