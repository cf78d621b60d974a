package io.videomerge.store.jdbc;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeResult;
import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.spi.Delivery;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobCodec;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.spi.Renewal;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.JdbiException;
import org.jdbi.v3.core.statement.Update;

/**
 * A {@link JobStore} that keeps jobs in a PostgreSQL database, shared by any number of instances, or in
 * an SQLite file used by one process, through Jdbi.
 *
 * <p>Built from the application's {@link DataSource} (ideally a connection pool, whose connections are in
 * auto-commit mode as JDBC's default has them) or {@link Jdbi}; the store opens no pool and ships no
 * driver. It connects on first use, not when built: it then detects the database, creates its tables
 * (named by a prefix, {@code videomerge_} by default) if they do not exist, and records their schema
 * version. Instances starting at once on one database create the tables once. Times come from the
 * injected {@link Clock} and are kept in UTC as epoch milliseconds.
 *
 * <p>On PostgreSQL, a claim is one {@code UPDATE ... RETURNING} over a {@code FOR UPDATE SKIP LOCKED}
 * sub-select, so concurrent claimers neither wait for nor collide with each other. On SQLite (WAL mode,
 * a busy timeout), a claim takes the database's write lock with {@code BEGIN IMMEDIATE} and moves the
 * job by compare-and-set. Every other change is a single conditional statement; a purge is one
 * {@code DELETE ... RETURNING} of the oldest finished rows (on PostgreSQL skipping rows that a concurrent
 * purge has locked), and {@link #countPending} reads the partial index of pending rows only. Webhook deliveries
 * live in the job's row (schema version 3); they are claimed like jobs, from a partial index of the due ones.
 *
 * <p>What survives a crash of the database server: on PostgreSQL, {@link #create}, {@link #complete},
 * {@link #fail}, {@link #release}, {@link #cancel}, {@link #requeueExpired}, {@link #purgeFinished},
 * {@link #deliveryDone} and {@link #retryDelivery} commit durably, so once one has returned its change survives a
 * crash. {@link #claim}, {@link #renew} and {@link #claimDelivery} only take or extend a lease: they commit with
 * {@code synchronous_commit} off for their own transaction (each is one statement in auto-commit that sets it with
 * {@code set_config(..., true)}, never the pooled connection's setting), which saves a WAL flush per claim and per
 * heartbeat, and a crash within a moment of them (at most three
 * times {@code wal_writer_delay}) may undo them. An undone claim or heartbeat makes the job (or the webhook delivery)
 * run again, never twice to an end: the job is pending again, or its lease ends sooner; the worker that held the
 * lost lease hears {@link Renewal#LOST} at its next heartbeat, and its {@code complete}, {@code fail} or
 * {@code release} changes nothing. For that, a claim on PostgreSQL sets the fencing token to the larger of the
 * previous token + 1 and the server's clock in microseconds, so that the claim after the restart never hands out
 * again a token that a lost claim had given (assuming the server's clock does not step back across the restart by
 * more than the restart took). A durable commit makes every earlier commit durable too, so a lease whose job's
 * outcome was recorded was never lost. On SQLite every commit is durable.
 *
 * <p>When the database cannot be reached or is too busy to answer, methods throw
 * {@link StoreUnavailableException} and nothing was changed by them.
 */
public final class JdbcJobStore implements JobStore {
    /** The table prefix used unless the builder is given another. */
    public static final String DEFAULT_TABLE_PREFIX = "videomerge_";

    private static final int MAX_OWNER_LENGTH = 255;

    private final Jdbi jdbi;
    private final Clock clock;
    private final String tablePrefix;
    private final Object initLock = new Object();
    // SQLite: one connection of this store at a time. Connections opened and closed concurrently on one
    // file were seen to deadlock inside the native driver (a close against an open, both stuck); SQLite
    // takes one writer at a time anyway, so serialising costs an embedded single instance little.
    private final ReentrantLock sqliteTurn = new ReentrantLock();
    private volatile JobStatements table;

    private JdbcJobStore(Builder builder) {
        this.jdbi = builder.jdbi;
        this.clock = builder.clock;
        this.tablePrefix = builder.tablePrefix;
    }

