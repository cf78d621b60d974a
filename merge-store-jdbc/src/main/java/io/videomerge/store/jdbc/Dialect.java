package io.videomerge.store.jdbc;

import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Locale;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;

/**
 * Everything that differs between the databases the store supports; the SQL in {@link JobStatements} is
 * otherwise shared. Both dialects keep times as epoch milliseconds in BIGINT columns: SQLite has no
 * timestamp type, and one representation means one set of statements, exact comparisons with the
 * injected clock's instants, and no session time zone anywhere between the clock and the disk.
 */
enum Dialect {
    /**
     * Many instances share one table: claims skip rows other claimers have locked, so they never wait
     * on or collide with each other.
     */
    POSTGRESQL(
            "PostgreSQL",
            "BOOLEAN",
            "DOUBLE PRECISION",
            "seq BIGINT GENERATED ALWAYS AS IDENTITY,",
            "seq",
            " FOR UPDATE SKIP LOCKED") {
        @Override
        void prepare(Handle handle) {
            // Connections need nothing of their own.
        }

        @Override
        void prepareDatabase(Handle handle) {
            // Nothing: PostgreSQL's defaults suit a queue table.
        }

        @Override
        String oneOf(String column, String subquery) {
            // ARRAY(...) makes the sub-select an init plan that runs exactly once, whatever join the planner
            // would choose for IN (...): a LIMIT ... SKIP LOCKED sub-select run twice could take other rows.
            return column + " = ANY(ARRAY(" + subquery + "))";
        }

        @Override
        String withoutWaitingForDisk() {
            // An UPDATE run on its own is its own transaction, and is_local = true keeps the setting to it (never the
            // pooled connection's later ones); the commit reads it before it is undone. One statement, one round
            // trip: BEGIN, SET LOCAL, the statement and COMMIT would take three.
            return " FROM (SELECT set_config('synchronous_commit', 'off', true)) AS without_waiting_for_disk";
        }

        @Override
        String nextToken(String column) {
            // A token that a crash lost (its claim committed without waiting for the disk) must never be handed out
            // again: the next claim after the restart counts from the server's clock, by then past every token
            // given before the crash. Between crashes tokens still grow by one if claims come faster than the clock.
            return "GREATEST(" + column + " + 1, (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT)";
        }

        @Override
        <T> T inWriteTransaction(Handle handle, String lockName, HandleCallback<T, RuntimeException> work) {
            return handle.inTransaction(tx -> {
                // Serialises schema creation between instances that start at once: CREATE ... IF NOT EXISTS
                // alone still races on the catalog.
                tx.createQuery("SELECT pg_advisory_xact_lock(hashtext(COALESCE(current_schema(), '') || '.' || :name))")
                        .bind("name", lockName)
                        .mapTo(String.class)
                        .one();
                return work.withHandle(tx);
            });
        }
    },

    /**
     * One process owns the file: writes are serialised by SQLite's write lock, taken up front by
     * {@code BEGIN IMMEDIATE} so that a transaction never has to upgrade a read lock (which fails at
     * once under WAL instead of waiting).
     */
    SQLITE("SQLite", "INTEGER", "REAL", "", "rowid", "") {
        @Override
        void prepare(Handle handle) {
            // Per connection, so run on every handle: a pool hands out different connections.
            pragma(handle, "busy_timeout = " + BUSY_TIMEOUT_MILLIS);
        }

        @Override
        void prepareDatabase(Handle handle) {
            // WAL lets status reads go on while a worker writes; the mode is stored in the file. It cannot
            // be changed inside a transaction, so this runs before the schema is created.
            pragma(handle, "journal_mode = WAL");
        }

        private void pragma(Handle handle, String setting) {
            // Most pragmas answer with a row, so they run as queries.
            handle.createQuery("PRAGMA " + setting).mapTo(String.class).findOne();
        }

        @Override
        String withoutWaitingForDisk() {
            // Every commit is durable: the claims run as they always did, with their own BEGIN IMMEDIATE.
            return "";
        }

        @Override
        <T> T inWriteTransaction(Handle handle, String lockName, HandleCallback<T, RuntimeException> work) {
            handle.execute("BEGIN IMMEDIATE");
            try {
                T result = work.withHandle(handle);
                handle.execute("COMMIT");
                return result;
            } catch (RuntimeException e) {
                // Never hand a connection back to a pool inside a transaction that holds the write lock.
                rollbackQuietly(handle, e);
                throw e;
            }
        }

        private void rollbackQuietly(Handle handle, RuntimeException failure) {
            try {
                handle.execute("ROLLBACK");
            } catch (RuntimeException rollbackFailure) {
                failure.addSuppressed(rollbackFailure);
            }
        }
    };

