package io.videomerge.store.jdbc;

import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.sqlite.SQLiteDataSource;

/** A fresh, empty database of one engine for one test, removed by {@link #close()}. */
interface TestDatabase extends AutoCloseable {

    /** A Jdbi on this database (PostgreSQL: through a small pool; SQLite: a connection per handle). */
    Jdbi jdbi();

    /** The driver's own data source (no pool). */
    DataSource dataSource();

    /** A store on this database with the default table prefix. */
    default JdbcJobStore store(Clock clock) {
        return JdbcJobStore.builder(jdbi()).clock(clock).build();
    }

    @Override
    void close();

    /** The two engines the store supports, for tests that run on both. */
    enum Engine {
        POSTGRESQL,
        SQLITE;

        TestDatabase open(Path folder) {
            return this == POSTGRESQL ? new Postgres(PostgresSchema.create()) : new Sqlite(folder);
        }
    }

    /** A schema of its own in the test PostgreSQL. */
    record Postgres(PostgresSchema schema) implements TestDatabase {
        @Override
        public Jdbi jdbi() {
            return schema.jdbi();
        }

        @Override
        public DataSource dataSource() {
            return schema.dataSource();
        }

        @Override
        public void close() {
            schema.close();
        }
    }

    /** A new SQLite file in a folder the test owns (and JUnit deletes). */
    final class Sqlite implements TestDatabase {
        private static final AtomicInteger FILES = new AtomicInteger();
        private final String url;

        Sqlite(Path folder) {
            this.url = "jdbc:sqlite:" + folder.resolve("jobs-" + FILES.incrementAndGet() + ".db");
        }

        @Override
        public Jdbi jdbi() {
            return Jdbi.create(url);
        }

        @Override
        public DataSource dataSource() {
            SQLiteDataSource dataSource = new SQLiteDataSource();
            dataSource.setUrl(url);
            return dataSource;
        }

        @Override
        public void close() {
            // The folder is JUnit's @TempDir, deleted after the test.
        }
    }
}
