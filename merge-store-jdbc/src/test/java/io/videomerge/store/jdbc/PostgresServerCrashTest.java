package io.videomerge.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.videomerge.ErrorCode;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobState;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.spi.Renewal;
import io.videomerge.testing.PostgresCluster;
import io.videomerge.testing.SampleJobs;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Crashes a PostgreSQL server of the test's own (SIGKILL of all its processes, no checkpoint, WAL buffers lost) while
 * workers create, claim, heartbeat and finish jobs through {@link JdbcJobStore}, starts it again (crash recovery) and
 * checks what the store promises: what create, complete and fail acknowledged survives, and a claim or heartbeat
 * that the crash undid (they commit without waiting for the disk) costs a run, never an outcome recorded twice or
 * by a worker that no longer holds the job.
 */
@DisplayName("JdbcJobStore on a PostgreSQL server that crashes")
class PostgresServerCrashTest {
    private static final Duration LEASE = Duration.ofMinutes(10);
    private static final Duration DEADLINE = Duration.ofSeconds(60);
    private static final int WORKERS = 6;
    /** A clock past every lease the test hands out. */
    private static final Clock LATER = Clock.offset(Clock.systemUTC(), LEASE.multipliedBy(2));

    private static PostgresCluster cluster;

    @BeforeAll
    static void startCluster() {
        // Nothing but a synchronous commit flushes the WAL during a test: no autovacuum, no timed checkpoint.
        cluster = PostgresCluster.create("autovacuum=off", "checkpoint_timeout=1h", "max_wal_size=1GB")
                .start();
    }

    @AfterAll
    static void removeCluster() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Test
    @DisplayName(
            "keeps every acknowledged create and outcome, and no job gets two outcomes, when it crashes under load")
    void acknowledgedWritesSurviveACrashUnderLoad() throws Exception {
        String prefix = "live_";
        Journal journal = new Journal();
        ensureTables(prefix);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            String owner = "worker-" + w;
            workers.add(start(owner, () -> {
                try (Connection connection = connect()) {
                    JobStore store = store(connection, prefix);
                    // Each worker adds a job and runs one, so the queue neither runs dry nor grows without bound.
                    for (int round = 0; ; round++) {
                        journal.create(store);
                        Optional<Job> claimed = store.claim(owner, LEASE);
                        if (claimed.isEmpty()) {
                            continue;
                        }
                        Lease lease = claimed.get().lease().orElseThrow();
                        journal.held.add(lease);
                        journal.expect(Renewal.RENEWED, store.renew(lease, LEASE, 0.3, "encoding"), lease);
                        journal.expect(Renewal.RENEWED, store.renew(lease, LEASE, 0.6, "encoding"), lease);
                        journal.finish(store, lease, round % 4 == 3);
                    }
                } catch (RuntimeException | SQLException e) {
                    // The crash: the worker stops, holding whatever it held.
                    journal.stoppedBy(owner, e);
                }
            }));
        }

        awaitCondition("workers acknowledged 200 outcomes", () -> journal.acknowledged.get() >= 200);
        journal.crashing = true;
        cluster.crash();
        for (Thread worker : workers) {
            worker.join(DEADLINE.toMillis());
            assertFalse(worker.isAlive(), worker.getName() + " stopped at the crash");
        }
        int acknowledgedBeforeCrash = journal.acknowledged.get();
        cluster.start();

