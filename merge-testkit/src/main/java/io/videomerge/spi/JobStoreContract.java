package io.videomerge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.videomerge.AspectRatio;
import io.videomerge.ErrorCode;
import io.videomerge.Fit;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Principal;
import io.videomerge.Quality;
import io.videomerge.TaskId;
import io.videomerge.Transition;
import io.videomerge.testing.MutableClock;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The rules of {@link JobStore}, as tests that every store must pass: a store module's test extends
 * this class and supplies a fresh, empty store driven by the given clock.
 *
 * <p>Time is driven by a {@link MutableClock} (millisecond-aligned, never sleeping). Races use real
 * threads released together by a barrier. Jobs are compared by value only, so a store shared by several
 * processes (a database, Redis) passes as well as one living in this JVM.
 */
public abstract class JobStoreContract {
    /** The lease time every claim and heartbeat of this suite asks for. */
    protected static final Duration LEASE = Duration.ofSeconds(30);

    private static final Duration STEP = Duration.ofSeconds(1);
    private static final Duration MILLI = Duration.ofMillis(1);
    private static final long RACE_TIMEOUT_SECONDS = 60;

    /** The clock the store under test was built with; tests move it. */
    protected MutableClock clock;
    /** The store under test, fresh and empty for each test. */
    protected JobStore store;

    /**
     * A fresh, empty store that takes every time from {@code clock}. Called once per test; the suite
     * closes the store after the test.
     */
    protected abstract JobStore newStore(Clock clock);

    @BeforeEach
    void openStore() {
        clock = new MutableClock();
        store = newStore(clock);
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers shared by the groups below

    private static MergeRequest request(int clips) {
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < clips; i++) {
            urls.add(URI.create("https://media.example.com/clips/" + i + ".mp4"));
        }
        return MergeRequest.of(urls);
    }

    private static NewJob newJob(Optional<String> key, int maxAttempts) {
        return new NewJob(TaskId.random(), request(2), key, maxAttempts);
    }

    private static NewJob newJob() {
        return newJob(Optional.empty(), 3);
    }

    private static NewJob newJob(String key) {
        return newJob(Optional.of(key), 3);
    }

    private static NewJob newJob(int maxAttempts) {
        return newJob(Optional.empty(), maxAttempts);
    }

    private static MergeResult result() {
        return new MergeResult(
                URI.create("https://cdn.example.com/merged/a-1.mp4"), 12.5, Duration.ofMillis(3456), 2, false);
    }

    private static JobError error(ErrorCode code) {
        return new JobError(code, "clip 2 could not be downloaded");
    }

    private Instant now() {
        return clock.instant();
    }

    private Job create() {
        return store.create(newJob());
    }

    private Job get(TaskId id) {
        return store.find(id).orElseThrow(() -> new AssertionError("job " + id + " is not in the store"));
    }

    private Job claim() {
        return store.claim("worker-a", LEASE).orElseThrow(() -> new AssertionError("no job was claimed"));
    }

    private static Lease lease(Job job) {
        return job.lease().orElseThrow(() -> new AssertionError("job " + job.id() + " has no lease"));
    }

    /** Creates one job, claims it and returns its lease. */
    private Lease createAndClaim(NewJob job) {
        TaskId id = store.create(job).id();
        Job claimed = claim();
        assertEquals(id, claimed.id(), "claimed a job other than the only one");
        return lease(claimed);
    }

    private Lease createAndClaim() {
        return createAndClaim(newJob());
    }

    /** Moves the clock past the lease of a job claimed or renewed just now. */
    private void expireLease() {
        clock.advance(LEASE.plus(MILLI));
    }

    private static List<TaskId> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    /**
     * Checks that a job that {@code giveBack} returns to the queue, its lease in hand, is claimed after an
     * older job that waits in the queue and before the jobs created after it, whether they were created
     * before or after it was claimed. Jobs are created {@code gap} apart (zero: all in one millisecond).
     */
    private void assertKeepsItsPlace(Duration gap, Consumer<Lease> giveBack) {
        TaskId older = create().id();
        clock.advance(gap);
        TaskId id = create().id();
        clock.advance(gap);
        TaskId younger = create().id();
        Lease olderLease = lease(claim());
        Lease lease = lease(claim());
        assertEquals(List.of(older, id), List.of(olderLease.taskId(), lease.taskId()));
        // The older job waits again, ready since its creation, as if it had never left the queue.
        assertTrue(store.fail(
                olderLease,
                error(ErrorCode.DOWNLOAD_FAILED),
                Optional.of(get(older).createdAt())));
        clock.advance(gap);
        TaskId youngest = create().id();

        giveBack.accept(lease);

        Job back = get(id);
        assertEquals(JobState.PENDING, back.state());
        assertEquals(back.createdAt(), back.notBefore(), "back at its place in the queue");
        List<TaskId> order = List.of(claim().id(), claim().id(), claim().id(), claim().id());
        assertEquals(List.of(older, id, younger, youngest), order);
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("create")
    class Create {

        @Test
        @DisplayName("a new job is pending at attempt 1, ready now, with no lease, progress, result or error")
        void newJobIsPending() {
            NewJob wanted = new NewJob(TaskId.random(), request(3), Optional.empty(), 4);
            Job created = store.create(wanted);

            assertEquals(wanted.id(), created.id());
            assertEquals(JobState.PENDING, created.state());
            assertEquals(wanted.request(), created.request());
            assertEquals(Optional.empty(), created.idempotencyKey());
            assertEquals(1, created.attempt());
            assertEquals(4, created.maxAttempts());
            assertEquals(now(), created.notBefore());
            assertEquals(Optional.empty(), created.lease());
            assertFalse(created.cancelRequested());
            assertEquals(0.0, created.progress());
            assertEquals(Optional.empty(), created.result());
            assertEquals(Optional.empty(), created.error());
            assertEquals(now(), created.createdAt());
            assertEquals(now(), created.updatedAt());
            assertEquals(Optional.empty(), created.finishedAt());
            assertEquals(created, get(created.id()), "find must show what create returned");
        }

        @Test
        @DisplayName("the request survives the store with every field")
        void requestRoundTrips() {
            List<URI> urls = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                urls.add(URI.create("https://media.example.com:8443/a%20b/clip-" + i + ".mp4?sig=x%2By&n=" + i));
            }
            MergeRequest fancy = new MergeRequest(
                    urls, Quality.P720, AspectRatio.PORTRAIT_9_16, Fit.CROP, Transition.fade(Duration.ofMillis(1250)));
            MergeRequest cut = new MergeRequest(
                    List.of(URI.create("http://a.example/1.mp4"), URI.create("http://b.example/2.webm")),
                    Quality.P2160,
                    AspectRatio.SQUARE_1_1,
                    Fit.PAD,
                    Transition.none());

            TaskId fancyId = store.create(new NewJob(TaskId.random(), fancy, Optional.of("key-1"), 7))
                    .id();
            TaskId cutId = store.create(new NewJob(TaskId.random(), cut, Optional.empty(), 1))
                    .id();

            assertEquals(fancy, get(fancyId).request());
            assertEquals(Optional.of("key-1"), get(fancyId).idempotencyKey());
            assertEquals(7, get(fancyId).maxAttempts());
            assertEquals(cut, get(cutId).request());
            assertEquals(1, get(cutId).maxAttempts());
        }

        @Test
        @DisplayName("a second create with the same idempotency key returns the first job and creates nothing")
        void sameKeyReturnsFirstJob() {
            Job first = store.create(newJob("order-42"));
            clock.advance(STEP);
            NewJob second = new NewJob(TaskId.random(), request(5), Optional.of("order-42"), 9);

            Job returned = store.create(second);

            assertEquals(first, returned, "the existing job, unchanged");
            assertEquals(Optional.empty(), store.find(second.id()), "no second job may exist");
            assertEquals(first, get(first.id()));
        }

        @Test
        @DisplayName("the idempotency key still returns the job after it finished")
        void keyHoldsAfterFinish() {
            Lease lease = createAndClaim(newJob("order-43"));
            assertTrue(store.complete(lease, result()));
            Job done = get(lease.taskId());

            Job returned = store.create(newJob("order-43"));

            assertEquals(done, returned);
            assertEquals(JobState.COMPLETED, returned.state());
        }

        @Test
        @DisplayName("different keys, or no key at all, make different jobs")
        void differentKeysMakeDifferentJobs() {
            Set<TaskId> ids = new HashSet<>();
            ids.add(store.create(newJob("k1")).id());
            ids.add(store.create(newJob("k2")).id());
            ids.add(store.create(newJob("K1")).id());
            ids.add(create().id());
            ids.add(create().id());

            assertEquals(5, ids.size());
            ids.forEach(id -> assertEquals(JobState.PENDING, get(id).state()));
        }

        @Test
        @DisplayName("keys of the longest allowed length and with any characters are kept exactly")
        void unusualKeysAreKeptExactly() {
            String longest = "k".repeat(NewJob.MAX_KEY_LENGTH);
            String odd = "clé/α β:*?[x]{y}\"'%_\\";
            Job a = store.create(newJob(longest));
            Job b = store.create(newJob(odd));
            Job c = store.create(newJob("*"));

            assertEquals(Optional.of(longest), get(a.id()).idempotencyKey());
            assertEquals(Optional.of(odd), get(b.id()).idempotencyKey());
            assertEquals(a.id(), store.create(newJob(longest)).id());
            assertEquals(b.id(), store.create(newJob(odd)).id());
            assertEquals(c.id(), store.create(newJob("*")).id());
            assertNotEquals(a.id(), b.id());
            assertNotEquals(b.id(), c.id());
        }
    }

    @Nested
    @DisplayName("find")
    class Find {

        @Test
        @DisplayName("an id that was never created is not found")
        void unknownIdIsNotFound() {
            create();
            assertEquals(Optional.empty(), store.find(TaskId.random()));
        }

        @Test
        @DisplayName("each job is found under its own id")
        void eachJobUnderItsOwnId() {
            Job a = create();
            clock.advance(STEP);
            Job b = store.create(new NewJob(TaskId.random(), request(4), Optional.empty(), 2));

            assertEquals(a, get(a.id()));
            assertEquals(b, get(b.id()));
            assertEquals(4, get(b.id()).request().videoUrls().size());
        }
    }

    @Nested
    @DisplayName("claim")
    class Claim {

