package io.videomerge.store.jdbc;

import io.videomerge.spi.JobStore;
import io.videomerge.spi.JobStoreContract;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;

@DisplayName("JdbcJobStore on PostgreSQL")
class PostgresJobStoreTest extends JobStoreContract {
    private static final AtomicInteger STORES = new AtomicInteger();
    private static PostgresSchema schema;
    private static Jdbi jdbi;

    @BeforeAll
    static void createSchema() {
        schema = PostgresSchema.create();
        jdbi = schema.jdbi();
    }

    @AfterAll
    static void dropSchema() {
        schema.close();
    }

    @Override
    protected JobStore newStore(Clock clock) {
        // Empty tables of its own for every test, in this class's schema.
        return JdbcJobStore.builder(jdbi).clock(clock).tablePrefix("t" + STORES.incrementAndGet() + "_").build();
    }
}