    /**
     * {@return a builder for a store on the database behind {@code dataSource}}
     *
     * @param dataSource a PostgreSQL or SQLite data source in auto-commit mode; the store never closes it
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Jdbi.create(requireNonNull(dataSource, "dataSource")));
    }

    /**
     * {@return a builder for a store that reaches its database through {@code jdbi}}
     *
     * @param jdbi a configured Jdbi on PostgreSQL or SQLite
     */
    public static Builder builder(Jdbi jdbi) {
        return new Builder(requireNonNull(jdbi, "jdbi"));
    }

    @Override
    public Job create(NewJob job) {
        requireNonNull(job, "job");
        Instant now = now();
        String request = JobCodec.writeRequest(job.request());
        String key = job.idempotencyKey().orElse(null);
        String deliveryState = job.request().callbackUrl().isPresent() ? Delivery.State.WAITING.name() : null;
        return use(t -> {
            Handle h = t.handle();
            // A lost insert means the key (or, in theory, the id) is taken; the winner is read back. It may
            // have been purged in between, in which case the insert is tried again.
            for (int round = 0; round < 3; round++) {
                int inserted = h.createUpdate(t.sql().insert)
                        .bind("id", job.id().value())
                        .bind("request", request)
                        .bind("principal", job.principal().id())
                        .bind("key", key)
                        .bind("fingerprint", job.fingerprint())
                        .bind("maxAttempts", job.maxAttempts())
                        .bind("now", now.toEpochMilli())
                        .bind("message", JobMessages.QUEUED)
                        .bind("deliveryState", deliveryState)
                        .execute();
                if (inserted == 1) {
                    return job.pendingAt(now);
                }
                Optional<Job> winner = key == null
                        ? Optional.empty()
                        : t.handle()
                                .createQuery(t.sql().findByKey)
                                .bind("principal", job.principal().id())
                                .bind("key", key)
                                .map(JobRowMapper.INSTANCE)
                                .findOne();
                if (winner.isEmpty()) {
                    winner = findBy(t, t.sql().findById, "id", job.id().value());
                }
                if (winner.isPresent()) {
                    return winner.get();
                }
            }
            throw new IllegalStateException("the job could not be created: its idempotency key kept being purged");
        });
    }

    @Override
    public Optional<Job> find(TaskId id) {
        requireNonNull(id, "id");
        return use(t -> findBy(t, t.sql().findById, "id", id.value()));
    }

    @Override
    public Optional<Job> claim(String owner, Duration leaseTime) {
        requireNonNull(owner, "owner");
        checkLeaseTime(leaseTime);
        if (owner.length() > MAX_OWNER_LENGTH) {
            throw new IllegalArgumentException("owner must have at most " + MAX_OWNER_LENGTH + " characters");
        }
        return use(t -> {
            // Read once the store is ours (SQLite: this store's turn): a claim that waited for the turn must not
            // hand out a lease counted from before the wait, already short or even expired.
            Instant now = now();
            long expiresAt = now.plus(leaseTime).toEpochMilli();
            return t.sql().dialect().claimsInOneStatement()
                    ? claimSkippingLocked(t, owner, now.toEpochMilli(), expiresAt)
                    : claimByCompareAndSet(t, owner, now.toEpochMilli(), expiresAt);
        });
    }

    private Optional<Job> claimSkippingLocked(Bound t, String owner, long now, long expiresAt) {
        return t.handle()
                .createQuery(t.sql().claimOne)
                .bind("owner", owner)
                .bind("message", JobMessages.PROCESSING)
                .bind("expiresAt", expiresAt)
                .bind("now", now)
                .map(JobRowMapper.INSTANCE)
                .findOne();
    }

    private Optional<Job> claimByCompareAndSet(Bound t, String owner, long now, long expiresAt) {
        return compareAndSetClaim(
                t,
                now,
                t.sql().nextClaimable,
                "lease_token",
                t.sql().claimIfStillPending,
                update -> update.bind("owner", owner)
                        .bind("message", JobMessages.PROCESSING)
                        .bind("expiresAt", expiresAt));
    }