        @Test
        @DisplayName("claiming from an empty store finds nothing")
        void emptyStoreHasNothingToClaim() {
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("a claim moves the job to processing under a lease for the owner until now plus the lease time")
        void claimGivesLease() {
            Job created = create();
            clock.advance(STEP);

            Job claimed = store.claim("worker-7", LEASE).orElseThrow();

            assertEquals(created.id(), claimed.id());
            assertEquals(JobState.PROCESSING, claimed.state());
            Lease lease = lease(claimed);
            assertEquals(created.id(), lease.taskId());
            assertEquals("worker-7", lease.owner());
            assertTrue(lease.token() > 0);
            assertEquals(now().plus(LEASE), lease.expiresAt());
            assertEquals(1, claimed.attempt(), "a claim does not spend an attempt");
            assertEquals(created.createdAt(), claimed.createdAt());
            assertEquals(now(), claimed.updatedAt());
            assertEquals(Optional.empty(), claimed.finishedAt());
            assertEquals(claimed, get(created.id()), "find must show what claim returned");
        }

        @Test
        @DisplayName("a claimed job is not claimed again")
        void claimedJobIsNotClaimedAgain() {
            create();
            claim();
            assertEquals(Optional.empty(), store.claim("worker-b", LEASE));
        }

        @Test
        @DisplayName("the oldest ready job is claimed first")
        void oldestFirst() {
            List<TaskId> created = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                created.add(create().id());
                clock.advance(STEP);
            }
            List<TaskId> claimed = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                claimed.add(claim().id());
            }
            assertEquals(created, claimed);
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("the earliest notBefore goes first, whatever the creation order")
        void earliestNotBeforeFirst() {
            Instant t0 = now();
            TaskId a = create().id();
            clock.advance(STEP);
            TaskId b = create().id();
            clock.advance(STEP);
            TaskId c = create().id();
            clock.advance(STEP);
            TaskId d = create().id();
            Lease leaseA = lease(claim());
            assertEquals(a, leaseA.taskId());
            // A comes back with a notBefore between B's and C's: it must go between them.
            assertTrue(store.fail(leaseA, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(t0.plusMillis(1500))));

            List<TaskId> order = List.of(claim().id(), claim().id(), claim().id(), claim().id());

            assertEquals(List.of(b, a, c, d), order);
        }

        @Test
        @DisplayName("a job whose notBefore is in the future is not claimed before that instant, and is claimed at it")
        void futureNotBeforeWaits() {
            Lease lease = createAndClaim();
            Instant retryAt = now().plusSeconds(10);
            assertTrue(store.fail(lease, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(retryAt)));

            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
            clock.set(retryAt.minus(MILLI));
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
            clock.set(retryAt);
            assertEquals(lease.taskId(), claim().id());
        }

        @Test
        @DisplayName("a ready job is claimed although an older one waits for its retry time")
        void readyJobPassesWaitingOne() {
            Lease first = createAndClaim();
            assertTrue(store.fail(first, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now().plusSeconds(60))));
            clock.advance(STEP);
            TaskId second = create().id();

            assertEquals(second, claim().id());
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("each claim of a job gets a token greater than every earlier one")
        void tokensGrow() {
            TaskId id = store.create(newJob(5)).id();
            List<Long> tokens = new ArrayList<>();

            Lease l1 = lease(claim());
            tokens.add(l1.token());
            assertTrue(store.release(l1));
            Lease l2 = lease(claim());
            tokens.add(l2.token());
            assertTrue(store.fail(l2, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now())));
            Lease l3 = lease(claim());
            tokens.add(l3.token());
            expireLease();
            assertEquals(1, store.requeueExpired());
            Lease l4 = lease(claim());
            tokens.add(l4.token());

            for (int i = 1; i < tokens.size(); i++) {
                assertTrue(tokens.get(i) > tokens.get(i - 1), "tokens must grow: " + tokens);
            }
            assertEquals(id, l4.taskId());
        }

