package io.videomerge.store.jdbc;

import static io.videomerge.testing.SampleJobs.RESULT;
import static io.videomerge.testing.SampleJobs.newJob;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.MergeService;
import io.videomerge.Principal;
import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobCodec;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobState;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.spi.Renewal;
import io.videomerge.store.jdbc.TestDatabase.Engine;
import io.videomerge.testing.SampleJobs;
import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the JDBC store adds to the contract: its schema, surviving a restart, concurrency across
 * connections, and how it reports an unreachable database. Time moves by building another store with a
 * later fixed clock on the same database.
 */
@DisplayName("JdbcJobStore")
class JdbcJobStoreTest {
    private static final Instant START = Instant.parse("2030-01-01T00:00:00Z");
    private static final Duration LEASE = Duration.ofSeconds(30);

    @TempDir
    Path folder;

    private static Clock at(Instant instant) {
        return Clock.fixed(instant, ZoneOffset.UTC);
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("keeps every job with its state when the store is closed and a new one is opened on the same database")
    void jobsSurviveReopeningTheStore(Engine engine) {
        try (TestDatabase db = engine.open(folder)) {
            List<Job> before = new ArrayList<>();
            try (JdbcJobStore store = db.store(at(START))) {
                Job pending = store.create(newJob("restart-key"));
                Job completed = store.create(newJob());
                Job failed = store.create(newJob());
                Job processing = store.create(newJob());
                Lease first =
                        store.claim("worker-a", LEASE).orElseThrow().lease().orElseThrow();
                Lease second =
                        store.claim("worker-a", LEASE).orElseThrow().lease().orElseThrow();
                Lease third =
                        store.claim("worker-a", LEASE).orElseThrow().lease().orElseThrow();
                store.claim("worker-b", LEASE).orElseThrow();
                assertEquals(pending.id(), first.taskId(), "claims go oldest first");
                assertTrue(store.release(first));
                assertTrue(store.complete(second, RESULT));
                assertTrue(store.fail(
                        third, new JobError(ErrorCode.INVALID_MEDIA, "input 1 is not a video"), Optional.empty()));
                for (Job job : List.of(pending, completed, failed, processing)) {
                    before.add(store.find(job.id()).orElseThrow());
                }
            }
            // Reopened through the other entry point, as another process would.
            try (JdbcJobStore reopened =
                    JdbcJobStore.builder(db.dataSource()).clock(at(START)).build()) {
                List<Job> after = before.stream()
                        .map(job -> reopened.find(job.id()).orElseThrow())
                        .toList();
                assertEquals(before, after);
                assertEquals(
                        List.of(JobState.PENDING, JobState.COMPLETED, JobState.FAILED, JobState.PROCESSING),
                        after.stream().map(Job::state).toList());
                assertEquals(Optional.of(RESULT), after.get(1).result());
                assertEquals(Optional.of("worker-b"), after.get(3).lease().map(Lease::owner));
                assertEquals(Optional.of("restart-key"), after.get(0).idempotencyKey());
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("creates its table with real columns on first use and records schema versions 1 to 3 once")
    void createsItsSchemaOnFirstUse(Engine engine) throws SQLException {
        try (TestDatabase db = engine.open(folder)) {
            JdbcJobStore store = db.store(at(START));
            store.ping();
            JdbcJobStore.builder(db.jdbi()).clock(at(START)).build().ping();

            assertEquals(List.of(1, 2, 3), versions(db.jdbi(), "videomerge_"));
            try (Connection connection = db.dataSource().getConnection()) {
                assertEquals(
                        Set.of(
                                "id",
                                "state",
                                "request",
                                "principal",
                                "idempotency_key",
                                "request_fingerprint",
                                "attempt",
                                "max_attempts",
                                "not_before",
                                "lease_owner",
                                "lease_token",
                                "lease_expires_at",
                                "cancel_requested",
                                "progress",
                                "message",
                                "result",
                                "error_code",
                                "error_message",
                                "created_at",
                                "updated_at",
                                "finished_at",
                                "delivery_state",
                                "delivery_attempt",
                                "delivery_token",
                                "delivery_not_before"),
                        withoutSequence(columns(connection, "videomerge_jobs")));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("stores starting at once on an empty database create the schema once and all work")
    void storesStartingAtOnceCreateTheSchemaOnce(Engine engine) throws Exception {
        try (TestDatabase db = engine.open(folder)) {
            int instances = 4;
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Job>> starts = new ArrayList<>();
            for (int i = 0; i < instances; i++) {
                starts.add(() -> {
                    JdbcJobStore store = JdbcJobStore.builder(db.jdbi())
                            .clock(at(START))
                            .tablePrefix("race_")
                            .build();
                    start.await();
                    return store.create(newJob());
                });
            }
            List<Job> created = runTogether(starts, start);

            assertEquals(instances, created.stream().map(Job::id).distinct().count());
            assertEquals(List.of(1, 2, 3), versions(db.jdbi(), "race_"));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("refuses tables at a schema version newer than it understands")
    void refusesANewerSchema(Engine engine) {
        try (TestDatabase db = engine.open(folder)) {
            db.store(at(START)).ping();
            db.jdbi()
                    .useHandle(h ->
                            h.execute("INSERT INTO videomerge_schema_version (version, applied_at) VALUES (4, 0)"));

            IllegalStateException refused = assertThrows(
                    IllegalStateException.class, () -> db.store(at(START)).ping());
            assertTrue(refused.getMessage().contains("schema version 4"), refused.getMessage());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("upgrades version 1 tables: their jobs become the anonymous principal's, keys and all")
    void upgradesFromVersionOne(Engine engine) throws SQLException {
        try (TestDatabase db = engine.open(folder)) {
            Dialect dialect;
            try (Connection connection = db.dataSource().getConnection()) {
                dialect = Dialect.of(connection.getMetaData());
            }
            JobStatements sql = new JobStatements(dialect, JdbcJobStore.DEFAULT_TABLE_PREFIX);
            String request = JobCodec.writeRequest(SampleJobs.REQUEST);
            db.jdbi().useHandle(h -> {
                h.execute(sql.createVersionTable());
                sql.migrationTo(1).forEach(h::execute);
                h.execute("INSERT INTO videomerge_schema_version (version, applied_at) VALUES (1, 0)");
                h.createUpdate(
                                "INSERT INTO videomerge_jobs (id, state, request, idempotency_key, attempt, max_attempts,"
                                        + " not_before, lease_token, cancel_requested, progress, message, created_at,"
                                        + " updated_at) VALUES (:id, 'PENDING', :request, 'old-key', 1, 3, 0, 0, FALSE, 0,"
                                        + " 'Queued', 0, 0)")
                        .bind("id", OLD_ID.value())
                        .bind("request", request)
                        .execute();
            });

            JdbcJobStore store = db.store(at(START));
            Job old = store.find(OLD_ID).orElseThrow();

            assertEquals(List.of(1, 2, 3), versions(db.jdbi(), "videomerge_"));
            assertEquals(Principal.ANONYMOUS, old.principal());
            assertEquals(Optional.empty(), old.delivery(), "a job from before webhooks has no delivery");
            assertEquals(JobCodec.fingerprint(SampleJobs.REQUEST), old.fingerprint());
            assertEquals(OLD_ID, store.create(newJob("old-key")).id(), "the anonymous key still holds");
            NewJob ofKey = new NewJob(
                    TaskId.random(),
                    SampleJobs.REQUEST,
                    new Principal("key-0123456789abcdef"),
                    Optional.of("old-key"),
                    3);
            assertEquals(ofKey.id(), store.create(ofKey).id(), "another principal's key of that spelling is its own");
        }
    }

    private static final TaskId OLD_ID = new TaskId("0b7a6f39-5b57-4c36-9a0e-1c2f0c4d5e6f");

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("stores times from the injected clock as UTC epoch milliseconds")
    void storesClockTimesAsUtcMilliseconds(Engine engine) {
        try (TestDatabase db = engine.open(folder)) {
            Instant subMillisecond = START.plusNanos(123_456_789);
            JdbcJobStore store = db.store(at(subMillisecond));
            Job created = store.create(newJob());

            long stored = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT created_at FROM videomerge_jobs WHERE id = :id")
                            .bind("id", created.id().value())
                            .mapTo(Long.class)
                            .one());
            assertEquals(START.toEpochMilli() + 123, stored);
            assertEquals(Instant.ofEpochMilli(stored), created.createdAt());
            assertEquals(Optional.of(created), store.find(created.id()));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("hands each of many jobs to exactly one of eight concurrent claimers")
    void concurrentClaimersNeverShareAJob(Engine engine) throws Exception {
        try (TestDatabase db = engine.open(folder)) {
            JdbcJobStore store = db.store(at(START));
            int jobs = 80;
            for (int i = 0; i < jobs; i++) {
                store.create(newJob());
            }
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<List<Job>>> claimers = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                String owner = "worker-" + i;
                claimers.add(() -> {
                    start.await();
                    List<Job> mine = new ArrayList<>();
                    for (Optional<Job> job = store.claim(owner, LEASE);
                            job.isPresent();
                            job = store.claim(owner, LEASE)) {
                        mine.add(job.get());
                    }
                    return mine;
                });
            }
            List<Job> claimed =
                    runTogether(claimers, start).stream().flatMap(List::stream).toList();

            assertEquals(jobs, claimed.size());
            assertEquals(jobs, claimed.stream().map(Job::id).distinct().count());
            assertTrue(claimed.stream()
                    .allMatch(j -> j.state() == JobState.PROCESSING && j.lease().isPresent()));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("makes one job of concurrent creates with the same idempotency key")
    void concurrentCreatesWithOneKeyMakeOneJob(Engine engine) throws Exception {
        try (TestDatabase db = engine.open(folder)) {
            JdbcJobStore store = db.store(at(START));
            CountDownLatch start = new CountDownLatch(1);
            List<Callable<Job>> creates = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                creates.add(() -> {
                    start.await();
                    return store.create(newJob("same-key"));
                });
            }
            List<Job> created = runTogether(creates, start);

            assertEquals(1, created.stream().map(Job::id).distinct().count());
            long rows = db.jdbi()
                    .withHandle(h -> h.createQuery("SELECT COUNT(*) FROM videomerge_jobs")
                            .mapTo(Long.class)
                            .one());
            assertEquals(1, rows);
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("runs a job through heartbeat, cancellation and release, fenced by a token that grows per claim")
    void walksALeaseThroughItsLife(Engine engine) {
        try (TestDatabase db = engine.open(folder)) {
            JdbcJobStore store = db.store(at(START));
            Job job = store.create(newJob());
            Lease first = store.claim("worker-a", LEASE).orElseThrow().lease().orElseThrow();
            assertEquals(Renewal.RENEWED, store.renew(first, LEASE, 0.4, "encoding"));
            assertEquals(Renewal.RENEWED, store.renew(first, LEASE, 0.2, "still encoding"));
            assertEquals(0.4, store.find(job.id()).orElseThrow().progress(), "progress is never lowered");
            assertTrue(store.fail(
                    first, new JobError(ErrorCode.DOWNLOAD_FAILED, "input 0 answered 503"), Optional.of(START)));

            Lease second = store.claim("worker-b", LEASE).orElseThrow().lease().orElseThrow();
            assertTrue(second.token() > first.token(), "a later claim gets a larger token");
            assertEquals(Renewal.LOST, store.renew(first, LEASE, 0.9, "stale"));
            assertFalse(store.complete(first, RESULT), "a stale lease cannot complete");
            assertTrue(store.cancel(job.id()));
            assertEquals(Renewal.CANCEL_REQUESTED, store.renew(second, LEASE, 0.5, "encoding"));
            assertTrue(store.release(second));

            Job cancelled = store.find(job.id()).orElseThrow();
            assertEquals(JobState.CANCELLED, cancelled.state());
            assertEquals(2, cancelled.attempt());
            assertEquals(Optional.of(ErrorCode.CANCELLED), cancelled.error().map(JobError::code));
            assertEquals(Optional.of(START), cancelled.finishedAt());
            assertTrue(cancelled.lease().isEmpty());
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("requeues an expired lease, fails the job as WORKER_LOST once attempts are spent, then purges it")
    void rescuesExpiredLeasesAndPurgesFinishedJobs(Engine engine) {
        try (TestDatabase db = engine.open(folder)) {
            Instant later = START.plus(LEASE).plusSeconds(1);
            JdbcJobStore now = db.store(at(START));
            JdbcJobStore afterExpiry = db.store(at(later));
            Job job =
                    now.create(new io.videomerge.spi.NewJob(TaskId.random(), SampleJobs.REQUEST, Optional.empty(), 2));
            now.claim("worker-a", LEASE).orElseThrow();
            assertEquals(0, now.requeueExpired(), "a lease that has not expired stays");
            assertEquals(1, afterExpiry.requeueExpired());
            Job requeued = afterExpiry.find(job.id()).orElseThrow();
            assertEquals(JobState.PENDING, requeued.state());
            assertEquals(2, requeued.attempt());
            assertEquals(START, requeued.notBefore(), "a rescued job keeps its place in the queue");

            afterExpiry.claim("worker-b", LEASE).orElseThrow();
            JdbcJobStore muchLater = db.store(at(later.plus(LEASE).plusSeconds(1)));
            assertEquals(1, muchLater.requeueExpired());
            Job lost = muchLater.find(job.id()).orElseThrow();
            assertEquals(JobState.FAILED, lost.state());
            assertEquals(Optional.of(ErrorCode.WORKER_LOST), lost.error().map(JobError::code));

            assertEquals(
                    List.of(), muchLater.purgeFinished(lost.finishedAt().orElseThrow(), 10), "cutoff is exclusive");
            assertEquals(
                    List.of(lost),
                    muchLater.purgeFinished(lost.finishedAt().orElseThrow().plusMillis(1), 10));
            assertEquals(Optional.empty(), muchLater.find(job.id()));
        }
    }

    @ParameterizedTest
    @EnumSource(Engine.class)
    @DisplayName("keeps stores with different table prefixes apart on one database")
    void tablePrefixesSeparateStores(Engine engine) {
        try (TestDatabase db = engine.open(folder)) {
            JdbcJobStore one = JdbcJobStore.builder(db.jdbi())
                    .clock(at(START))
                    .tablePrefix("one_")
                    .build();
            JdbcJobStore two = JdbcJobStore.builder(db.jdbi())
                    .clock(at(START))
                    .tablePrefix("two_")
                    .build();
            Job job = one.create(newJob());

            assertEquals(Optional.empty(), two.find(job.id()));
            assertEquals(Optional.empty(), two.claim("worker", LEASE));
            assertEquals(job.id(), one.claim("worker", LEASE).orElseThrow().id());
        }
    }

    @Test
    @DisplayName("puts the SQLite file in WAL mode")
    void sqliteRunsInWalMode() {
        try (TestDatabase db = Engine.SQLITE.open(folder)) {
            db.store(at(START)).ping();
            assertEquals(
                    "wal",
                    db.jdbi()
                            .withHandle(h -> h.createQuery("PRAGMA journal_mode")
                                    .mapTo(String.class)
                                    .one()));
        }
    }

    @Test
    @DisplayName("reports a PostgreSQL that does not answer as store unavailable, naming no host, port or user")
    void unreachablePostgresIsStoreUnavailable() {
        JdbcJobStore store = JdbcJobStore.builder(unreachablePostgres()).build();

        StoreUnavailableException failure = assertThrows(StoreUnavailableException.class, () -> store.create(newJob()));
        assertEquals(ErrorCode.STORE_UNAVAILABLE, failure.code());
        assertTrue(failure.isRetryable());
        for (String secret : List.of("127.0.0.1", ":1", "postgres", "jdbc")) {
            assertFalse(failure.getMessage().contains(secret), () -> failure.getMessage() + " names " + secret);
        }
        assertThrows(StoreUnavailableException.class, store::ping);
    }

    @Test
    @DisplayName("makes MergeService.submit fail with STORE_UNAVAILABLE when PostgreSQL does not answer")
    void submitToUnreachablePostgresIsRefused() {
        JdbcJobStore store = JdbcJobStore.builder(unreachablePostgres()).build();
        try (MergeService service = MergeService.builder()
                .uploader(new FileSystemUploader(folder.resolve("out"), URI.create("http://files.invalid/")))
                .workDirectory(folder.resolve("work"))
                .jobStore(store)
                .mergeConcurrency(0)
                .build()) {
            StoreUnavailableException refused =
                    assertThrows(StoreUnavailableException.class, () -> service.submit(SampleJobs.REQUEST));
            assertEquals(ErrorCode.STORE_UNAVAILABLE, refused.code());
        }
    }

    @Test
    @DisplayName("reports a PostgreSQL connection cut by the server as store unavailable, and records nothing")
    void severedPostgresConnectionIsStoreUnavailable() throws SQLException {
        try (PostgresSchema schema = PostgresSchema.create();
                Connection connection = DriverManager.getConnection(schema.url())) {
            JdbcJobStore store = JdbcJobStore.builder(Jdbi.create(connection))
                    .clock(at(START))
                    .build();
            store.ping();
            int pid;
            try (Statement statement = connection.createStatement();
                    ResultSet rs = statement.executeQuery("SELECT pg_backend_pid()")) {
                rs.next();
                pid = rs.getInt(1);
            }
            // Exactly the store's own backend, by its pid: nothing else on the server is touched.
            boolean terminated = schema.jdbi()
                    .withHandle(h -> h.createQuery("SELECT pg_terminate_backend(:pid)")
                            .bind("pid", pid)
                            .mapTo(Boolean.class)
                            .one());
            assertTrue(terminated);

            NewJob job = newJob();
            assertThrows(StoreUnavailableException.class, () -> store.create(job));
            JdbcJobStore healthy =
                    JdbcJobStore.builder(schema.jdbi()).clock(at(START)).build();
            assertEquals(Optional.empty(), healthy.find(job.id()));
        }
    }

    @Test
    @DisplayName("reports an SQLite file that cannot be opened as store unavailable, without its path")
    void unopenableSqliteFileIsStoreUnavailable() {
        Path missing = folder.resolve("no-such-folder").resolve("jobs.db");
        JdbcJobStore store =
                JdbcJobStore.builder(Jdbi.create("jdbc:sqlite:" + missing)).build();

        StoreUnavailableException failure = assertThrows(StoreUnavailableException.class, () -> store.create(newJob()));
        assertFalse(failure.getMessage().contains("no-such-folder"), failure.getMessage());
    }

    @Test
    @DisplayName("names the supported databases when given another")
    void refusesOtherDatabases() {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> Dialect.named("Microsoft SQL Server"));
        assertTrue(refused.getMessage().contains("PostgreSQL and SQLite"), refused.getMessage());
        assertEquals(Dialect.POSTGRESQL, Dialect.named("PostgreSQL"));
        assertEquals(Dialect.SQLITE, Dialect.named("SQLite"));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Upper_",
                "1x_",
                "a-b_",
                "x; drop table y; --",
                "schema.jobs_",
                "a_prefix_that_is_far_too_long_to_use"
            })
    @DisplayName("refuses a table prefix that is not a short lower-case identifier")
    void refusesMalformedTablePrefixes(String prefix) {
        JdbcJobStore.Builder builder = JdbcJobStore.builder(Jdbi.create("jdbc:sqlite::memory:"));
        assertThrows(IllegalArgumentException.class, () -> builder.tablePrefix(prefix));
    }

    /** The test PostgreSQL's URL with port 1, where nothing listens. */
    private static Jdbi unreachablePostgres() {
        String wrongPort = PostgresSchema.baseUrl().replaceFirst("//([^/:]+)(:\\d+)?/", "//$1:1/");
        assertTrue(wrongPort.contains(":1/"), wrongPort);
        return Jdbi.create(wrongPort);
    }

    private static <T> List<T> runTogether(List<Callable<T>> tasks, CountDownLatch start) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<Future<T>> futures = new ArrayList<>();
            for (Callable<T> task : tasks) {
                futures.add(pool.submit(task));
            }
            start.countDown();
            List<T> results = new ArrayList<>();
            for (Future<T> future : futures) {
                results.add(future.get(60, TimeUnit.SECONDS));
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Integer> versions(Jdbi jdbi, String prefix) {
        return jdbi.withHandle(h -> h.createQuery("SELECT version FROM " + prefix + "schema_version ORDER BY version")
                .mapTo(Integer.class)
                .list());
    }

    private static Set<String> columns(Connection connection, String table) throws SQLException {
        Set<String> names = new HashSet<>();
        // PostgreSQL: only this test's schema (other runs have tables of the same name in theirs).
        try (ResultSet rs = connection.getMetaData().getColumns(null, connection.getSchema(), table, null)) {
            while (rs.next()) {
                names.add(rs.getString("COLUMN_NAME"));
            }
        }
        return names;
    }

    private static Set<String> withoutSequence(Set<String> columns) {
        Set<String> rest = new HashSet<>(columns);
        rest.remove("seq");
        return rest;
    }
}