    /**
     * A claim where writers are serialised (SQLite), of a job or of a delivery alike: a read first, without the
     * write lock, so that idle pollers of an empty queue never take it; then, under the lock, the oldest candidate
     * is read again and changed only if its token is still the one read.
     *
     * @param next        selects {@code id} and {@code tokenColumn} of the oldest candidate due at {@code :now}
     * @param claim       changes the row {@code :id} if its token is still {@code :token}
     * @param claimValues binds what {@code claim} sets besides {@code :now}, {@code :id} and {@code :token}
     */
    private static Optional<Job> compareAndSetClaim(
            Bound t, long now, String next, String tokenColumn, String claim, UnaryOperator<Update> claimValues) {
        if (candidate(t.handle(), next, tokenColumn, now).isEmpty()) {
            return Optional.empty();
        }
        return t.sql().dialect().inWriteTransaction(t.handle(), t.sql().jobs, tx -> {
            Optional<Candidate> candidate = candidate(tx, next, tokenColumn, now);
            if (candidate.isEmpty()) {
                return Optional.empty();
            }
            int changed = claimValues
                    .apply(tx.createUpdate(claim))
                    .bind("now", now)
                    .bind("id", candidate.get().id())
                    .bind("token", candidate.get().token())
                    .execute();
            if (changed != 1) {
                return Optional.empty();
            }
            return tx.createQuery(t.sql().findById)
                    .bind("id", candidate.get().id())
                    .map(JobRowMapper.INSTANCE)
                    .findOne();
        });
    }

    private static Optional<Candidate> candidate(Handle handle, String next, String tokenColumn, long now) {
        return handle.createQuery(next)
                .bind("now", now)
                .map((rs, ctx) -> new Candidate(rs.getString("id"), rs.getLong(tokenColumn)))
                .findOne();
    }

    @Override
    public Renewal renew(Lease lease, Duration leaseTime, double progress, String message) {
        requireNonNull(lease, "lease");
        requireNonNull(message, "message");
        checkLeaseTime(leaseTime);
        // NaN and anything below 0 leave the stored progress as it is, since it is never lowered.
        double clamped = Double.isNaN(progress) ? 0 : Math.max(0, Math.min(1, progress));
        Optional<Boolean> cancelRequested = use(t -> {
            Instant now = now(); // once the store is ours, as in claim
            return t.handle()
                    .createQuery(t.sql().renew)
                    .bind("expiresAt", now.plus(leaseTime).toEpochMilli())
                    .bind("progress", clamped)
                    .bind("message", message)
                    .bind("now", now.toEpochMilli())
                    .bind("id", lease.taskId().value())
                    .bind("token", lease.token())
                    .mapTo(Boolean.class)
                    .findOne();
        });
        return cancelRequested
                .map(cancel -> cancel ? Renewal.CANCEL_REQUESTED : Renewal.RENEWED)
                .orElse(Renewal.LOST);
    }

    @Override
    public boolean complete(Lease lease, MergeResult result) {
        requireNonNull(lease, "lease");
        requireNonNull(result, "result");
        long now = now().toEpochMilli();
        String document = JobCodec.writeResult(result);
        return use(t -> t.handle()
                        .createUpdate(t.sql().complete)
                        .bind("result", document)
                        .bind("message", JobMessages.COMPLETED)
                        .bind("now", now)
                        .bind("id", lease.taskId().value())
                        .bind("token", lease.token())
                        .execute())
                == 1;
    }

    @Override
    public boolean fail(Lease lease, JobError error, Optional<Instant> retryAt) {
        requireNonNull(lease, "lease");
        requireNonNull(error, "error");
        requireNonNull(retryAt, "retryAt");
        long now = now().toEpochMilli();
        return use(t -> {
                    Update update =
                            t.handle().createUpdate(retryAt.isPresent() ? t.sql().failOrRetry : t.sql().failForGood);
                    retryAt.ifPresent(at -> update.bind("retryAt", at.toEpochMilli()));
                    return update.bind("finalState", error.finalState().name())
                            .bind("code", error.code().name())
                            .bind("error", error.message())
                            .bind("now", now)
                            .bind("id", lease.taskId().value())
                            .bind("token", lease.token())
                            .execute();
                })
                == 1;
    }

    @Override
    public boolean release(Lease lease) {
        requireNonNull(lease, "lease");
        long now = now().toEpochMilli();
        return use(t -> t.handle()
                        .createUpdate(t.sql().release)
                        .bind("cancelled", JobMessages.CANCELLED.message())
                        .bind("released", JobMessages.RELEASED)
                        .bind("now", now)
                        .bind("id", lease.taskId().value())
                        .bind("token", lease.token())
                        .execute())
                == 1;
    }

    @Override
    public int requeueExpired() {
        long now = now().toEpochMilli();
        return use(t -> t.handle()
                .createUpdate(t.sql().requeueExpired)
                .bind("cancelled", JobMessages.CANCELLED.message())
                .bind("lost", JobMessages.WORKER_LOST.message())
                .bind("requeued", JobMessages.REQUEUED)
                .bind("now", now)
                .execute());
    }