        try (Connection connection = connect()) {
            JobStore store = store(connection, prefix);
            journal.checkAfterCrash(store);
            journal.finishAllLeftOver(store, store(connection, prefix, LATER));
            journal.checkEveryJobEndedOnce(store);
        }
        assertTrue(journal.anomalies.isEmpty(), String.join("\n", journal.anomalies));
        System.out.printf(
                "crash under load: %d jobs created (%d acknowledged), %d outcomes acknowledged before the crash,"
                        + " %d claims held at the crash, of which %d were lost%n",
                journal.jobs.size(),
                journal.created.size(),
                acknowledgedBeforeCrash,
                journal.heldAtCrash,
                journal.lost.size());
    }

    @Test
    @DisplayName("refuses the outcome of a worker whose claim the crash lost, and gives the job to a new claim once")
    void aClaimLostInTheCrashCannotRecordAnOutcome() throws Exception {
        String prefix = "tail_";
        Journal journal = new Journal();
        ensureTables(prefix);
        try (Connection connection = connect()) {
            JobStore store = store(connection, prefix);
            for (int i = 0; i < WORKERS * 3; i++) {
                journal.create(store);
            }
        }
        CyclicBarrier quiet = new CyclicBarrier(WORKERS + 1);
        CyclicBarrier hold = new CyclicBarrier(WORKERS + 1);
        CountDownLatch holding = new CountDownLatch(WORKERS);
        List<Thread> workers = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            String owner = "worker-" + w;
            workers.add(start(owner, () -> {
                try (Connection connection = connect()) {
                    JobStore store = store(connection, prefix);
                    Lease done = store.claim(owner, LEASE).orElseThrow().lease().orElseThrow();
                    journal.expect(Renewal.RENEWED, store.renew(done, LEASE, 0.5, "encoding"), done);
                    journal.finish(store, done, false);
                    // From here on no worker commits durably: the claims and heartbeats below are the last writes.
                    quiet.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                    hold.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
                    Lease lease =
                            store.claim(owner, LEASE).orElseThrow().lease().orElseThrow();
                    journal.held.add(lease);
                    journal.expect(Renewal.RENEWED, store.renew(lease, LEASE, 0.1, "encoding"), lease);
                    holding.countDown();
                    while (true) {
                        journal.expect(Renewal.RENEWED, store.renew(lease, LEASE, 0.2, "encoding"), lease);
                    }
                } catch (Exception e) {
                    // The crash: the worker stops, holding its lease.
                    journal.stoppedBy(owner, e);
                }
            }));
        }
        quiet.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        cluster.pauseWalWriter();
        hold.await(DEADLINE.toSeconds(), TimeUnit.SECONDS);
        assertTrue(holding.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "every worker holds a lease");
        journal.crashing = true;
        cluster.crash();
        for (Thread worker : workers) {
            worker.join(DEADLINE.toMillis());
            assertFalse(worker.isAlive(), worker.getName() + " stopped at the crash");
        }
        cluster.start();

        try (Connection connection = connect()) {
            JobStore store = store(connection, prefix);
            journal.checkAfterCrash(store);
            // Every claim came after the last synchronous commit, and the WAL writer was paused: none reached the disk.
            assertEquals(WORKERS, journal.lost.size(), "claims lost in the crash (they commit asynchronously)");
            journal.finishAllLeftOver(store, store(connection, prefix, LATER));
            journal.checkEveryJobEndedOnce(store);
        }
        assertTrue(journal.anomalies.isEmpty(), String.join("\n", journal.anomalies));
        System.out.printf(
                "crash after the last durable commit: %d claims held, %d lost; every stale lease refused%n",
                journal.heldAtCrash, journal.lost.size());
    }

    /** What the workers did and what the store answered, and the checks after the crash. */
    private static final class Journal {
        /** Every job whose create was sent, acknowledged or not. */
        final Set<TaskId> jobs = ConcurrentHashMap.newKeySet();
        /** The jobs whose create returned. */
        final Set<TaskId> created = ConcurrentHashMap.newKeySet();
        /** Every lease a claim returned; the finished ones are removed. */
        final Set<Lease> held = ConcurrentHashMap.newKeySet();
        /** Every complete or fail sent, with what the store answered. */
        final Queue<Outcome> outcomes = new ConcurrentLinkedQueue<>();

        final AtomicInteger acknowledged = new AtomicInteger();
        final Queue<String> anomalies = new ConcurrentLinkedQueue<>();
        final List<Lease> lost = new ArrayList<>();
        int heldAtCrash;
        volatile boolean crashing;

        /** A worker ended by {@code failure}: expected from the crash on, an anomaly before it. */
        void stoppedBy(String worker, Exception failure) {
            if (!crashing) {
                anomalies.add(worker + " failed before the crash: " + failure);
            }
        }

        void create(JobStore store) {
            NewJob job = SampleJobs.newJob();
            jobs.add(job.id());
            store.create(job);
            created.add(job.id());
        }

        void expect(Renewal expected, Renewal actual, Lease lease) {
            if (expected != actual) {
                anomalies.add("renew of " + lease + " answered " + actual + " before the crash");
            }
        }

        /** Completes (or fails for good) the job of {@code lease} with an outcome that names the lease. */
        void finish(JobStore store, Lease lease, boolean failIt) {
            Outcome outcome = new Outcome(lease, failIt);
            outcomes.add(outcome);
            boolean changed = failIt
                    ? store.fail(lease, outcome.error(), Optional.empty())
                    : store.complete(lease, outcome.result());
            outcome.answer = changed ? Answer.CHANGED : Answer.REFUSED;
            if (changed) {
                acknowledged.incrementAndGet();
            } else {
                anomalies.add(outcome + " was refused although its lease was current");
            }
            held.remove(lease);
        }

        /**
         * Right after the restart: every acknowledged create and outcome is there, and each lease held at the crash is
         * either still the job's (its claim survived), ended by its own unanswered outcome, or lost (the job is pending
         * again, its token below the lease's).
         */
        void checkAfterCrash(JobStore store) {
            for (TaskId id : created) {
                if (store.find(id).isEmpty()) {
                    anomalies.add("job " + id + " was created (acknowledged) but is gone after the crash");
                }
            }
            for (Outcome outcome : outcomes) {
                if (outcome.answer == Answer.CHANGED && !outcome.isRecordedIn(store.find(outcome.lease.taskId()))) {
                    anomalies.add(outcome + " was acknowledged but is not what the job shows after the crash");
                }
            }
            heldAtCrash = held.size();
            for (Lease lease : held) {
                Job job = store.find(lease.taskId()).orElseThrow();
                if (job.state() == JobState.PENDING) {
                    lost.add(lease);
                } else if (job.state() == JobState.PROCESSING) {
                    if (job.lease().orElseThrow().token() != lease.token()) {
                        anomalies.add(lease + " is held by another lease after the crash: " + job.lease());
                    }
                } else if (outcomes.stream()
                        .noneMatch(o -> o.lease.equals(lease) && o.isRecordedIn(Optional.of(job)))) {
                    anomalies.add(lease + "'s job ended after the crash without an outcome of its own: " + job);
                }
            }
        }

        /**
         * A worker that starts after the crash claims every job left; only then do the leases held at the crash try
         * to go on: those whose claim was lost must be refused everything, the others finish their jobs. Then the new
         * worker finishes its jobs, and, through {@code later} (a store whose clock is past every lease), requeues and
         * finishes those of claims that no worker heard back from.
         */
        void finishAllLeftOver(JobStore store, JobStore later) {
            List<Lease> fresh = new ArrayList<>();
            for (Optional<Job> claimed = store.claim("after-crash", LEASE);
                    claimed.isPresent();
                    claimed = store.claim("after-crash", LEASE)) {
                Lease lease = claimed.get().lease().orElseThrow();
                fresh.add(lease);
                if (lost.stream().anyMatch(l -> l.taskId().equals(lease.taskId()) && l.token() >= lease.token())) {
                    anomalies.add("the claim after the crash got " + lease + ", a token not above a lost claim's");
                }
            }
            for (Lease stale : lost) {
                if (store.renew(stale, LEASE, 0.9, "stale") != Renewal.LOST) {
                    anomalies.add("a heartbeat of " + stale + ", lost in the crash, was accepted");
                }
                Outcome outcome = new Outcome(stale, false);
                outcomes.add(outcome);
                outcome.answer = store.complete(stale, outcome.result()) ? Answer.CHANGED : Answer.REFUSED;
                if (outcome.answer == Answer.CHANGED) {
                    anomalies.add(outcome + ": its claim was lost in the crash, yet the store took its outcome");
                }
                if (store.fail(stale, new JobError(ErrorCode.DOWNLOAD_FAILED, "stale"), Optional.empty())
                        || store.release(stale)) {
                    anomalies.add("a fail or release of " + stale + ", lost in the crash, was accepted");
                }
            }
            for (Lease survived : new ArrayList<>(held)) {
                if (!lost.contains(survived)
                        && store.find(survived.taskId()).orElseThrow().state() == JobState.PROCESSING) {
                    finish(store, survived, false);
                }
            }
            for (Lease lease : fresh) {
                finish(store, lease, false);
            }
            // A claim the crash cut after it committed (and whose commit a later one made durable) left a lease that
            // no worker knows: as after a worker crash, it is requeued once it expires, and then runs again.
            later.requeueExpired();
            for (Optional<Job> claimed = later.claim("after-crash", LEASE);
                    claimed.isPresent();
                    claimed = later.claim("after-crash", LEASE)) {
                finish(later, claimed.get().lease().orElseThrow(), false);
            }
        }

        /** Every job that exists is final, with the outcome of one lease the store acknowledged or never answered. */
        void checkEveryJobEndedOnce(JobStore store) {
            Map<TaskId, List<Outcome>> byJob = new HashMap<>();
            outcomes.forEach(o -> byJob.computeIfAbsent(o.lease.taskId(), id -> new ArrayList<>())
                    .add(o));
            for (TaskId id : jobs) {
                Optional<Job> job = store.find(id);
                if (job.isEmpty()) {
                    continue; // its create was cut by the crash before it committed
                }
                List<Outcome> tried = byJob.getOrDefault(id, List.of());
                List<Outcome> recorded =
                        tried.stream().filter(o -> o.isRecordedIn(job)).toList();
                long acknowledgedOutcomes =
                        tried.stream().filter(o -> o.answer == Answer.CHANGED).count();
                if (!job.get().state().isFinal() || recorded.size() != 1) {
                    anomalies.add("job " + id + " did not end with exactly one of its outcomes: " + job.get());
                } else if (recorded.get(0).answer == Answer.REFUSED) {
                    anomalies.add("job " + id + " shows the outcome of " + recorded.get(0) + ", which was refused");
                } else if (acknowledgedOutcomes > 1
                        || (acknowledgedOutcomes == 1 && recorded.get(0).answer != Answer.CHANGED)) {
                    anomalies.add("job " + id + " had two outcomes acknowledged: " + tried);
                }
            }
        }
    }

    /**
     * A complete or fail of one lease, with an outcome that names the lease and the call (one lease may send two: one
     * that the crash cut before it committed, and one after the restart), and what the store answered.
     */
    private static final class Outcome {
        private static final AtomicInteger CALLS = new AtomicInteger();
        final Lease lease;
        final boolean failure;
        final int call = CALLS.incrementAndGet();
        volatile Answer answer = Answer.NONE;

        Outcome(Lease lease, boolean failure) {
            this.lease = lease;
            this.failure = failure;
        }

        String name() {
            return lease.taskId().value() + "/" + lease.owner() + "/" + lease.token() + "/" + call;
        }

        MergeResult result() {
            return new MergeResult(
                    URI.create("https://cdn.example.com/" + name() + ".mp4"), 10, Duration.ofMillis(1), 2, false);
        }

        JobError error() {
            return new JobError(ErrorCode.DOWNLOAD_FAILED, "failed by " + name());
        }

        boolean isRecordedIn(Optional<Job> job) {
            if (job.isEmpty()) {
                return false;
            }
            return failure
                    ? job.get().state() == JobState.FAILED
                            && job.get().error().map(error()::equals).orElse(false)
                    : job.get().state() == JobState.COMPLETED
                            && job.get()
                                    .result()
                                    .map(r -> r.mergedUrl().equals(result().mergedUrl()))
                                    .orElse(false);
        }

        @Override
        public String toString() {
            return (failure ? "fail of " : "complete of ") + name() + " (" + answer + ")";
        }
    }

    /** What the store answered to a complete or fail; NONE when the call was cut by the crash. */
    private enum Answer {
        NONE,
        CHANGED,
        REFUSED
    }

    private static Thread start(String name, Runnable work) {
        Thread thread = new Thread(work, name);
        thread.start();
        return thread;
    }

    private static Connection connect() throws SQLException {
        return DriverManager.getConnection(cluster.jdbcUrl());
    }

    /** A store on one connection of its own, as each worker would get one from a pool. */
    private static JobStore store(Connection connection, String prefix) {
        return store(connection, prefix, Clock.systemUTC());
    }

    private static JobStore store(Connection connection, String prefix, Clock clock) {
        return JdbcJobStore.builder(Jdbi.create(connection))
                .tablePrefix(prefix)
                .clock(clock)
                .build();
    }

    /** Creates the tables before the workers start, so that the crash never lands in the migration. */
    private static void ensureTables(String prefix) throws SQLException {
        try (Connection connection = connect()) {
            store(connection, prefix).countPending();
        }
    }

    private static void awaitCondition(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("gave up waiting until " + what);
            }
            // A short pause between polls; the condition, not the pause, is what the test waits on.
            LockSupport.parkNanos(Duration.ofMillis(5).toNanos());
        }
    }
}