        @Test
        @DisplayName("final jobs are never claimed")
        void finalJobsAreNotClaimed() {
            TaskId cancelled = create().id();
            assertTrue(store.cancel(cancelled));
            Lease done = createAndClaim();
            assertTrue(store.complete(done, result()));
            Lease failed = createAndClaim();
            assertTrue(store.fail(failed, error(ErrorCode.INVALID_MEDIA), Optional.empty()));
            clock.advance(Duration.ofDays(1));

            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }
    }

    @Nested
    @DisplayName("renew")
    class Renew {

        @Test
        @DisplayName("a heartbeat extends the lease to now plus the lease time and records progress and message")
        void heartbeatExtendsAndRecords() {
            Lease lease = createAndClaim();
            clock.advance(Duration.ofSeconds(10));

            assertEquals(Renewal.RENEWED, store.renew(lease, LEASE, 0.4, "encoding clip 1 of 2"));

            Job job = get(lease.taskId());
            assertEquals(JobState.PROCESSING, job.state());
            Lease renewed = lease(job);
            assertEquals(lease.token(), renewed.token());
            assertEquals(lease.owner(), renewed.owner());
            assertEquals(now().plus(LEASE), renewed.expiresAt());
            assertEquals(0.4, job.progress(), 1e-9);
            assertEquals("encoding clip 1 of 2", job.message());
            assertEquals(now(), job.updatedAt());
        }

        @Test
        @DisplayName("progress is never lowered, while the message follows the latest heartbeat")
        void progressNeverLowered() {
            Lease lease = createAndClaim();
            store.renew(lease, LEASE, 0.6, "encoding");
            assertEquals(Renewal.RENEWED, store.renew(lease, LEASE, 0.3, "uploading"));

            Job job = get(lease.taskId());
            assertEquals(0.6, job.progress(), 1e-9);
            assertEquals("uploading", job.message());
        }

        @Test
        @DisplayName("progress is clamped to 0..1 and NaN leaves it as it is")
        void progressClamped() {
            Lease lease = createAndClaim();
            assertEquals(Renewal.RENEWED, store.renew(lease, LEASE, -3, "starting"));
            assertEquals(0.0, get(lease.taskId()).progress());
            store.renew(lease, LEASE, 0.25, "a");
            assertEquals(Renewal.RENEWED, store.renew(lease, LEASE, Double.NaN, "b"));
            assertEquals(0.25, get(lease.taskId()).progress(), 1e-9);
            assertEquals(Renewal.RENEWED, store.renew(lease, LEASE, 7, "c"));
            assertEquals(1.0, get(lease.taskId()).progress());
        }

        @Test
        @DisplayName("the lease claimed at first keeps working however often its expiry moved")
        void claimedLeaseKeepsWorking() {
            Lease claimed = createAndClaim();
            for (int i = 1; i <= 3; i++) {
                clock.advance(Duration.ofSeconds(20));
                assertEquals(Renewal.RENEWED, store.renew(claimed, LEASE, i / 4.0, "beat " + i));
            }
            assertTrue(store.complete(claimed, result()));
        }

        @Test
        @DisplayName("a heartbeat after the lease expired still renews until the job is requeued")
        void lateHeartbeatRenewsBeforeRequeue() {
            Lease lease = createAndClaim();
            expireLease();

            assertEquals(Renewal.RENEWED, store.renew(lease, LEASE, 0.5, "late"));
            assertEquals(0, store.requeueExpired(), "the renewed lease is not expired any more");
            assertEquals(JobState.PROCESSING, get(lease.taskId()).state());
        }

        @Test
        @DisplayName("a job whose cancellation was requested answers CANCEL_REQUESTED and still extends the lease")
        void cancelRequestedIsReported() {
            Lease lease = createAndClaim();
            assertTrue(store.cancel(lease.taskId()));
            clock.advance(Duration.ofSeconds(10));

            assertEquals(Renewal.CANCEL_REQUESTED, store.renew(lease, LEASE, 0.5, "encoding"));

            Job job = get(lease.taskId());
            assertEquals(JobState.PROCESSING, job.state());
            assertEquals(now().plus(LEASE), lease(job).expiresAt());
            assertTrue(job.cancelRequested());
        }

        @Test
        @DisplayName("a stale lease's heartbeat is LOST and changes nothing")
        void staleHeartbeatIsLost() {
            Lease stale = createAndClaim();
            expireLease();
            assertEquals(1, store.requeueExpired());
            Lease current = lease(claim());
            Job before = get(stale.taskId());
            clock.advance(STEP);

            assertEquals(Renewal.LOST, store.renew(stale, LEASE, 0.9, "stale"));

            assertEquals(before, get(stale.taskId()));
            assertEquals(Renewal.RENEWED, store.renew(current, LEASE, 0.1, "current"));
        }

        @Test
        @DisplayName("a heartbeat for a pending, finished or unknown job is LOST and changes nothing")
        void heartbeatWithoutProcessingJobIsLost() {
            Lease completed = createAndClaim();
            assertTrue(store.complete(completed, result()));
            Job done = get(completed.taskId());
            Lease released = createAndClaim();
            assertTrue(store.release(released));
            Job pending = get(released.taskId());
            clock.advance(STEP);

            assertEquals(Renewal.LOST, store.renew(released, LEASE, 0.5, "x"));
            assertEquals(Renewal.LOST, store.renew(completed, LEASE, 0.5, "x"));
            assertEquals(Renewal.LOST, store.renew(new Lease(TaskId.random(), "worker-a", 1, now()), LEASE, 0.5, "x"));
            assertEquals(pending, get(released.taskId()));
            assertEquals(done, get(completed.taskId()));
        }
    }

    @Nested
    @DisplayName("complete")
    class Complete {

        @Test
        @DisplayName("completing records the result with every field, progress 1 and finishedAt, and drops the lease")
        void completeRecordsResult() {
            Lease lease = createAndClaim();
            store.renew(lease, LEASE, 0.5, "encoding");
            clock.advance(Duration.ofSeconds(7));
            MergeResult copied = new MergeResult(
                    URI.create("https://cdn.example.com/merged/%C3%A9-1.mp4?v=2"),
                    3601.375,
                    Duration.ofMillis(987_654),
                    10,
                    true);

            assertTrue(store.complete(lease, copied));

            Job job = get(lease.taskId());
            assertEquals(JobState.COMPLETED, job.state());
            assertEquals(Optional.of(copied), job.result());
            assertEquals(1.0, job.progress());
            assertEquals(Optional.empty(), job.lease());
            assertEquals(Optional.empty(), job.error());
            assertEquals(Optional.of(now()), job.finishedAt());
            assertEquals(now(), job.updatedAt());
            assertEquals(1, job.attempt());
        }

        @Test
        @DisplayName("a plain result survives the store as well")
        void plainResultRoundTrips() {
            Lease lease = createAndClaim();
            assertTrue(store.complete(lease, result()));
            assertEquals(Optional.of(result()), get(lease.taskId()).result());
        }

        @Test
        @DisplayName("a second completion is refused and changes nothing")
        void secondCompletionRefused() {
            Lease lease = createAndClaim();
            assertTrue(store.complete(lease, result()));
            Job done = get(lease.taskId());
            clock.advance(STEP);

            assertFalse(store.complete(
                    lease, new MergeResult(URI.create("https://x.example/b.mp4"), 1, Duration.ZERO, 2, false)));
            assertEquals(done, get(lease.taskId()));
        }

        @Test
        @DisplayName("a completion with a stale token is refused and changes nothing; the current holder completes")
        void staleCompletionRefused() {
            Lease stale = createAndClaim();
            expireLease();
            assertEquals(1, store.requeueExpired());
            Job pendingAgain = get(stale.taskId());

            assertFalse(store.complete(stale, result()), "the job is pending again");
            assertEquals(pendingAgain, get(stale.taskId()));

            Lease current = lease(claim());
            Job claimed = get(stale.taskId());
            assertFalse(store.complete(stale, result()), "another worker holds the job now");
            assertEquals(claimed, get(stale.taskId()));
            assertTrue(store.complete(current, result()));
            assertEquals(JobState.COMPLETED, get(stale.taskId()).state());
        }

        @Test
        @DisplayName("a completion after the lease expired but before any requeue succeeds")
        void lateCompletionBeforeRequeue() {
            Lease lease = createAndClaim();
            expireLease();

            assertTrue(store.complete(lease, result()));
            assertEquals(0, store.requeueExpired());
            assertEquals(JobState.COMPLETED, get(lease.taskId()).state());
        }

        @Test
        @DisplayName("a job whose cancellation was requested can still complete: the work is done")
        void completeDespiteCancelRequest() {
            Lease lease = createAndClaim();
            assertTrue(store.cancel(lease.taskId()));

            assertTrue(store.complete(lease, result()));
            assertEquals(JobState.COMPLETED, get(lease.taskId()).state());
        }

        @Test
        @DisplayName("completing a job with an unknown id is refused")
        void unknownJobRefused() {
            assertFalse(store.complete(new Lease(TaskId.random(), "worker-a", 1, now()), result()));
        }
    }

    @Nested
    @DisplayName("fail and retry")
    class FailAndRetry {

        @Test
        @DisplayName("a failure without a retry time ends the job FAILED with its error")
        void failWithoutRetryIsFinal() {
            Lease lease = createAndClaim();
            clock.advance(STEP);

            assertTrue(store.fail(lease, error(ErrorCode.INVALID_MEDIA), Optional.empty()));

            Job job = get(lease.taskId());
            assertEquals(JobState.FAILED, job.state());
            assertEquals(Optional.of(error(ErrorCode.INVALID_MEDIA)), job.error());
            assertEquals(Optional.empty(), job.lease());
            assertEquals(Optional.empty(), job.result());
            assertEquals(Optional.of(now()), job.finishedAt());
            assertEquals(now(), job.updatedAt());
            assertEquals(1, job.attempt());
        }

        @Test
        @DisplayName("a failure with the CANCELLED code ends the job CANCELLED")
        void cancelledCodeEndsCancelled() {
            Lease lease = createAndClaim();
            assertTrue(store.fail(lease, new JobError(ErrorCode.CANCELLED, "cancelled"), Optional.empty()));

            Job job = get(lease.taskId());
            assertEquals(JobState.CANCELLED, job.state());
            assertEquals(ErrorCode.CANCELLED, job.error().orElseThrow().code());
            assertEquals(Optional.of(now()), job.finishedAt());
        }

        @Test
        @DisplayName("a failure with a retry time sends the job back to pending with attempt + 1 and the error kept")
        void failWithRetryRequeues() {
            Lease lease = createAndClaim();
            store.renew(lease, LEASE, 0.7, "encoding");
            clock.advance(STEP);
            Instant retryAt = now().plusSeconds(4);

            assertTrue(store.fail(lease, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(retryAt)));

            Job job = get(lease.taskId());
            assertEquals(JobState.PENDING, job.state());
            assertEquals(2, job.attempt());
            assertEquals(retryAt, job.notBefore());
            assertEquals(Optional.empty(), job.lease());
            assertEquals(0.0, job.progress());
            assertEquals(Optional.of(error(ErrorCode.DOWNLOAD_FAILED)), job.error());
            assertEquals(Optional.empty(), job.finishedAt());
            assertEquals(now(), job.updatedAt());
        }

        @Test
        @DisplayName("the failure of the last attempt is final even when a retry is asked for")
        void lastAttemptIsFinal() {
            Lease first = createAndClaim(newJob(2));
            assertTrue(store.fail(first, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now())));
            Lease second = lease(claim());
            assertEquals(2, get(second.taskId()).attempt());

            assertTrue(store.fail(second, error(ErrorCode.DOWNLOAD_TIMEOUT), Optional.of(now())));

            Job job = get(second.taskId());
            assertEquals(JobState.FAILED, job.state());
            assertEquals(2, job.attempt());
            assertEquals(Optional.of(error(ErrorCode.DOWNLOAD_TIMEOUT)), job.error());
            assertEquals(Optional.of(now()), job.finishedAt());
        }

        @Test
        @DisplayName("a job allowed one attempt is never retried")
        void singleAttemptNeverRetried() {
            Lease lease = createAndClaim(newJob(1));
            assertTrue(store.fail(lease, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now())));
            assertEquals(JobState.FAILED, get(lease.taskId()).state());
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("the failure of a job whose cancellation was requested is final even when a retry is asked for")
        void cancelRequestedFailureIsFinal() {
            Lease lease = createAndClaim();
            assertTrue(store.cancel(lease.taskId()));

            assertTrue(store.fail(lease, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now())));

            Job job = get(lease.taskId());
            assertTrue(job.state().isFinal(), "state " + job.state());
            assertEquals(JobState.FAILED, job.state());
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("a failure with a stale token is refused and changes nothing, with or without a retry time")
        void staleFailureRefused() {
            Lease stale = createAndClaim();
            expireLease();
            assertEquals(1, store.requeueExpired());
            Lease current = lease(claim());
            Job before = get(stale.taskId());
            clock.advance(STEP);

            assertFalse(store.fail(stale, error(ErrorCode.PROCESSING_FAILED), Optional.empty()));
            assertFalse(store.fail(stale, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now())));
            assertEquals(before, get(stale.taskId()));
            assertTrue(store.fail(current, error(ErrorCode.PROCESSING_FAILED), Optional.empty()));
        }

        @Test
        @DisplayName("a failure of a finished job is refused and changes nothing")
        void failAfterFinishRefused() {
            Lease lease = createAndClaim();
            assertTrue(store.complete(lease, result()));
            Job done = get(lease.taskId());
            clock.advance(STEP);

            assertFalse(store.fail(lease, error(ErrorCode.PROCESSING_FAILED), Optional.empty()));
            assertFalse(store.fail(lease, error(ErrorCode.PROCESSING_FAILED), Optional.of(now())));
            assertEquals(done, get(lease.taskId()));
        }
    }

    @Nested
    @DisplayName("release")
    class Release {

        @Test
        @DisplayName("a released job is pending again at the same attempt, at its place in the queue, with no lease and"
                + " progress 0")
        void releasedJobIsPending() {
            Lease lease = createAndClaim();
            store.renew(lease, LEASE, 0.5, "encoding");
            clock.advance(STEP);

            assertTrue(store.release(lease));

            Job job = get(lease.taskId());
            assertEquals(JobState.PENDING, job.state());
            assertEquals(1, job.attempt());
            assertEquals(job.createdAt(), job.notBefore());
            assertTrue(job.createdAt().isBefore(now()));
            assertEquals(Optional.empty(), job.lease());
            assertEquals(0.0, job.progress());
            assertEquals(Optional.empty(), job.finishedAt());
            assertEquals(now(), job.updatedAt());
        }

        @Test
        @DisplayName("a released job can be claimed again at once, under a greater token")
        void releasedJobClaimedAgain() {
            Lease first = createAndClaim();
            assertTrue(store.release(first));

            Lease second = lease(store.claim("worker-b", LEASE).orElseThrow());

            assertEquals(first.taskId(), second.taskId());
            assertTrue(second.token() > first.token());
            assertEquals("worker-b", second.owner());
        }

        @Test
        @DisplayName("a released job is claimed after older waiting jobs and before every job created after it")
        void releasedJobKeepsItsPlace() {
            assertKeepsItsPlace(STEP, lease -> assertTrue(store.release(lease)));
        }

        @Test
        @DisplayName("a released job keeps its place among jobs created in the same millisecond")
        void releasedJobKeepsItsPlaceWithinOneMillisecond() {
            assertKeepsItsPlace(Duration.ZERO, lease -> assertTrue(store.release(lease)));
        }

        @Test
        @DisplayName("a released job whose cancellation was requested ends CANCELLED")
        void releaseAfterCancelRequestCancels() {
            Lease lease = createAndClaim();
            assertTrue(store.cancel(lease.taskId()));

            assertTrue(store.release(lease));

            Job job = get(lease.taskId());
            assertEquals(JobState.CANCELLED, job.state());
            assertEquals(ErrorCode.CANCELLED, job.error().orElseThrow().code());
            assertEquals(Optional.of(now()), job.finishedAt());
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("a stale or repeated release is refused and changes nothing")
        void staleReleaseRefused() {
            Lease first = createAndClaim();
            assertTrue(store.release(first));
            Job pending = get(first.taskId());
            assertFalse(store.release(first), "already released");
            assertEquals(pending, get(first.taskId()));

            Lease second = lease(claim());
            Job claimed = get(first.taskId());
            assertFalse(store.release(first), "stale token");
            assertEquals(claimed, get(first.taskId()));
            assertTrue(store.complete(second, result()));
            assertFalse(store.release(second), "already completed");
            assertEquals(JobState.COMPLETED, get(first.taskId()).state());
        }
    }

    @Nested
    @DisplayName("requeue expired")
    class RequeueExpired {

        @Test
        @DisplayName("a lease that has not expired is left alone")
        void liveLeaseLeftAlone() {
            Lease lease = createAndClaim();
            Job claimed = get(lease.taskId());
            clock.advance(LEASE.minus(MILLI));

            assertEquals(0, store.requeueExpired());
            assertEquals(claimed, get(lease.taskId()));
        }

        @Test
        @DisplayName(
                "an expired lease sends its job back to pending with attempt + 1, at its place in the queue, with no"
                        + " lease")
        void expiredLeaseRequeued() {
            Lease lease = createAndClaim();
            store.renew(lease, LEASE, 0.5, "encoding");
            expireLease();

            assertEquals(1, store.requeueExpired());

            Job job = get(lease.taskId());
            assertEquals(JobState.PENDING, job.state());
            assertEquals(2, job.attempt());
            assertEquals(job.createdAt(), job.notBefore());
            assertEquals(Optional.empty(), job.lease());
            assertEquals(0.0, job.progress());
            assertEquals(Optional.empty(), job.finishedAt());
            assertEquals(now(), job.updatedAt());
            Lease again = lease(claim());
            assertEquals(lease.taskId(), again.taskId());
            assertTrue(again.token() > lease.token());
        }

        @Test
        @DisplayName("a rescued job is claimed after older waiting jobs and before every job created after it")
        void rescuedJobKeepsItsPlace() {
            assertKeepsItsPlace(STEP, lease -> {
                expireLease();
                assertEquals(1, store.requeueExpired());
            });
        }

        @Test
        @DisplayName("a rescued job keeps its place among jobs created in the same millisecond")
        void rescuedJobKeepsItsPlaceWithinOneMillisecond() {
            assertKeepsItsPlace(Duration.ZERO, lease -> {
                expireLease();
                assertEquals(1, store.requeueExpired());
            });
        }

        @Test
        @DisplayName("a job whose attempts are spent fails for good with WORKER_LOST")
        void spentAttemptsFailWorkerLost() {
            Lease first = createAndClaim(newJob(2));
            expireLease();
            assertEquals(1, store.requeueExpired());
            Lease second = lease(claim());
            expireLease();

            assertEquals(1, store.requeueExpired());

            Job job = get(second.taskId());
            assertEquals(JobState.FAILED, job.state());
            assertEquals(ErrorCode.WORKER_LOST, job.error().orElseThrow().code());
            assertEquals(2, job.attempt());
            assertEquals(Optional.empty(), job.lease());
            assertEquals(Optional.of(now()), job.finishedAt());
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
            assertEquals(first.taskId(), second.taskId());
        }

        @Test
        @DisplayName("an expired job whose cancellation was requested ends CANCELLED")
        void cancelRequestedEndsCancelled() {
            Lease lease = createAndClaim();
            assertTrue(store.cancel(lease.taskId()));
            expireLease();

            assertEquals(1, store.requeueExpired());

            Job job = get(lease.taskId());
            assertEquals(JobState.CANCELLED, job.state());
            assertEquals(ErrorCode.CANCELLED, job.error().orElseThrow().code());
            assertEquals(Optional.of(now()), job.finishedAt());
        }

        @Test
        @DisplayName("a lease renewed meanwhile is not requeued")
        void renewedLeaseNotRequeued() {
            Lease lease = createAndClaim();
            clock.advance(Duration.ofSeconds(20));
            assertEquals(Renewal.RENEWED, store.renew(lease, LEASE, 0.2, "encoding"));
            clock.advance(Duration.ofSeconds(20));
            Job renewed = get(lease.taskId());

            assertEquals(0, store.requeueExpired(), "past the first expiry, but not the renewed one");
            assertEquals(renewed, get(lease.taskId()));
        }

        @Test
        @DisplayName("final and pending jobs are never touched")
        void finalAndPendingUntouched() {
            Lease completed = createAndClaim();
            assertTrue(store.complete(completed, result()));
            Lease failed = createAndClaim();
            assertTrue(store.fail(failed, error(ErrorCode.INVALID_MEDIA), Optional.empty()));
            TaskId cancelled = create().id();
            assertTrue(store.cancel(cancelled));
            TaskId pending = create().id();
            List<Job> before = List.of(get(completed.taskId()), get(failed.taskId()), get(cancelled), get(pending));
            clock.advance(Duration.ofDays(2));

            assertEquals(0, store.requeueExpired());

            assertEquals(before, List.of(get(completed.taskId()), get(failed.taskId()), get(cancelled), get(pending)));
        }

        @Test
        @DisplayName("the count covers every expired lease and only those")
        void countsEveryExpiredLease() {
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                create();
            }
            for (int i = 0; i < 4; i++) {
                leases.add(lease(claim()));
            }
            clock.advance(Duration.ofSeconds(20));
            store.renew(leases.get(3), LEASE, 0.1, "alive");
            clock.advance(Duration.ofSeconds(20));

            assertEquals(3, store.requeueExpired());
            assertEquals(0, store.requeueExpired(), "nothing is left to requeue");
            for (int i = 0; i < 3; i++) {
                assertEquals(JobState.PENDING, get(leases.get(i).taskId()).state());
            }
            assertEquals(JobState.PROCESSING, get(leases.get(3).taskId()).state());
        }
    }

    @Nested
    @DisplayName("cancel")
    class Cancel {

        @Test
        @DisplayName("cancelling a pending job ends it CANCELLED at once")
        void pendingJobCancelledAtOnce() {
            TaskId id = create().id();
            clock.advance(STEP);

            assertTrue(store.cancel(id));

            Job job = get(id);
            assertEquals(JobState.CANCELLED, job.state());
            assertEquals(ErrorCode.CANCELLED, job.error().orElseThrow().code());
            assertEquals(Optional.of(now()), job.finishedAt());
            assertEquals(now(), job.updatedAt());
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("cancelling a job waiting for its retry ends it CANCELLED at once")
        void retryingJobCancelledAtOnce() {
            Lease lease = createAndClaim();
            assertTrue(store.fail(lease, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now().plusSeconds(30))));

            assertTrue(store.cancel(lease.taskId()));

            Job job = get(lease.taskId());
            assertEquals(JobState.CANCELLED, job.state());
            assertEquals(ErrorCode.CANCELLED, job.error().orElseThrow().code());
            clock.advance(Duration.ofMinutes(1));
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE));
        }

        @Test
        @DisplayName("cancelling a processing job flags it and leaves it processing under its lease")
        void processingJobFlagged() {
            Lease lease = createAndClaim();

            assertTrue(store.cancel(lease.taskId()));
            assertTrue(store.cancel(lease.taskId()), "still running, so still true");

            Job job = get(lease.taskId());
            assertEquals(JobState.PROCESSING, job.state());
            assertTrue(job.cancelRequested());
            assertEquals(lease.token(), lease(job).token());
            assertEquals(Optional.empty(), job.finishedAt());
        }

        @Test
        @DisplayName("cancelling a finished job changes nothing and answers false")
        void finishedJobUntouched() {
            Lease completed = createAndClaim();
            assertTrue(store.complete(completed, result()));
            TaskId cancelled = create().id();
            assertTrue(store.cancel(cancelled));
            Job done = get(completed.taskId());
            Job gone = get(cancelled);
            clock.advance(STEP);

            assertFalse(store.cancel(completed.taskId()));
            assertFalse(store.cancel(cancelled));
            assertEquals(done, get(completed.taskId()));
            assertEquals(gone, get(cancelled));
        }

        @Test
        @DisplayName("cancelling an unknown id answers false")
        void unknownIdAnswersFalse() {
            assertFalse(store.cancel(TaskId.random()));
        }
    }

    @Nested
    @DisplayName("count pending")
    class CountPending {

        @Test
        @DisplayName("an empty store has no pending job")
        void emptyStoreHasNone() {
            assertEquals(0, store.countPending());
        }

        @Test
        @DisplayName("pending jobs count, also those waiting for a retry; processing and final jobs do not")
        void countsPendingOnly() {
            for (int i = 0; i < 3; i++) {
                create();
            }
            assertEquals(3, store.countPending());
            Lease retried = lease(claim());
            assertEquals(2, store.countPending(), "a processing job is not pending");
            assertTrue(store.fail(retried, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now().plusSeconds(60))));
            assertEquals(3, store.countPending(), "a job waiting for its retry is pending");

            assertTrue(store.complete(lease(claim()), result()));
            assertTrue(store.fail(lease(claim()), error(ErrorCode.INVALID_MEDIA), Optional.empty()));

            assertEquals(1, store.countPending(), "final jobs are not pending");
            assertEquals(Optional.empty(), store.claim("worker-a", LEASE), "the pending job is not ready yet");
        }

        @Test
        @DisplayName("the count follows claims, releases, requeues and cancellations")
        void followsEveryChange() {
            List<TaskId> created = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                created.add(create().id());
            }
            Lease first = lease(claim());
            lease(claim());
            assertEquals(1, store.countPending(), "after two claims");
            assertTrue(store.release(first));
            assertEquals(2, store.countPending(), "after a release");
            expireLease();
            assertEquals(1, store.requeueExpired());
            assertEquals(3, store.countPending(), "after a requeue");

            Lease third = lease(claim());
            assertEquals(2, store.countPending(), "after a claim");
            assertTrue(store.cancel(third.taskId()));
            assertEquals(2, store.countPending(), "a processing job flagged for cancellation is still not pending");
            assertTrue(store.release(third));
            assertEquals(2, store.countPending(), "released with cancellation requested, it ends cancelled");
            assertEquals(created.get(1), claim().id());
            assertTrue(store.cancel(created.get(2)));
            assertEquals(0, store.countPending(), "after cancelling the last pending job");
        }
    }

    @Nested
    @DisplayName("purge")
    class Purge {

        @Test
        @DisplayName("only final jobs finished before the cutoff are deleted")
        void onlyOldFinalJobsDeleted() {
            Lease completed = createAndClaim();
            assertTrue(store.complete(completed, result()));
            Instant completedAt = now();
            clock.advance(STEP);
            Lease failed = createAndClaim();
            assertTrue(store.fail(failed, error(ErrorCode.INVALID_MEDIA), Optional.empty()));
            Instant failedAt = now();
            clock.advance(STEP);
            TaskId cancelled = create().id();
            assertTrue(store.cancel(cancelled));
            Instant cancelledAt = now();
            Lease processing = createAndClaim();
            TaskId pending = create().id();
            clock.advance(Duration.ofDays(3));

            assertEquals(1, store.purgeFinished(failedAt, 100).size(), "finished at the cutoff is not before it");
            assertEquals(Optional.empty(), store.find(completed.taskId()));
            assertTrue(store.find(failed.taskId()).isPresent());
            assertTrue(completedAt.isBefore(failedAt));

            assertEquals(2, store.purgeFinished(cancelledAt.plus(MILLI), 100).size());
            assertEquals(Optional.empty(), store.find(failed.taskId()));
            assertEquals(Optional.empty(), store.find(cancelled));

            assertEquals(
                    0,
                    store.purgeFinished(now().plus(Duration.ofDays(365)), 100).size());
            assertEquals(JobState.PENDING, get(pending).state());
            assertEquals(JobState.PROCESSING, get(processing.taskId()).state());
        }

        @Test
        @DisplayName("at most limit jobs are purged, the oldest finished first")
        void oldestFinishedFirstUpToLimit() {
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                create();
                clock.advance(STEP);
            }
            for (int i = 0; i < 5; i++) {
                leases.add(lease(claim()));
            }
            // Finished in another order than created, so that the two orders are told apart.
            List<TaskId> finished = new ArrayList<>();
            for (int i : new int[] {3, 1, 4, 0, 2}) {
                assertTrue(store.complete(leases.get(i), result()));
                finished.add(leases.get(i).taskId());
                clock.advance(STEP);
            }
            Instant cutoff = now();

            assertEquals(finished.subList(0, 2), ids(store.purgeFinished(cutoff, 2)));
            assertTrue(store.find(finished.get(2)).isPresent(), "beyond the limit, left for the next call");
            assertEquals(finished.subList(2, 4), ids(store.purgeFinished(cutoff, 2)));
            assertEquals(finished.subList(4, 5), ids(store.purgeFinished(cutoff, 2)));
            assertEquals(List.of(), store.purgeFinished(cutoff, 2));
        }

        @Test
        @DisplayName("purged jobs are returned as they were, with their results and errors")
        void purgedJobsReturnedAsTheyWere() {
            Lease completed = createAndClaim(newJob("order-45"));
            assertTrue(store.complete(completed, result()));
            clock.advance(STEP);
            Lease failed = createAndClaim();
            assertTrue(store.fail(failed, error(ErrorCode.INVALID_MEDIA), Optional.empty()));
            clock.advance(STEP);
            TaskId cancelled = create().id();
            assertTrue(store.cancel(cancelled));
            clock.advance(STEP);
            List<Job> before = List.of(get(completed.taskId()), get(failed.taskId()), get(cancelled));

            List<Job> purged = store.purgeFinished(now(), 10);

            assertEquals(before, purged);
            assertEquals(Optional.of(result()), purged.get(0).result());
            assertEquals(Optional.of("order-45"), purged.get(0).idempotencyKey());
            assertEquals(
                    Optional.of(error(ErrorCode.INVALID_MEDIA)), purged.get(1).error());
            assertEquals(Optional.of(JobMessages.CANCELLED), purged.get(2).error());
            for (Job job : before) {
                assertEquals(Optional.empty(), store.find(job.id()));
            }
        }

        @Test
        @DisplayName("a limit below 1 is refused")
        void limitBelowOneRefused() {
            Lease lease = createAndClaim();
            assertTrue(store.complete(lease, result()));
            clock.advance(STEP);

            assertThrows(IllegalArgumentException.class, () -> store.purgeFinished(now(), 0));
            assertEquals(JobState.COMPLETED, get(lease.taskId()).state());
        }

        @Test
        @DisplayName("purging a job frees its idempotency key")
        void purgeFreesKey() {
            Lease lease = createAndClaim(newJob("order-44"));
            assertTrue(store.complete(lease, result()));
            clock.advance(Duration.ofDays(1));
            assertEquals(1, store.purgeFinished(now(), 100).size());

            NewJob again = newJob("order-44");
            Job created = store.create(again);

            assertEquals(again.id(), created.id());
            assertNotEquals(lease.taskId(), created.id());
            assertEquals(JobState.PENDING, created.state());
            assertEquals(Optional.empty(), store.find(lease.taskId()));
        }

        @Test
        @DisplayName("purging when nothing is old enough deletes nothing")
        void nothingToPurge() {
            Lease lease = createAndClaim();
            assertTrue(store.complete(lease, result()));

            assertEquals(0, store.purgeFinished(now().minus(STEP), 100).size());
            assertEquals(JobState.COMPLETED, get(lease.taskId()).state());
        }
    }

    @Nested
    @DisplayName("messages: every store records the words of JobMessages at each step")
    class Messages {

        @Test
        @DisplayName("create, claim, renew and complete record queued, processing, the worker's line and completed")
        void happyPath() {
            Job created = create();
            assertEquals(JobMessages.QUEUED, created.message());
            assertEquals(JobMessages.QUEUED, get(created.id()).message());
            Job claimed = claim();
            assertEquals(JobMessages.PROCESSING, claimed.message());
            assertEquals(JobMessages.PROCESSING, get(created.id()).message());
            assertEquals(Renewal.RENEWED, store.renew(lease(claimed), LEASE, 0.5, JobMessages.MERGING));
            assertEquals(JobMessages.MERGING, get(created.id()).message());
            assertTrue(store.complete(lease(claimed), result()));
            assertEquals(JobMessages.COMPLETED, get(created.id()).message());
        }

        @Test
        @DisplayName("a failure, retried or final, shows the error's message")
        void failureShowsError() {
            Lease retried = createAndClaim();
            JobError error = error(ErrorCode.DOWNLOAD_FAILED);
            assertTrue(store.fail(retried, error, Optional.of(now().plus(STEP))));
            assertEquals(error.message(), get(retried.taskId()).message());
            clock.advance(STEP);
            Lease last = lease(claim());
            assertTrue(store.fail(last, error, Optional.empty()));
            assertEquals(error.message(), get(retried.taskId()).message());
        }

        @Test
        @DisplayName("release shows released, and cancelled when cancellation was requested")
        void release() {
            Lease released = createAndClaim();
            assertTrue(store.release(released));
            assertEquals(JobMessages.RELEASED, get(released.taskId()).message());
            Lease cancelled = lease(claim());
            assertTrue(store.cancel(cancelled.taskId()));
            assertEquals(JobMessages.CANCELLING, get(cancelled.taskId()).message());
            assertTrue(store.release(cancelled));
            Job job = get(cancelled.taskId());
            assertEquals(JobMessages.CANCELLED.message(), job.message());
            assertEquals(Optional.of(JobMessages.CANCELLED), job.error());
        }

        @Test
        @DisplayName("a requeue shows requeued, then worker lost once attempts are spent")
        void requeue() {
            Lease first = createAndClaim(newJob(2));
            expireLease();
            assertEquals(1, store.requeueExpired());
            assertEquals(JobMessages.REQUEUED, get(first.taskId()).message());
            claim();
            expireLease();
            assertEquals(1, store.requeueExpired());
            Job lost = get(first.taskId());
            assertEquals(JobState.FAILED, lost.state());
            assertEquals(JobMessages.WORKER_LOST.message(), lost.message());
            assertEquals(Optional.of(JobMessages.WORKER_LOST), lost.error());
        }

        @Test
        @DisplayName("cancelling a pending job shows cancelled, with the cancelled error")
        void cancelPending() {
            TaskId id = create().id();
            assertTrue(store.cancel(id));
            Job job = get(id);
            assertEquals(JobMessages.CANCELLED.message(), job.message());
            assertEquals(Optional.of(JobMessages.CANCELLED), job.error());
        }

        @Test
        @DisplayName("an expired cancelled job shows cancelled")
        void requeueOfCancelled() {
            Lease lease = createAndClaim();
            assertTrue(store.cancel(lease.taskId()));
            expireLease();
            assertEquals(1, store.requeueExpired());
            Job job = get(lease.taskId());
            assertEquals(JobState.CANCELLED, job.state());
            assertEquals(JobMessages.CANCELLED.message(), job.message());
            assertEquals(Optional.of(JobMessages.CANCELLED), job.error());
        }
    }

    @Nested
    @DisplayName("principals and request fingerprints")
    class Principals {
        private final Principal alice = new Principal("key-a11ce0000000000");
        private final Principal bob = new Principal("key-b0b0000000000000");

        private NewJob newJobOf(Principal principal, String key, MergeRequest request) {
            return new NewJob(TaskId.random(), request, principal, Optional.of(key), 3);
        }

        @Test
        @DisplayName("a job keeps its principal and its request's fingerprint")
        void principalAndFingerprintRoundTrip() {
            NewJob wanted = newJobOf(alice, "order-1", request(3));
            Job created = store.create(wanted);
            Job anonymous = create();

            assertEquals(alice, created.principal());
            assertEquals(JobCodec.fingerprint(request(3)), created.fingerprint());
            assertEquals(created, get(created.id()));
            assertEquals(Principal.ANONYMOUS, get(anonymous.id()).principal());
            assertEquals(JobCodec.fingerprint(request(2)), get(anonymous.id()).fingerprint());
            assertNotEquals(created.fingerprint(), get(anonymous.id()).fingerprint());
        }

        @Test
        @DisplayName("one key spelled alike by two principals makes two jobs; each principal gets its own back")
        void keysArePerPrincipal() {
            Job ofAlice = store.create(newJobOf(alice, "order-7", request(2)));
            Job ofBob = store.create(newJobOf(bob, "order-7", request(2)));
            Job anonymous = store.create(newJob("order-7"));

            assertNotEquals(ofAlice.id(), ofBob.id());
            assertNotEquals(ofAlice.id(), anonymous.id());
            assertEquals(bob, get(ofBob.id()).principal());
            assertEquals(
                    ofAlice.id(),
                    store.create(newJobOf(alice, "order-7", request(2))).id());
            assertEquals(
                    ofBob.id(),
                    store.create(newJobOf(bob, "order-7", request(2))).id());
            assertEquals(anonymous.id(), store.create(newJob("order-7")).id());
        }

        @Test
        @DisplayName("principal and key are kept apart however they are spelled (a:b + c is not a + b:c)")
        void principalAndKeyDoNotRunTogether() {
            Job first = store.create(newJobOf(new Principal("a:b"), "c", request(2)));
            Job second = store.create(newJobOf(new Principal("a"), "b:c", request(2)));
            Job third = store.create(newJobOf(new Principal("a:1"), "c", request(2)));

            assertEquals(3, Set.of(first.id(), second.id(), third.id()).size());
        }

        @Test
        @DisplayName("the same key with another request returns the first job with its own fingerprint to compare")
        void sameKeyOtherRequestReturnsFirst() {
            Job first = store.create(newJobOf(alice, "order-8", request(2)));
            NewJob other = newJobOf(alice, "order-8", request(4));

            Job returned = store.create(other);

            assertEquals(first, returned);
            assertNotEquals(other.fingerprint(), returned.fingerprint(), "the caller sees the key was reused");
            assertEquals(Optional.empty(), store.find(other.id()));
        }

        @Test
        @DisplayName("purging one principal's job frees its key only: the other principal's job of that key stays")
        void purgeFreesOnlyItsOwnKey() {
            Job ofAlice = store.create(newJobOf(alice, "order-9", request(2)));
            Job ofBob = store.create(newJobOf(bob, "order-9", request(2)));
            assertEquals(ofAlice.id(), claim().id());
            assertTrue(store.complete(lease(get(ofAlice.id())), result()));
            clock.advance(STEP);

            assertEquals(List.of(ofAlice.id()), ids(store.purgeFinished(now(), 10)));

            Job again = store.create(newJobOf(alice, "order-9", request(2)));
            assertNotEquals(ofAlice.id(), again.id(), "alice's key was freed");
            assertEquals(
                    ofBob.id(),
                    store.create(newJobOf(bob, "order-9", request(2))).id(),
                    "bob's key holds");
        }
    }

    @Nested
    @DisplayName("webhook deliveries")
    class Deliveries {
        private static final URI CALLBACK = URI.create("https://hooks.example.com:8443/merge/done?sig=a%2Bb&n=1");

        private NewJob withCallback(int maxAttempts) {
            return new NewJob(TaskId.random(), request(2).withCallbackUrl(CALLBACK), Optional.empty(), maxAttempts);
        }

        private NewJob withCallback() {
            return withCallback(3);
        }

        private Delivery delivery(TaskId id) {
            return get(id).delivery().orElseThrow(() -> new AssertionError("job " + id + " has no delivery"));
        }

        private Job claimDelivery() {
            return store.claimDelivery(LEASE).orElseThrow(() -> new AssertionError("no delivery was claimed"));
        }

        private void assertNothingToDeliver() {
            assertEquals(Optional.empty(), store.claimDelivery(LEASE));
        }

        /** Checks that the job just ended with a due delivery, as it was created, and that it is claimed now. */
        private void assertBecameDue(TaskId id, JobState state) {
            Job job = get(id);
            assertEquals(state, job.state());
            Instant finishedAt = job.finishedAt().orElseThrow();
            assertEquals(new Delivery(Delivery.State.DUE, 1, 0, finishedAt), delivery(id));
            Job claimed = claimDelivery();
            assertEquals(id, claimed.id());
            assertEquals(state, claimed.state());
            assertNothingToDeliver();
        }

        /** Creates a job with a callback, completes it and claims its delivery. */
        private Job completedAndClaimed() {
            Lease lease = createAndClaim(withCallback());
            assertTrue(store.complete(lease, result()));
            return claimDelivery();
        }

        @Test
        @DisplayName("a job with a callback URL is created with a waiting delivery, a job without one with none")
        void createdWaiting() {
            Job created = store.create(withCallback());
            Job plain = create();

            assertEquals(Optional.of(Delivery.waitingSince(now())), created.delivery());
            assertEquals(new Delivery(Delivery.State.WAITING, 1, 0, created.createdAt()), delivery(created.id()));
            assertEquals(created, get(created.id()), "find must show what create returned");
            assertEquals(Optional.of(CALLBACK), get(created.id()).request().callbackUrl());
            assertEquals(Optional.empty(), plain.delivery());
            assertEquals(Optional.empty(), get(plain.id()).delivery());
            assertNothingToDeliver();
        }

        @Test
        @DisplayName("the callback URL is part of the stored request and of its fingerprint")
        void callbackUrlRoundTrips() {
            MergeRequest plain = request(2);
            Job with = store.create(new NewJob(TaskId.random(), plain.withCallbackUrl(CALLBACK), Optional.empty(), 3));
            Job without = store.create(new NewJob(TaskId.random(), plain, Optional.empty(), 3));

            assertEquals(plain.withCallbackUrl(CALLBACK), get(with.id()).request());
            assertEquals(plain, get(without.id()).request());
            assertEquals(
                    JobCodec.fingerprint(plain.withCallbackUrl(CALLBACK)),
                    get(with.id()).fingerprint());
            assertNotEquals(get(with.id()).fingerprint(), get(without.id()).fingerprint());
        }

        @Test
        @DisplayName("a delivery waits while its job is pending, processing, retried, requeued or released")
        void waitsUntilTheJobIsFinal() {
            TaskId id = store.create(withCallback(4)).id();
            assertNothingToDeliver();
            Lease first = lease(claim());
            assertNothingToDeliver();
            assertTrue(store.fail(first, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now())));
            assertNothingToDeliver();
            claim();
            expireLease();
            assertEquals(1, store.requeueExpired());
            assertNothingToDeliver();
            Lease third = lease(claim());
            assertTrue(store.release(third));
            assertNothingToDeliver();

            assertEquals(JobState.PENDING, get(id).state());
            assertEquals(3, get(id).attempt());
            assertEquals(Delivery.waitingSince(get(id).createdAt()), delivery(id));
        }

        @Test
        @DisplayName("completing the job makes its delivery due at the finish time")
        void dueAfterComplete() {
            Lease lease = createAndClaim(withCallback());
            clock.advance(STEP);
            assertTrue(store.complete(lease, result()));
            assertBecameDue(lease.taskId(), JobState.COMPLETED);
        }

        @Test
        @DisplayName("failing the job for good makes its delivery due")
        void dueAfterFinalFailure() {
            Lease lease = createAndClaim(withCallback());
            clock.advance(STEP);
            assertTrue(store.fail(lease, error(ErrorCode.INVALID_MEDIA), Optional.empty()));
            assertBecameDue(lease.taskId(), JobState.FAILED);
        }

        @Test
        @DisplayName("failing the last attempt with a retry time makes its delivery due")
        void dueAfterLastAttemptFails() {
            Lease lease = createAndClaim(withCallback(1));
            clock.advance(STEP);
            assertTrue(store.fail(lease, error(ErrorCode.DOWNLOAD_FAILED), Optional.of(now())));
            assertBecameDue(lease.taskId(), JobState.FAILED);
        }

        @Test
        @DisplayName("cancelling a pending job makes its delivery due")
        void dueAfterCancelOfPendingJob() {
            TaskId id = store.create(withCallback()).id();
            clock.advance(STEP);
            assertTrue(store.cancel(id));
            assertBecameDue(id, JobState.CANCELLED);
        }

        @Test
        @DisplayName("releasing a job whose cancellation was requested makes its delivery due")
        void dueAfterReleaseOfCancelledJob() {
            Lease lease = createAndClaim(withCallback());
            assertTrue(store.cancel(lease.taskId()));
            assertNothingToDeliver();
            clock.advance(STEP);
            assertTrue(store.release(lease));
            assertBecameDue(lease.taskId(), JobState.CANCELLED);
        }

        @Test
        @DisplayName("a requeue that fails the job with WORKER_LOST makes its delivery due")
        void dueAfterWorkerLost() {
            Lease lease = createAndClaim(withCallback(1));
            expireLease();
            assertEquals(1, store.requeueExpired());
            assertBecameDue(lease.taskId(), JobState.FAILED);
        }

        @Test
        @DisplayName("a requeue that ends a job whose cancellation was requested makes its delivery due")
        void dueAfterRequeueOfCancelledJob() {
            Lease lease = createAndClaim(withCallback());
            assertTrue(store.cancel(lease.taskId()));
            expireLease();
            assertEquals(1, store.requeueExpired());
            assertBecameDue(lease.taskId(), JobState.CANCELLED);
        }

        @Test
        @DisplayName("a job without a callback URL has nothing to deliver in any final state")
        void noCallbackNothingToDeliver() {
            Lease completed = createAndClaim();
            assertTrue(store.complete(completed, result()));
            Lease failed = createAndClaim();
            assertTrue(store.fail(failed, error(ErrorCode.INVALID_MEDIA), Optional.empty()));
            TaskId cancelled = create().id();
            assertTrue(store.cancel(cancelled));

            assertNothingToDeliver();
            for (TaskId id : List.of(completed.taskId(), failed.taskId(), cancelled)) {
                assertEquals(Optional.empty(), get(id).delivery());
            }
        }

        @Test
        @DisplayName(
                "a claim leases the delivery until now plus the lease time with a new token, changing nothing else")
        void claimLeasesTheDelivery() {
            Lease lease = createAndClaim(withCallback());
            assertTrue(store.complete(lease, result()));
            Job before = get(lease.taskId());
            clock.advance(STEP);

            Job claimed = claimDelivery();

            assertEquals(lease.taskId(), claimed.id());
            Delivery d = claimed.delivery().orElseThrow();
            assertEquals(Delivery.State.DUE, d.state());
            assertEquals(1, d.attempt(), "a claim does not spend an attempt");
            assertTrue(d.token() > 0, "token " + d.token());
            assertEquals(now().plus(LEASE), d.notBefore());
            assertEquals(
                    before, claimed.withDelivery(before.delivery()), "the job itself, updatedAt too, is unchanged");
            assertEquals(claimed, get(lease.taskId()), "find must show what the claim returned");
        }

        @Test
        @DisplayName("a claimed delivery is claimed again only once its lease ended, with a greater token")
        void lapsedLeaseIsClaimedAgain() {
            Job first = completedAndClaimed();
            long firstToken = first.delivery().orElseThrow().token();
            assertNothingToDeliver();
            clock.advance(LEASE.minus(MILLI));
            assertNothingToDeliver();
            clock.advance(MILLI);

            Job again = claimDelivery();

            assertEquals(first.id(), again.id());
            long secondToken = again.delivery().orElseThrow().token();
            assertTrue(secondToken > firstToken, secondToken + " after " + firstToken);
            assertEquals(1, again.delivery().orElseThrow().attempt());
            assertFalse(store.deliveryDone(first.id(), firstToken), "the first claim's token is stale");
            assertFalse(store.retryDelivery(first.id(), firstToken, now()), "the first claim's token is stale");
            assertEquals(again, get(first.id()));
            assertTrue(store.deliveryDone(first.id(), secondToken));
        }

        @Test
        @DisplayName("due deliveries are claimed earliest first, whatever order their jobs were created in")
        void earliestDueFirst() {
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                store.create(withCallback());
                clock.advance(STEP);
            }
            for (int i = 0; i < 3; i++) {
                leases.add(lease(claim()));
            }
            List<TaskId> finished = new ArrayList<>();
            for (int i : new int[] {2, 0, 1}) {
                assertTrue(store.complete(leases.get(i), result()));
                finished.add(leases.get(i).taskId());
                clock.advance(STEP);
            }

            assertEquals(
                    finished,
                    List.of(
                            claimDelivery().id(),
                            claimDelivery().id(),
                            claimDelivery().id()));
            assertNothingToDeliver();
        }

        @Test
        @DisplayName("a retried delivery has its attempt raised and waits for its time, keeping its token")
        void retryWaitsForItsTime() {
            Job claimed = completedAndClaimed();
            Job before = get(claimed.id());
            long token = claimed.delivery().orElseThrow().token();
            Instant at = now().plus(Duration.ofSeconds(10));

            assertTrue(store.retryDelivery(claimed.id(), token, at));

            assertEquals(new Delivery(Delivery.State.DUE, 2, token, at), delivery(claimed.id()));
            assertEquals(before, get(claimed.id()).withDelivery(before.delivery()), "the job itself is unchanged");
            clock.advance(Duration.ofSeconds(10).minus(MILLI));
            assertNothingToDeliver();
            clock.advance(MILLI);
            Job again = claimDelivery();
            assertEquals(claimed.id(), again.id());
            assertEquals(2, again.delivery().orElseThrow().attempt());
            assertTrue(again.delivery().orElseThrow().token() > token);
        }

        @Test
        @DisplayName("a retry time in the past makes the delivery claimable at once, before later ones")
        void retryInThePastGoesFirst() {
            Job early = completedAndClaimed();
            clock.advance(STEP);
            Lease other = createAndClaim(withCallback());
            assertTrue(store.complete(other, result()));
            clock.advance(STEP);
            assertTrue(store.retryDelivery(
                    early.id(), early.delivery().orElseThrow().token(), now().minus(Duration.ofHours(1))));

            assertEquals(early.id(), claimDelivery().id());
            assertEquals(other.taskId(), claimDelivery().id());
        }

        @Test
        @DisplayName("a delivery done is never claimed again, and no later call changes it")
        void doneIsFinal() {
            Job claimed = completedAndClaimed();
            Delivery d = claimed.delivery().orElseThrow();

            assertTrue(store.deliveryDone(claimed.id(), d.token()));

            assertEquals(new Delivery(Delivery.State.DONE, 1, d.token(), d.notBefore()), delivery(claimed.id()));
            clock.advance(Duration.ofDays(2));
            assertNothingToDeliver();
            assertFalse(store.deliveryDone(claimed.id(), d.token()));
            assertFalse(store.retryDelivery(claimed.id(), d.token(), now()));
            assertEquals(Delivery.State.DONE, delivery(claimed.id()).state());
        }

        @Test
        @DisplayName("done and retry answer false for an unknown job, a job without delivery, a waiting delivery or a"
                + " wrong token")
        void wrongCallsChangeNothing() {
            Lease plain = createAndClaim();
            assertTrue(store.complete(plain, result()));
            Job claimed = completedAndClaimed();
            long token = claimed.delivery().orElseThrow().token();
            TaskId waiting = store.create(withCallback()).id();

            assertFalse(store.deliveryDone(TaskId.random(), 1));
            assertFalse(store.retryDelivery(TaskId.random(), 1, now()));
            assertFalse(store.deliveryDone(plain.taskId(), 0));
            assertFalse(store.retryDelivery(plain.taskId(), 1, now()));
            assertFalse(store.deliveryDone(waiting, 0));
            assertFalse(store.retryDelivery(waiting, 0, now()));
            assertFalse(store.deliveryDone(claimed.id(), token + 1));
            assertFalse(store.retryDelivery(claimed.id(), token - 1, now()));

            assertEquals(Optional.empty(), get(plain.taskId()).delivery());
            assertEquals(Delivery.State.WAITING, delivery(waiting).state());
            assertEquals(claimed, get(claimed.id()));
        }

        @Test
        @DisplayName("purging a job takes its delivery with it, due or done")
        void purgeTakesTheDelivery() {
            Job done = completedAndClaimed();
            assertTrue(
                    store.deliveryDone(done.id(), done.delivery().orElseThrow().token()));
            Lease due = createAndClaim(withCallback());
            assertTrue(store.complete(due, result()));
            clock.advance(STEP);
            Job dueBefore = get(due.taskId());

            List<Job> purged = store.purgeFinished(now(), 10);

            assertEquals(Set.of(done.id(), due.taskId()), Set.copyOf(ids(purged)));
            assertTrue(purged.contains(dueBefore), "returned as it was, with its due delivery");
            clock.advance(Duration.ofDays(2));
            assertNothingToDeliver();
            assertFalse(store.deliveryDone(due.taskId(), 0));
        }
    }

    @Nested
    @DisplayName("concurrency")
    class Concurrency {
        private static final int THREADS = 8;
        private static final int ROUNDS = 40;
        private static final int JOBS_PER_ROUND = 25;

        /** Creates and claims {@code count} jobs, oldest first, and returns their leases. */
        private List<Lease> claimMany(int count) {
            List<TaskId> ids = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                ids.add(create().id());
            }
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                leases.add(lease(claim()));
            }
            assertEquals(
                    Set.copyOf(ids),
                    Set.copyOf(leases.stream().map(Lease::taskId).toList()));
            return leases;
        }

        /** The list started at an offset: threads given the same offset collide on every element, others overtake. */
        private static <T> List<T> rotated(List<T> list, int offset) {
            List<T> copy = new ArrayList<>(list);
            java.util.Collections.rotate(copy, offset * 3);
            return copy;
        }

        @Test
        @DisplayName("N threads claiming M jobs claim each job exactly once")
        void eachJobClaimedOnce() throws Exception {
            int jobs = 200;
            Set<TaskId> created = new HashSet<>();
            for (int i = 0; i < jobs; i++) {
                created.add(create().id());
            }
            Set<TaskId> claimed = ConcurrentHashMap.newKeySet();
            List<TaskId> duplicates = new ArrayList<>();

            List<List<TaskId>> perThread = runTogether(THREADS, n -> {
                List<TaskId> mine = new ArrayList<>();
                Optional<Job> job;
                while ((job = store.claim("worker-" + n, LEASE)).isPresent()) {
                    mine.add(job.get().id());
                }
                return mine;
            });

            perThread.forEach(list -> list.forEach(id -> {
                if (!claimed.add(id)) {
                    duplicates.add(id);
                }
            }));
            assertEquals(List.of(), duplicates, "jobs claimed twice");
            assertEquals(created, claimed);
            for (TaskId id : created) {
                assertEquals(JobState.PROCESSING, get(id).state());
            }
        }

        @Test
        @DisplayName("N threads claiming M due deliveries claim each exactly once")
        void eachDeliveryClaimedOnce() throws Exception {
            int jobs = 120;
            Set<TaskId> due = new HashSet<>();
            for (int i = 0; i < jobs; i++) {
                store.create(new NewJob(
                        TaskId.random(),
                        request(2).withCallbackUrl(URI.create("https://hooks.example.com/" + i)),
                        Optional.empty(),
                        3));
            }
            for (int i = 0; i < jobs; i++) {
                Lease lease = lease(claim());
                assertTrue(store.complete(lease, result()));
                due.add(lease.taskId());
            }

            List<List<TaskId>> perThread = runTogether(THREADS, n -> {
                List<TaskId> mine = new ArrayList<>();
                Optional<Job> job;
                while ((job = store.claimDelivery(LEASE)).isPresent()) {
                    mine.add(job.get().id());
                }
                return mine;
            });

            List<TaskId> all = new ArrayList<>();
            perThread.forEach(all::addAll);
            assertEquals(all.size(), Set.copyOf(all).size(), "a delivery was claimed twice");
            assertEquals(due, Set.copyOf(all));
        }

        @Test
        @DisplayName("deliveries ended with stale tokens racing new claims of their lapsed leases: one wins each")
        void doneRacingReclaim() throws Exception {
            int jobs = 60;
            Map<TaskId, Long> firstTokens = new ConcurrentHashMap<>();
            for (int i = 0; i < jobs; i++) {
                store.create(new NewJob(
                        TaskId.random(),
                        request(2).withCallbackUrl(URI.create("https://hooks.example.com/" + i)),
                        Optional.empty(),
                        3));
            }
            for (int i = 0; i < jobs; i++) {
                assertTrue(store.complete(lease(claim()), result()));
            }
            for (int i = 0; i < jobs; i++) {
                Job claimed = store.claimDelivery(LEASE).orElseThrow();
                firstTokens.put(claimed.id(), claimed.delivery().orElseThrow().token());
            }
            expireLease();
            List<TaskId> ids = new ArrayList<>(firstTokens.keySet());
            Set<TaskId> done = ConcurrentHashMap.newKeySet();
            Set<TaskId> reclaimed = ConcurrentHashMap.newKeySet();

            runTogether(THREADS, n -> {
                if (n % 2 == 0) {
                    for (TaskId id : rotated(ids, n)) {
                        if (store.deliveryDone(id, firstTokens.get(id))) {
                            assertTrue(done.add(id), "ended twice: " + id);
                        }
                    }
                } else {
                    Optional<Job> job;
                    while ((job = store.claimDelivery(LEASE)).isPresent()) {
                        assertTrue(
                                reclaimed.add(job.get().id()),
                                "claimed twice: " + job.get().id());
                    }
                }
                return null;
            });

            for (TaskId id : ids) {
                Delivery d = get(id).delivery().orElseThrow();
                if (done.contains(id)) {
                    assertFalse(reclaimed.contains(id), "done with the stale token, then claimed: " + id);
                    assertEquals(Delivery.State.DONE, d.state());
                } else {
                    assertTrue(reclaimed.contains(id), "neither done nor claimed again: " + id);
                    assertEquals(Delivery.State.DUE, d.state());
                    assertTrue(d.token() > firstTokens.get(id));
                }
            }
        }

        @Test
        @DisplayName("concurrent creates with one idempotency key make one job")
        void concurrentCreatesMakeOneJob() throws Exception {
            int keys = 100;
            // Every thread creates a job for each key, all in the same order, so they collide on each key.
            List<List<NewJob>> wanted = keyedJobs(keys, n -> Principal.ANONYMOUS);

            List<List<TaskId>> returned = createTogether(wanted);

            for (int k = 0; k < keys; k++) {
                Set<TaskId> ids = new HashSet<>();
                int stored = 0;
                for (int n = 0; n < THREADS; n++) {
                    ids.add(returned.get(n).get(k));
                    stored += store.find(wanted.get(n).get(k).id()).isPresent() ? 1 : 0;
                }
                assertEquals(1, ids.size(), "every create with key race-" + k + " must return the same job: " + ids);
                assertEquals(1, stored, "exactly one job may exist for key race-" + k);
            }
        }

        /**
         * For each of {@link #THREADS} threads, one job per key {@code race-0} to {@code race-<keys - 1>}, in the same
         * order, under the principal {@code owner} gives that thread: the threads collide on every key.
         */
        private List<List<NewJob>> keyedJobs(int keys, IntFunction<Principal> owner) {
            List<List<NewJob>> wanted = new ArrayList<>();
            for (int n = 0; n < THREADS; n++) {
                List<NewJob> mine = new ArrayList<>();
                for (int k = 0; k < keys; k++) {
                    mine.add(new NewJob(TaskId.random(), request(2), owner.apply(n), Optional.of("race-" + k), 3));
                }
                wanted.add(mine);
            }
            return wanted;
        }

        /** Each thread creates its list of jobs at once with the others; the ids each create returned. */
        private List<List<TaskId>> createTogether(List<List<NewJob>> wanted) throws Exception {
            return runTogether(wanted.size(), n -> {
                List<TaskId> ids = new ArrayList<>();
                for (NewJob job : wanted.get(n)) {
                    ids.add(store.create(job).id());
                }
                return ids;
            });
        }

        @Test
        @DisplayName("concurrent creates with one key by two principals make one job for each principal")
        void concurrentCreatesOfTwoPrincipals() throws Exception {
            int keys = 50;
            List<Principal> principals = List.of(new Principal("key-one"), new Principal("key-two"));
            List<List<TaskId>> returned = createTogether(keyedJobs(keys, n -> principals.get(n % 2)));

            for (int k = 0; k < keys; k++) {
                for (int p = 0; p < 2; p++) {
                    Set<TaskId> ids = new HashSet<>();
                    for (int n = p; n < THREADS; n += 2) {
                        ids.add(returned.get(n).get(k));
                    }
                    assertEquals(1, ids.size(), principals.get(p) + " got one job for race-" + k + ": " + ids);
                    assertEquals(principals.get(p), get(ids.iterator().next()).principal());
                }
                assertNotEquals(returned.get(0).get(k), returned.get(1).get(k), "two principals, two jobs");
            }
            assertEquals(2L * keys, store.countPending());
        }

        @Test
        @DisplayName("completions racing the requeue of their expired leases leave exactly one outcome per job")
        void completionsRacingRequeue() throws Exception {
            for (int round = 0; round < ROUNDS / 4; round++) {
                List<Lease> leases = claimMany(JOBS_PER_ROUND);
                expireLease();
                Map<TaskId, Integer> completions = new ConcurrentHashMap<>();

                // Six threads complete every lease (each job may be completed once at most), two requeue.
                List<Integer> requeued = runTogether(THREADS, n -> {
                    if (n >= THREADS - 2) {
                        return store.requeueExpired() + store.requeueExpired();
                    }
                    for (Lease lease : rotated(leases, n / 2)) {
                        if (store.complete(lease, result())) {
                            completions.merge(lease.taskId(), 1, Integer::sum);
                        }
                    }
                    return 0;
                });

                int totalRequeued =
                        requeued.stream().mapToInt(Integer::intValue).sum();
                int pending = 0;
                for (Lease lease : leases) {
                    Job job = get(lease.taskId());
                    int completed = completions.getOrDefault(lease.taskId(), 0);
                    assertTrue(completed <= 1, "completed " + completed + " times: " + lease.taskId());
                    if (completed == 1) {
                        assertEquals(JobState.COMPLETED, job.state());
                    } else {
                        assertEquals(JobState.PENDING, job.state(), "neither completed nor requeued");
                        assertEquals(2, job.attempt());
                        pending++;
                        // Leave nothing claimable for the next round.
                        assertTrue(store.cancel(job.id()));
                    }
                }
                assertEquals(pending, totalRequeued, "requeued jobs that completed, or counted some twice");
            }
        }

        @Test
        @DisplayName(
                "heartbeats racing the requeue of their expired leases either keep each lease or lose it, never both")
        void heartbeatsRacingRequeue() throws Exception {
            for (int round = 0; round < ROUNDS / 4; round++) {
                List<Lease> leases = claimMany(JOBS_PER_ROUND);
                expireLease();
                Map<TaskId, Integer> renewed = new ConcurrentHashMap<>();

                List<Integer> requeued = runTogether(THREADS, n -> {
                    if (n >= THREADS - 2) {
                        return store.requeueExpired() + store.requeueExpired();
                    }
                    for (Lease lease : rotated(leases, n / 2)) {
                        if (store.renew(lease, LEASE, 0.5, "beat") == Renewal.RENEWED) {
                            renewed.merge(lease.taskId(), 1, Integer::sum);
                        }
                    }
                    return 0;
                });

                int totalRequeued =
                        requeued.stream().mapToInt(Integer::intValue).sum();
                int pending = 0;
                for (Lease lease : leases) {
                    Job job = get(lease.taskId());
                    if (renewed.containsKey(lease.taskId())) {
                        assertEquals(JobState.PROCESSING, job.state(), "a renewed lease was requeued");
                        assertTrue(store.complete(lease, result()));
                    } else {
                        assertEquals(JobState.PENDING, job.state(), "neither renewed nor requeued");
                        pending++;
                        assertTrue(store.cancel(job.id()));
                    }
                }
                assertEquals(pending, totalRequeued);
            }
        }

        @Test
        @DisplayName("completions and failures racing under the same leases let exactly one through per job")
        void completionsRacingFailures() throws Exception {
            for (int round = 0; round < ROUNDS / 4; round++) {
                List<Lease> leases = claimMany(JOBS_PER_ROUND);
                Map<TaskId, List<String>> winners = new ConcurrentHashMap<>();

                runTogether(THREADS, n -> {
                    for (Lease lease : rotated(leases, n / 2)) {
                        boolean won = n % 2 == 0
                                ? store.complete(lease, result())
                                : store.fail(lease, error(ErrorCode.PROCESSING_FAILED), Optional.empty());
                        if (won) {
                            winners.computeIfAbsent(lease.taskId(), k -> new CopyOnWriteArrayList<>())
                                    .add(n % 2 == 0 ? "complete" : "fail");
                        }
                    }
                    return null;
                });

                for (Lease lease : leases) {
                    List<String> won = winners.getOrDefault(lease.taskId(), List.of());
                    assertEquals(1, won.size(), "exactly one call may succeed for " + lease.taskId() + ": " + won);
                    Job job = get(lease.taskId());
                    assertEquals(won.get(0).equals("complete") ? JobState.COMPLETED : JobState.FAILED, job.state());
                    assertEquals(won.get(0).equals("complete"), job.result().isPresent());
                    assertEquals(won.get(0).equals("fail"), job.error().isPresent());
                }
            }
        }

        @Test
        @DisplayName("concurrent purges return each eligible job once, and all of them together")
        void concurrentPurgesShareTheJobs() throws Exception {
            int jobs = 120;
            int limit = 7;
            Set<TaskId> eligible = new HashSet<>();
            for (Lease lease : claimMany(jobs)) {
                assertTrue(store.complete(lease, result()));
                eligible.add(lease.taskId());
            }
            clock.advance(STEP);
            Instant cutoff = now();
            Lease atCutoff = createAndClaim();
            assertTrue(store.complete(atCutoff, result()));
            TaskId pending = create().id();

            List<List<TaskId>> perThread = runTogether(THREADS, n -> {
                List<TaskId> mine = new ArrayList<>();
                List<Job> batch;
                while (!(batch = store.purgeFinished(cutoff, limit)).isEmpty()) {
                    assertTrue(batch.size() <= limit, "a purge returned " + batch.size() + " jobs");
                    mine.addAll(ids(batch));
                }
                return mine;
            });

            List<TaskId> all = new ArrayList<>();
            perThread.forEach(all::addAll);
            assertEquals(all.size(), Set.copyOf(all).size(), "a job was returned by two purges");
            assertEquals(eligible, Set.copyOf(all));
            for (TaskId id : eligible) {
                assertEquals(Optional.empty(), store.find(id));
            }
            assertEquals(JobState.COMPLETED, get(atCutoff.taskId()).state());
            assertEquals(JobState.PENDING, get(pending).state());
        }

        @Test
        @DisplayName("a cancel racing a claim leaves the job either cancelled or claimed with cancellation requested")
        void cancelRacingClaim() throws Exception {
            for (int round = 0; round < ROUNDS; round++) {
                TaskId id = create().id();

                Race<Boolean, Optional<Job>> race = race(() -> store.cancel(id), () -> store.claim("worker-a", LEASE));

                assertTrue(race.first(), "the job was not final, so cancel answers true");
                Job job = get(id);
                if (race.second().isPresent()) {
                    assertEquals(JobState.PROCESSING, job.state());
                    assertTrue(job.cancelRequested());
                    assertEquals(
                            Renewal.CANCEL_REQUESTED,
                            store.renew(lease(race.second().get()), LEASE, 0, "x"));
                    assertTrue(store.release(lease(race.second().get())));
                } else {
                    assertEquals(JobState.CANCELLED, job.state());
                }
                assertEquals(JobState.CANCELLED, get(id).state());
            }
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Racing threads

    /** What two racing calls answered. */
    private record Race<A, B>(A first, B second) {}

    /** A call made by thread number {@code n} of a race. */
    @FunctionalInterface
    private interface Racer<T> {
        T run(int n) throws Exception;
    }

    /** Runs {@code a} and {@code b} on two threads released together. */
    @SuppressWarnings("unchecked")
    private <A, B> Race<A, B> race(Callable<A> a, Callable<B> b) throws Exception {
        List<Object> answers = runTogether(2, n -> n == 0 ? a.call() : b.call());
        return new Race<>((A) answers.get(0), (B) answers.get(1));
    }

    /** Runs {@code threads} copies of {@code racer} on as many threads, released together by a barrier. */
    private static <T> List<T> runTogether(int threads, Racer<T> racer) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<T>> futures = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                int n = i;
                futures.add(pool.submit(() -> {
                    start.await();
                    return racer.run(n);
                }));
            }
            List<T> answers = new ArrayList<>();
            for (Future<T> f : futures) {
                // A guard against a deadlocked store, not a speed requirement.
                answers.add(f.get(RACE_TIMEOUT_SECONDS, TimeUnit.SECONDS));
            }
            return answers;
        } catch (java.util.concurrent.TimeoutException e) {
            return fail("a racing store call did not return within " + RACE_TIMEOUT_SECONDS + " s (deadlock?)");
        } finally {
            pool.shutdownNow();
        }
    }
}