    @Override
    public boolean cancel(TaskId id) {
        requireNonNull(id, "id");
        long now = now().toEpochMilli();
        return use(t -> t.handle()
                        .createUpdate(t.sql().cancel)
                        .bind("cancelled", JobMessages.CANCELLED.message())
                        .bind("cancelling", JobMessages.CANCELLING)
                        .bind("now", now)
                        .bind("id", id.value())
                        .execute())
                == 1;
    }

    @Override
    public List<Job> purgeFinished(Instant cutoff, int limit) {
        requireNonNull(cutoff, "cutoff");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        List<Job> purged = use(t -> t.handle()
                .createQuery(t.sql().purgeFinished)
                .bind("cutoff", cutoff.toEpochMilli())
                .bind("limit", limit)
                .map(JobRowMapper.INSTANCE)
                .list());
        // RETURNING gives the rows in no particular order.
        List<Job> oldestFirst = new ArrayList<>(purged);
        oldestFirst.sort(Comparator.comparing(job -> job.finishedAt().orElseThrow()));
        return oldestFirst;
    }

    @Override
    public long countPending() {
        return use(t ->
                t.handle().createQuery(t.sql().countPending).mapTo(Long.class).one());
    }

    @Override
    public Optional<Job> claimDelivery(Duration leaseTime) {
        checkLeaseTime(leaseTime);
        return use(t -> {
            Instant now = now(); // once the store is ours, as in claim
            long leaseEnd = now.plus(leaseTime).toEpochMilli();
            return t.sql().dialect().claimsInOneStatement()
                    ? t.handle()
                            .createQuery(t.sql().claimDeliveryOne)
                            .bind("leaseEnd", leaseEnd)
                            .bind("now", now.toEpochMilli())
                            .map(JobRowMapper.INSTANCE)
                            .findOne()
                    : compareAndSetClaim(
                            t,
                            now.toEpochMilli(),
                            t.sql().nextDelivery,
                            "delivery_token",
                            t.sql().claimDeliveryIfStillDue,
                            update -> update.bind("leaseEnd", leaseEnd));
        });
    }

    @Override
    public boolean deliveryDone(TaskId id, long token) {
        requireNonNull(id, "id");
        return use(t -> t.handle()
                        .createUpdate(t.sql().deliveryDone)
                        .bind("id", id.value())
                        .bind("token", token)
                        .execute())
                == 1;
    }

    @Override
    public boolean retryDelivery(TaskId id, long token, Instant at) {
        requireNonNull(id, "id");
        requireNonNull(at, "at");
        return use(t -> t.handle()
                        .createUpdate(t.sql().retryDelivery)
                        .bind("at", at.toEpochMilli())
                        .bind("id", id.value())
                        .bind("token", token)
                        .execute())
                == 1;
    }

    /** Does nothing: the store holds no connection between calls, and the pool or Jdbi it was given stays open. */
    @Override
    public void close() {
        // Nothing of its own to release.
    }

    @Override
    public String toString() {
        JobStatements current = table;
        return "JdbcJobStore[" + (current == null ? "not connected yet" : current.dialect() + " " + current.jobs) + "]";
    }

    private Instant now() {
        // What is stored is milliseconds; what is returned must be what a later read gives back.
        return Instant.ofEpochMilli(clock.millis());
    }

    private static Optional<Job> findBy(Bound t, String sql, String name, String value) {
        return t.handle()
                .createQuery(sql)
                .bind(name, value)
                .map(JobRowMapper.INSTANCE)
                .findOne();
    }

    private static void checkLeaseTime(Duration leaseTime) {
        requireNonNull(leaseTime, "leaseTime");
        if (leaseTime.isNegative() || leaseTime.isZero()) {
            throw new IllegalArgumentException("leaseTime must be positive: " + leaseTime);
        }
    }

    /** Runs {@code work} on one handle, creating the schema first if this store has not yet done so. */
    private <T> T use(Work<T> work) {
        JobStatements known = table;
        // Until the dialect is known, take the turn as if it were SQLite.
        boolean serial = known == null || known.dialect() == Dialect.SQLITE;
        if (serial) {
            sqliteTurn.lock();
        }
        try {
            return jdbi.withHandle(handle -> {
                JobStatements sql = ready(handle);
                sql.dialect().prepare(handle);
                return work.run(new Bound(handle, sql));
            });
        } catch (JdbiException | SQLException e) {
            throw translate(e);
        } finally {
            if (serial) {
                sqliteTurn.unlock();
            }
        }
    }

