package io.videomerge.store.jdbc;

import io.videomerge.spi.JobStore;
import io.videomerge.spi.JobStoreContract;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("JdbcJobStore on SQLite")
class SqliteJobStoreTest extends JobStoreContract {
    private static final AtomicInteger FILES = new AtomicInteger();

    @TempDir
    static Path folder;

    @Override
    protected JobStore newStore(Clock clock) {
        Path file = folder.resolve("jobs-" + FILES.incrementAndGet() + ".db");
        return JdbcJobStore.builder(Jdbi.create("jdbc:sqlite:" + file)).clock(clock).build();
    }
}