    /** How long an SQLite connection waits for the write lock before it reports the store busy. */
    static final int BUSY_TIMEOUT_MILLIS = 10_000;

    private final String productName;
    private final String booleanType;
    private final String doubleType;
    private final String sequenceColumn;
    private final String insertionOrder;
    private final String skipLocked;

    Dialect(
            String productName,
            String booleanType,
            String doubleType,
            String sequenceColumn,
            String insertionOrder,
            String skipLocked) {
        this.productName = productName;
        this.booleanType = booleanType;
        this.doubleType = doubleType;
        this.sequenceColumn = sequenceColumn;
        this.insertionOrder = insertionOrder;
        this.skipLocked = skipLocked;
    }

    /**
     * The dialect of the database behind {@code metaData}.
     *
     * @throws IllegalArgumentException when it is neither PostgreSQL nor SQLite
     */
    static Dialect of(DatabaseMetaData metaData) throws SQLException {
        return named(metaData.getDatabaseProductName());
    }

    /**
     * The dialect of the database product named {@code product} as its driver reports it.
     *
     * @throws IllegalArgumentException when it is neither PostgreSQL nor SQLite
     */
    static Dialect named(String product) {
        for (Dialect dialect : values()) {
            if (dialect.productName.equalsIgnoreCase(product)) {
                return dialect;
            }
        }
        throw new IllegalArgumentException("JdbcJobStore supports PostgreSQL and SQLite, not "
                + (product == null ? "this database" : product.toLowerCase(Locale.ROOT)));
    }

    /** Runs once on every handle before the store uses it. */
    abstract void prepare(Handle handle);

    /** Runs once per store, outside any transaction, before the schema is checked. */
    abstract void prepareDatabase(Handle handle);

    /**
     * What goes between an {@code UPDATE}'s {@code SET} list and its {@code WHERE} when the statement, run on its own
     * (auto-commit), only takes or renews a lease, so that its commit need not survive a crash of the database:
     * PostgreSQL commits it without waiting for the WAL flush ({@code synchronous_commit} off for that one
     * transaction); SQLite gets nothing and commits durably.
     */
    abstract String withoutWaitingForDisk();

    /** The expression that a claim sets the fencing token {@code column} to: always above its current value. */
    String nextToken(String column) {
        return column + " + 1";
    }

    /**
     * Runs {@code work} in one transaction that holds the database's write lock for {@code lockName}
     * (PostgreSQL: an advisory lock; SQLite: the database's single write lock) and commits it.
     */
    abstract <T> T inWriteTransaction(Handle handle, String lockName, HandleCallback<T, RuntimeException> work);

    /**
     * The condition that {@code column} is among the values {@code subquery} selects, where the sub-select
     * is evaluated once for the whole statement (it may lock rows and carry a limit).
     */
    String oneOf(String column, String subquery) {
        return column + " IN (" + subquery + ")";
    }

    /** Whether a claim is one {@code UPDATE ... RETURNING} over a sub-select that skips locked rows. */
    boolean claimsInOneStatement() {
        return !skipLocked.isEmpty();
    }

    String booleanType() {
        return booleanType;
    }

    String doubleType() {
        return doubleType;
    }

    /** The column definition (with its trailing comma) that records insertion order, or empty when the rowid does. */
    String sequenceColumn() {
        return sequenceColumn;
    }

    /** The expression that orders rows by insertion: breaks ties between jobs created in the same millisecond. */
    String insertionOrder() {
        return insertionOrder;
    }

    /** The locking clause of a sub-select that picks rows to change, or empty where writers are serialised anyway. */
    String skipLocked() {
        return skipLocked;
    }
}
