package io.videomerge.store.jdbc;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fresh, empty PostgreSQL stores for a test class: one schema {@code vm_test_<random>} for the class
 * (created before its first test, dropped after its last, also when it has nested classes), and tables
 * with a prefix of their own for every store.
 */
final class PostgresStores implements BeforeAllCallback, AfterAllCallback {
    private final AtomicInteger stores = new AtomicInteger();
    // Nested classes inherit the extension; the schema lives from the outermost class's start to its end.
    private int depth;
    private PostgresSchema schema;
    private Jdbi jdbi;

    @Override
    public synchronized void beforeAll(ExtensionContext context) {
        if (depth++ == 0) {
            schema = PostgresSchema.create();
            jdbi = schema.jdbi();
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) {
        if (--depth == 0) {
            schema.close();
        }
    }

    /** A store on new, empty tables, with every time from {@code clock}. */
    JdbcJobStore newStore(Clock clock) {
        return JdbcJobStore.builder(jdbi())
                .clock(clock)
                .tablePrefix(newPrefix())
                .build();
    }

    /** A table prefix no store of this class has used yet. */
    String newPrefix() {
        return "t" + stores.incrementAndGet() + "_";
    }

    synchronized Jdbi jdbi() {
        return jdbi;
    }

    synchronized PostgresSchema schema() {
        return schema;
    }
}