    private JobStatements ready(Handle handle) throws SQLException {
        JobStatements current = table;
        if (current != null) {
            return current;
        }
        synchronized (initLock) {
            if (table == null) {
                Dialect dialect = Dialect.of(handle.getConnection().getMetaData());
                dialect.prepare(handle);
                dialect.prepareDatabase(handle);
                JobStatements sql = new JobStatements(dialect, tablePrefix);
                migrate(handle, sql);
                table = sql;
            }
            return table;
        }
    }

    private void migrate(Handle handle, JobStatements sql) {
        sql.dialect().inWriteTransaction(handle, sql.jobs, tx -> {
            tx.execute(sql.createVersionTable());
            int current = tx.createQuery(sql.selectVersion).mapTo(Integer.class).one();
            if (current > JobStatements.SCHEMA_VERSION) {
                throw new IllegalStateException("the job tables are at schema version " + current
                        + ", newer than this videomerge version understands (" + JobStatements.SCHEMA_VERSION + ")");
            }
            for (int version = current + 1; version <= JobStatements.SCHEMA_VERSION; version++) {
                for (String statement : sql.migrationTo(version)) {
                    tx.execute(statement);
                }
                tx.createUpdate(sql.insertVersion)
                        .bind("version", version)
                        .bind("now", clock.millis())
                        .execute();
            }
            return null;
        });
    }

    /**
     * A failure that says the database is unreachable, down or too busy becomes a
     * {@link StoreUnavailableException}; the driver's message stays in the cause only, since it can
     * name hosts, files or users.
     */
    static RuntimeException translate(Exception failure) {
        if (failure instanceof ConnectionException) {
            return new StoreUnavailableException("the job store could not be reached", failure);
        }
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof SQLException sql && isUnavailable(sql)) {
                String state = sql.getSQLState();
                return new StoreUnavailableException(
                        "the job store did not answer" + (state == null ? "" : " (SQL state " + state + ")"), failure);
            }
        }
        return failure instanceof RuntimeException runtime
                ? runtime
                : new IllegalStateException("the job store failed", failure);
    }

    private static boolean isUnavailable(SQLException failure) {
        if (failure instanceof SQLTransientException
                || failure instanceof SQLRecoverableException
                || failure instanceof SQLNonTransientConnectionException) {
            return true;
        }
        String state = failure.getSQLState();
        // 08 connection, 53 out of resources, 57 operator intervention (shutdown, statement timeout),
        // 40 transaction rolled back (serialisation failure, deadlock): the statement had no effect.
        if (state != null
                && (state.startsWith("08")
                        || state.startsWith("53")
                        || state.startsWith("57")
                        || state.startsWith("40"))) {
            return true;
        }
        // SQLite reports result codes, perhaps extended: BUSY, LOCKED, IOERR, FULL, CANTOPEN.
        int primary = failure.getErrorCode() & 0xff;
        return primary == 5 || primary == 6 || primary == 10 || primary == 13 || primary == 14;
    }

    /** One unit of work on a handle, with the statements of the store's tables. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Bound bound) throws SQLException;
    }

    /** A handle and the statements to use on it. */
    private record Bound(Handle handle, JobStatements sql) {}

    private record Candidate(String id, long token) {}

    /** Collects the options of a {@link JdbcJobStore}. */
    public static final class Builder {
        private final Jdbi jdbi;
        private Clock clock = Clock.systemUTC();
        private String tablePrefix = DEFAULT_TABLE_PREFIX;

        private Builder(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        /**
         * The clock every stored time comes from; the system UTC clock by default.
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The prefix of the store's table names ({@value JdbcJobStore#DEFAULT_TABLE_PREFIX} by default): at most 32
         * lower-case letters, digits or underscores, not starting with a digit, or empty.
         *
         * @param tablePrefix the prefix
         * @return this builder
         * @throws IllegalArgumentException when {@code tablePrefix} is not of that form
         */
        public Builder tablePrefix(String tablePrefix) {
            this.tablePrefix = JobStatements.checkedPrefix(tablePrefix);
            return this;
        }

        /** {@return the store; it connects on first use} */
        public JdbcJobStore build() {
            return new JdbcJobStore(this);
        }
    }
}
