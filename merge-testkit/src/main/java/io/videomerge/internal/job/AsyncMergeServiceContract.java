package io.videomerge.internal.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import io.videomerge.InvalidRequestException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Principal;
import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.TaskStatus.Status;
import io.videomerge.internal.job.ScriptedRunner.Run;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.JobState;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.NewJob;
import io.videomerge.testing.MutableClock;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * The asynchronous side of the service over a real store: the worker's claims, heartbeats, retries,
 * cancellation, lease loss, store outages, janitor, shutdown, and waits for a final status. Merges are played by a
 * {@link ScriptedRunner} whose runs end when the test says; store time is a {@link MutableClock}.
 *
 * <p>A store module runs it by supplying a fresh store, as for {@link io.videomerge.spi.JobStoreContract}.
 */
public abstract class AsyncMergeServiceContract {
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final Duration WAIT = Duration.ofSeconds(ScriptedRunner.WAIT_SECONDS);
    private static final Duration FAST = Duration.ofMillis(20);

    private MutableClock clock;
    private FlakyJobStore store;
    private ScriptedRunner runner;
    private final List<AsyncMergeService> started = new ArrayList<>();

    /** A fresh, empty store that takes every time from {@code clock}; the suite closes it. */
    protected abstract JobStore newStore(Clock clock);

    @BeforeEach
    void openStore() {
        clock = new MutableClock();
        store = new FlakyJobStore(newStore(clock));
        runner = new ScriptedRunner();
    }

    @AfterEach
    void closeAll() {
        store.down(false);
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        store.close();
    }

    // ---------------------------------------------------------------------------------------------

    /** One service instance's settings, fast by default; a test changes what it needs, then starts it. */
    private final class Setup {
        int merges = 1;
        int fetches = 1;
        int fetchedQueue = 0;
        long maxPendingJobs = 0;
        Duration leaseTime = LEASE;
        Duration heartbeat = FAST;
        int maxAttempts = 3;
        RetryBackoff backoff = new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0);
        Duration retention = Duration.ofHours(24);
        Duration janitor = FAST;
        Duration poll = FAST;
        Duration grace = Duration.ZERO;
        JobEvents observer = JobEvents.NONE;

        AsyncMergeService start() {
            JobSettings settings = new JobSettings(
                    store,
                    merges,
                    fetches,
                    fetchedQueue,
                    maxPendingJobs,
                    leaseTime,
                    heartbeat,
                    maxAttempts,
                    backoff,
                    retention,
                    janitor,
                    poll,
                    grace,
                    "instance-" + started.size(),
                    clock);
            AsyncMergeService merges = new AsyncMergeService(
                    settings, runner, AsyncMergeServiceContract::validate, Optional.empty(), observer);
            started.add(merges);
            return merges;
        }
    }

    private Setup setup() {
        return new Setup();
    }

    private static void validate(MergeRequest request) {
        if (request.videoUrls().size() < 2) {
            throw new InvalidRequestException("video_urls must list at least 2 URLs");
        }
    }

    private static MergeRequest request() {
        return MergeRequest.of(
                List.of(URI.create("https://media.example.com/a.mp4"), URI.create("https://media.example.com/b.mp4")));
    }

    private static MergeException transientFailure() {
        return new FetchException(ErrorCode.DOWNLOAD_FAILED, "clip 1 answered HTTP 503", 0, true, null);
    }

    private Job job(TaskId id) {
        return store.find(id).orElseThrow(() -> new AssertionError("task " + id + " is not in the store"));
    }

    private static TaskStatus awaitFinal(AsyncMergeService merges, TaskId id) throws InterruptedException {
        TaskStatus status = merges.await(Optional.empty(), id, WAIT);
        assertTrue(status.status().isFinal(), "task " + id + " is still " + status.status() + " after " + WAIT);
        return status;
    }

    private long count(List<TaskId> ids, JobState state) {
        return ids.stream().filter(id -> job(id).state() == state).count();
    }

    /** The outcome of {@code wait}, which must come within {@link #WAIT}. */
    private static TaskStatus outcome(CompletableFuture<TaskStatus> wait) throws Exception {
        return wait.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Waits until {@code condition} holds, failing after {@link #WAIT}. */
    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + WAIT + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    // ---------------------------------------------------------------------------------------------

    @Nested
    @DisplayName("running jobs")
    class Running {

        @Test
        @DisplayName(
                "a submitted job is pending or processing, reports rising progress, then completes with its result")
        void jobCompletesWithProgress() throws Exception {
            AsyncMergeService merges = setup().start();

            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            assertTrue(Set.of(Status.PENDING, Status.PROCESSING)
                    .contains(merges.status(Optional.empty(), id).status()));
            Run run = runner.next();
            assertEquals(id, run.id);
            eventually("processing", () -> merges.status(Optional.empty(), id).status() == Status.PROCESSING);
            run.progress(0.3);
            eventually(
                    "progress 0.3 reported",
                    () -> merges.status(Optional.empty(), id).progress() >= 0.3);
            run.progress(0.7);
            eventually(
                    "progress 0.7 reported",
                    () -> merges.status(Optional.empty(), id).progress() >= 0.7);
            assertEquals(Status.PROCESSING, merges.status(Optional.empty(), id).status());
            run.succeed();

            TaskStatus done = awaitFinal(merges, id);
            assertEquals(Status.COMPLETED, done.status());
            assertEquals(1.0, done.progress());
            assertEquals(Optional.empty(), done.reason());
            assertEquals(ScriptedRunner.resultFor(id), merges.result(Optional.empty(), id));
            assertEquals(1, job(id).attempt());
        }

        @Test
        @DisplayName(
                "no more than the configured number of merges run at once; one more job is fetched, the rest wait pending")
        void boundedPool() throws Exception {
            Setup setup = setup();
            setup.merges = 2;
            AsyncMergeService merges = setup.start();
            List<TaskId> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(merges.submit(Principal.ANONYMOUS, request(), Optional.empty()));
            }

            List<Run> runs = new ArrayList<>(List.of(runner.next(), runner.next()));

            assertEquals(2, runner.active());
            // Two merging, and one fetched that keeps its fetch slot (no waiting room) until a merge slot frees.
            eventually("a third job is fetched", () -> count(ids, JobState.PROCESSING) == 3);
            assertEquals(2, count(ids, JobState.PENDING), "a job is claimed only with a free fetch slot");
            for (int i = 0; i < 5; i++) {
                runs.get(i).succeed();
                if (i + 2 < 5) {
                    runs.add(runner.next());
                }
            }
            for (TaskId id : ids) {
                assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
            }
            assertEquals(2, runner.mostActive());
        }

        @Test
        @DisplayName("an idle worker starts a job submitted to its own instance at once, not at its next poll")
        void localSubmitWakesIdleWorker() throws Exception {
            Setup setup = setup();
            // The first idle wait is a 64th of this: almost a minute, far beyond the wait for the run below.
            setup.poll = Duration.ofHours(1);
            AsyncMergeService merges = setup.start();
            eventually("the worker looked for work once", () -> store.claims() >= 1);

            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            assertEquals(id, runner.next().id);
        }
    }

    @Nested
    @DisplayName("failures and retries")
    class Failures {

        @Test
        @DisplayName("a permanent failure fails the job at once with its code and message, without a retry")
        void permanentFailureIsFinal() throws Exception {
            AsyncMergeService merges = setup().start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            runner.next().fail(new FetchException(ErrorCode.DOWNLOAD_FAILED, "clip 1 answered HTTP 404", 0));

            TaskStatus status = awaitFinal(merges, id);
            assertEquals(Status.FAILED, status.status());
            assertEquals(Optional.of(ErrorCode.DOWNLOAD_FAILED), status.reason());
            assertEquals("clip 1 answered HTTP 404", status.message());
            assertEquals(1, job(id).attempt());
            MergeException e = assertThrows(MergeException.class, () -> merges.result(Optional.empty(), id));
            assertEquals(ErrorCode.DOWNLOAD_FAILED, e.code());
        }

        @Test
        @DisplayName("a transient failure is retried after the backoff, and the job completes on its third attempt")
        void transientFailureRetried() throws Exception {
            AsyncMergeService merges = setup().start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            for (int attempt = 1; attempt <= 2; attempt++) {
                Run run = runner.next();
                assertEquals(id, run.id);
                run.fail(transientFailure());
                int next = attempt + 1;
                eventually(
                        "pending for attempt " + next,
                        () -> job(id).state() == JobState.PENDING && job(id).attempt() == next);
                assertEquals(clock.instant().plusSeconds(1), job(id).notBefore(), "retry after the backoff");
                TaskStatus waiting = merges.status(Optional.empty(), id);
                assertEquals(Status.PENDING, waiting.status());
                assertEquals(Optional.empty(), waiting.reason(), "not failed while a retry is due");
                clock.advance(Duration.ofSeconds(1));
            }
            runner.next().succeed();

            assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
            assertEquals(3, job(id).attempt());
        }

        @Test
        @DisplayName("a transient failure of the last attempt fails the job for good")
        void transientFailureOfLastAttemptIsFinal() throws Exception {
            Setup setup = setup();
            setup.maxAttempts = 2;
            AsyncMergeService merges = setup.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            runner.next().fail(transientFailure());
            eventually("pending for attempt 2", () -> job(id).attempt() == 2);
            clock.advance(Duration.ofSeconds(1));
            runner.next().fail(transientFailure());

            TaskStatus status = awaitFinal(merges, id);
            assertEquals(Status.FAILED, status.status());
            assertEquals(Optional.of(ErrorCode.DOWNLOAD_FAILED), status.reason());
            assertEquals(2, job(id).attempt());
        }

        @Test
        @DisplayName("an unexpected exception fails the job with PROCESSING_FAILED and a message free of internals")
        void unexpectedExceptionIsProcessingFailed() throws Exception {
            AsyncMergeService merges = setup().start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            runner.next().fail(new IllegalStateException("boom in /tmp/videomerge/job-1/clip-0.bin"));

            TaskStatus status = awaitFinal(merges, id);
            assertEquals(Optional.of(ErrorCode.PROCESSING_FAILED), status.reason());
            assertFalse(status.message().contains("IllegalState"), status.message());
            assertFalse(status.message().contains("/tmp"), status.message());
            assertEquals(1, job(id).attempt());
        }

        @Test
        @DisplayName("an Error in a merge fails only that attempt, and the merge thread lives on to run the retry")
        void errorFailsAttemptThreadLivesOn() throws Exception {
            AsyncMergeService merges = setup().start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            runner.next().crash(new StackOverflowError());

            eventually("pending for attempt 2", () -> job(id).state() == JobState.PENDING && job(id).attempt() == 2);
            assertEquals(
                    ErrorCode.PROCESSING_FAILED, job(id).error().orElseThrow().code());
            clock.advance(Duration.ofSeconds(1));
            runner.next().succeed();
            assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
        }
    }

    @Nested
    @DisplayName("cancellation and lease loss")
    class Cancellation {

        @Test
        @DisplayName("cancelling a job running in this instance interrupts it at once and ends it CANCELLED")
        void localCancelInterruptsAtOnce() throws Exception {
            Setup setup = setup();
            // No heartbeat before the test ends: the cancel itself must reach the running merge.
            setup.leaseTime = Duration.ofHours(2);
            setup.heartbeat = Duration.ofHours(1);
            AsyncMergeService merges = setup.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run run = runner.next();

            assertTrue(merges.cancel(Optional.empty(), id));

            assertTrue(run.awaitEnd(), "the merge must be interrupted");
            TaskStatus status = awaitFinal(merges, id);
            assertEquals(Status.FAILED, status.status());
            assertEquals(Optional.of(ErrorCode.CANCELLED), status.reason());
            assertEquals(JobState.CANCELLED, job(id).state());
            assertFalse(merges.cancel(Optional.empty(), id), "a finished task cannot be cancelled");
        }

        @Test
        @DisplayName("a cancel through another instance reaches the running merge at its next heartbeat")
        void remoteCancelReachesMerge() throws Exception {
            AsyncMergeService worker = setup().start();
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService api = apiOnly.start();
            TaskId id = api.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run run = runner.next();

            assertTrue(api.cancel(Optional.empty(), id));

            assertTrue(run.awaitEnd(), "the merge must be interrupted");
            assertEquals(Optional.of(ErrorCode.CANCELLED), awaitFinal(api, id).reason());
            assertEquals(
                    Optional.of(ErrorCode.CANCELLED),
                    worker.status(Optional.empty(), id).reason());
        }

        @Test
        @DisplayName("cancelling a pending job ends it at once, and it never runs")
        void pendingJobCancelled() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            assertTrue(merges.cancel(Optional.empty(), id));

            TaskStatus status = merges.status(Optional.empty(), id);
            assertEquals(Status.FAILED, status.status());
            assertEquals(Optional.of(ErrorCode.CANCELLED), status.reason());
            assertEquals(Optional.empty(), store.claim("probe", LEASE));
        }

        @Test
        @DisplayName(
                "a worker that lost its lease stops its merge and discards the output; the new holder's result counts")
        void lostLeaseDiscardsOutput() throws Exception {
            runner.ignoreInterrupts();
            AsyncMergeService merges = setup().start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run first = runner.next();

            // The store takes the job back as though this worker had vanished.
            while (job(id).attempt() < 2) {
                clock.advance(LEASE.plusMillis(1));
                store.requeueExpired();
            }
            eventually("the merge is interrupted", first::wasInterrupted);
            first.succeed(new MergeResult(
                    URI.create("https://cdn.example.com/merged/stale.mp4"), 1, Duration.ZERO, 2, false));
            Run second = runner.next();
            assertEquals(id, second.id);
            assertEquals(JobState.PROCESSING, job(id).state());
            assertEquals(Optional.empty(), job(id).result(), "the stale output must not be recorded");
            second.succeed();

            assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
            assertEquals(ScriptedRunner.resultFor(id), merges.result(Optional.empty(), id));
            assertEquals(2, job(id).attempt());
        }
    }

    @Nested
    @DisplayName("fetch and merge stages")
    class Stages {

        @Test
        @DisplayName("a slow download holds a fetch slot, not the merge slot: a later job merges meanwhile")
        void slowFetchDoesNotHoldMergeSlot() throws Exception {
            runner.holdFetches();
            Setup setup = setup();
            setup.fetches = 2;
            AsyncMergeService merges = setup.start();
            TaskId slow = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            ScriptedRunner.Fetch slowFetch = runner.nextFetch();
            TaskId quick = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            ScriptedRunner.Fetch quickFetch = runner.nextFetch();
            assertEquals(slow, slowFetch.id);
            assertEquals(quick, quickFetch.id);

            quickFetch.pass();
            Run quickRun = runner.next();
            assertEquals(quick, quickRun.id);
            quickRun.succeed();
            assertEquals(Status.COMPLETED, awaitFinal(merges, quick).status());
            assertEquals(
                    Status.PROCESSING,
                    merges.status(Optional.empty(), slow).status(),
                    "the slow job is still downloading");

            slowFetch.pass();
            Run slowRun = runner.next();
            assertEquals(slow, slowRun.id);
            slowRun.succeed();
            assertEquals(Status.COMPLETED, awaitFinal(merges, slow).status());
            assertEquals(2, runner.closedFetches(), "every fetched job's files are removed");
        }

        @Test
        @DisplayName("fetched jobs wait for a merge slot in a bounded room, their leases renewed while they wait")
        void fetchedJobsWaitInBoundedRoom() throws Exception {
            Setup setup = setup();
            setup.fetchedQueue = 1;
            AsyncMergeService merges = setup.start();
            List<TaskId> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(merges.submit(Principal.ANONYMOUS, request(), Optional.empty()));
            }
            Run first = runner.next();

            // One merging, one in the waiting room, one fetched holding its fetch slot until the room has space.
            eventually("three jobs held", () -> count(ids, JobState.PROCESSING) == 3);
            assertEquals(2, count(ids, JobState.PENDING));
            eventually(
                    "a heartbeat tells a waiting job's status",
                    () -> ids.stream().anyMatch(id -> JobMessages.WAITING.equals(job(id).message())));

            first.succeed();
            for (int i = 1; i < 5; i++) {
                runner.next().succeed();
            }
            for (TaskId id : ids) {
                assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
            }
            assertEquals(1, runner.mostActive(), "one merge slot");
        }

        @Test
        @DisplayName("a failed download ends its attempt like a failed merge, and frees its fetch slot")
        void failedFetchFreesSlot() throws Exception {
            runner.holdFetches();
            AsyncMergeService merges = setup().start();
            TaskId broken = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            runner.nextFetch().fail(new FetchException(ErrorCode.URL_FORBIDDEN, "clip 1 is forbidden", 0, false, null));
            assertEquals(
                    ErrorCode.URL_FORBIDDEN, awaitFinal(merges, broken).reason().orElseThrow());

            TaskId next = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            runner.nextFetch().pass();
            runner.next().succeed();
            assertEquals(Status.COMPLETED, awaitFinal(merges, next).status());
        }

        @Test
        @DisplayName("cancelling a job that waits for its download ends it CANCELLED")
        void cancelDuringFetch() throws Exception {
            runner.holdFetches();
            AsyncMergeService merges = setup().start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            runner.nextFetch();

            assertTrue(merges.cancel(Optional.empty(), id));

            assertEquals(ErrorCode.CANCELLED, awaitFinal(merges, id).reason().orElseThrow());
        }
    }

    @Nested
    @DisplayName("job events")
    class Events {

        @Test
        @DisplayName(
                "a job's events are told once each, in order: submitted, claimed, each stage, completed with its size")
        void completedJobIsToldInOrder() throws Exception {
            RecordedEvents recorded = new RecordedEvents();
            Setup setup = setup();
            setup.observer = recorded;
            AsyncMergeService merges = setup.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            runner.next().succeed();

            assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
            List<String> expected = List.of(
                    "claimed " + id + " attempt 1 by instance-0",
                    "stage FETCH " + id + " " + ScriptedRunner.FETCHED_BYTES + " bytes",
                    "stage UPLOAD " + id + " " + ScriptedRunner.OUTPUT_BYTES + " bytes",
                    "completed " + id + " " + ScriptedRunner.OUTPUT_BYTES + " bytes");
            eventually("the completion told", () -> recorded.lines().size() > expected.size());
            assertEquals(expected, recorded.withoutSubmit(id));
        }

        @Test
        @DisplayName(
                "a retried failure is told with its retry time, the last attempt's as final, each attempt claimed anew")
        void failuresAreToldWithTheirRetry() throws Exception {
            RecordedEvents recorded = new RecordedEvents();
            Setup setup = setup();
            setup.maxAttempts = 2;
            setup.observer = recorded;
            AsyncMergeService merges = setup.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            runner.next().fail(transientFailure());
            eventually("pending for attempt 2", () -> job(id).attempt() == 2);
            String retryAt = job(id).notBefore().toString();
            // Told after the store recorded it: wait for it before the retry may start.
            eventually("the retry told", () -> recorded.lines().stream().anyMatch(l -> l.contains("retry at")));
            clock.advance(Duration.ofSeconds(1));
            runner.next().fail(transientFailure());

            assertEquals(Status.FAILED, awaitFinal(merges, id).status());
            List<String> expected = List.of(
                    "claimed " + id + " attempt 1 by instance-0",
                    "stage FETCH " + id + " " + ScriptedRunner.FETCHED_BYTES + " bytes",
                    "failed " + id + " DOWNLOAD_FAILED input 0 retry at " + retryAt,
                    "claimed " + id + " attempt 2 by instance-0",
                    "stage FETCH " + id + " " + ScriptedRunner.FETCHED_BYTES + " bytes",
                    "failed " + id + " DOWNLOAD_FAILED input 0 final");
            eventually("the final failure told", () -> recorded.lines().size() > expected.size());
            assertEquals(expected, recorded.withoutSubmit(id));
        }

        @Test
        @DisplayName("a cancelled job is told as failed CANCELLED for good; a job handed back at close as released")
        void cancelAndCloseAreTold() throws Exception {
            RecordedEvents recorded = new RecordedEvents();
            Setup setup = setup();
            setup.observer = recorded;
            AsyncMergeService merges = setup.start();
            TaskId cancelled = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            runner.next();
            assertTrue(merges.cancel(Optional.empty(), cancelled));
            assertEquals(
                    ErrorCode.CANCELLED, awaitFinal(merges, cancelled).reason().orElseThrow());
            eventually("the cancel told", () -> recorded.lines().contains("failed " + cancelled + " CANCELLED final"));
            TaskId handedBack = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            runner.next();

            merges.close();

            assertEquals(JobState.PENDING, job(handedBack).state());
            assertTrue(
                    recorded.lines().contains("released " + handedBack),
                    recorded.lines().toString());
            assertTrue(recorded.stopped, "the worker's stop is told");
        }

        @Test
        @DisplayName(
                "the worker's load counts the jobs it holds by stage, and the pending jobs at the janitor's last count")
        void workerLoadIsCounted() throws Exception {
            RecordedEvents recorded = new RecordedEvents();
            Setup setup = setup();
            setup.observer = recorded;
            AsyncMergeService merges = setup.start();
            JobEvents.WorkerLoad load = recorded.load;
            assertTrue(load != null, "the worker's start is told");

            merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run merging = runner.next();
            merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            // One merge slot and one fetch slot without a waiting room: one job merges, one waits holding its fetch
            // slot, one stays pending.
            eventually("one merging, one waiting", () -> load.merging() == 1 && load.waiting() == 1);
            eventually("one pending at the janitor's count", () -> load.pending() == 1);
            assertEquals(0, load.fetching());
            merging.succeed();
            runner.next().succeed();
            runner.next().succeed();
            eventually("none held, none pending", () -> load.merging() + load.waiting() == 0 && load.pending() == 0);
        }
    }

    /** Records job events as lines a test compares; counts pending jobs, as the metrics do. */
    private static final class RecordedEvents implements JobEvents {
        private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        volatile WorkerLoad load;
        volatile boolean stopped;

        List<String> lines() {
            return List.copyOf(lines);
        }

        /**
         * The lines but the submit of {@code id}, which must be there once: it is told after the store recorded the
         * job, so a worker may have claimed it first.
         */
        List<String> withoutSubmit(TaskId id) {
            List<String> all = lines();
            assertEquals(1, all.stream().filter(("submitted " + id)::equals).count(), all.toString());
            return all.stream().filter(line -> !line.equals("submitted " + id)).toList();
        }

        @Override
        public void workerStarted(WorkerLoad load) {
            this.load = load;
        }

        @Override
        public void workerStopped() {
            stopped = true;
        }

        @Override
        public boolean needsPendingCount() {
            return true;
        }

        @Override
        public void submitted(Job job) {
            lines.add("submitted " + job.id());
        }

        @Override
        public void claimed(Job job, String owner) {
            lines.add("claimed " + job.id() + " attempt " + job.attempt() + " by " + owner);
        }

        @Override
        public void stageEnded(Job job, StageReport report) {
            lines.add("stage " + report.stage() + " " + job.id() + " " + report.bytes() + " bytes");
        }

        @Override
        public void completed(Job job, MergeResult result, long outputBytes) {
            lines.add("completed " + job.id() + " " + outputBytes + " bytes");
        }

        @Override
        public void failed(Job job, MergeException failure, Optional<java.time.Instant> retryAt) {
            lines.add("failed " + job.id() + " " + failure.code()
                    + failure.inputIndex().stream()
                            .mapToObj(i -> " input " + i)
                            .findFirst()
                            .orElse("")
                    + retryAt.map(t -> " retry at " + t).orElse(" final"));
        }

        @Override
        public void released(Job job, String reason) {
            lines.add("released " + job.id());
        }
    }

    @Nested
    @DisplayName("admission")
    class Admission {

        @Test
        @DisplayName("a submit past maxPendingJobs is refused with QUEUE_FULL and nothing is recorded")
        void queueFull() {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            apiOnly.maxPendingJobs = 2;
            AsyncMergeService merges = apiOnly.start();
            TaskId first = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            MergeException full = assertThrows(
                    MergeException.class, () -> merges.submit(Principal.ANONYMOUS, request(), Optional.of("k-1")));

            assertEquals(ErrorCode.QUEUE_FULL, full.code());
            assertTrue(full.getMessage().contains("limit is 2"), full.getMessage());
            assertEquals(2, store.countPending(), "nothing recorded");
            assertTrue(merges.cancel(Optional.empty(), first));
            TaskId after = merges.submit(Principal.ANONYMOUS, request(), Optional.of("k-1"));
            assertEquals(
                    Status.PENDING,
                    merges.status(Optional.empty(), after).status(),
                    "room again once a pending task left");
        }
    }

    @Nested
    @DisplayName("owners and idempotency")
    class Owners {
        private final Principal alice = new Principal("key-a11ce");
        private final Principal bob = new Principal("key-b0b");

        @Test
        @DisplayName("another principal's task is unknown to status, result, awaitFinal and cancel; its owner sees it")
        void foreignTasksAreUnknown() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId ofBob = merges.submit(bob, request(), Optional.empty());

            assertEquals(Status.PENDING, merges.status(Optional.of(bob), ofBob).status());
            assertNotFound(() -> merges.status(Optional.of(alice), ofBob));
            assertNotFound(() -> merges.result(Optional.of(alice), ofBob));
            ExecutionException waited = assertThrows(
                    ExecutionException.class,
                    () -> merges.awaitFinal(Optional.of(alice), ofBob, WAIT).get());
            assertEquals(ErrorCode.TASK_NOT_FOUND, ((MergeException) waited.getCause()).code());
            assertFalse(merges.cancel(Optional.of(alice), ofBob), "a foreign cancel answers as an unknown id");
            assertEquals(JobState.PENDING, job(ofBob).state(), "and changes nothing");
            assertEquals(0, merges.waiting());

            assertTrue(merges.cancel(Optional.of(bob), ofBob));
            assertEquals(
                    Status.FAILED,
                    merges.awaitFinal(Optional.of(bob), ofBob, WAIT).get().status());
            assertEquals(bob, job(ofBob).principal());
        }

        @Test
        @DisplayName("a key used again: the same request gets the first task, another one IDEMPOTENCY_KEY_REUSED")
        void keyReuse() {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            MergeRequest other = MergeRequest.of(List.of(
                    URI.create("https://media.example/other-1.mp4"), URI.create("https://media.example/2.mp4")));

            TaskId first = merges.submit(alice, request(), Optional.of("order-1"));
            TaskId again = merges.submit(alice, request(), Optional.of("order-1"));
            TaskId bobs = merges.submit(bob, other, Optional.of("order-1"));
            MergeException reused =
                    assertThrows(MergeException.class, () -> merges.submit(alice, other, Optional.of("order-1")));

            assertEquals(first, again);
            assertNotEquals(first, bobs);
            assertEquals(ErrorCode.IDEMPOTENCY_KEY_REUSED, reused.code());
            assertEquals(2, store.countPending(), "nothing recorded for the reused key");
        }

        private void assertNotFound(org.junit.jupiter.api.function.Executable call) {
            MergeException e = assertThrows(MergeException.class, call);
            assertEquals(ErrorCode.TASK_NOT_FOUND, e.code());
        }
    }

    @Nested
    @DisplayName("store outages")
    class Outages {

        @Test
        @DisplayName("a store that throws does not kill the worker: submit fails, and once the store is back jobs run")
        void workerSurvivesOutage() throws Exception {
            store.down(true);
            AsyncMergeService merges = setup().start();
            eventually("the worker and janitor keep trying", () -> store.refused() >= 5);
            assertThrows(
                    StoreUnavailableException.class,
                    () -> merges.submit(Principal.ANONYMOUS, request(), Optional.empty()));

            store.down(false);
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run run = runner.next();
            store.down(true);
            int refusedBefore = store.refused();
            run.succeed();
            eventually("the completion is retried", () -> store.refused() >= refusedBefore + 2);
            store.down(false);

            assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
            assertEquals(ScriptedRunner.resultFor(id), merges.result(Optional.empty(), id));
        }

        @Test
        @DisplayName(
                "a merge that finished during an outage longer than its lease records its outcome once the store is back")
        void outcomeSurvivesLongOutage() throws Exception {
            Setup setup = setup();
            // Beats far apart and a janitor every few milliseconds: after the outage the janitor runs first.
            setup.heartbeat = Duration.ofSeconds(10);
            AsyncMergeService merges = setup.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run run = runner.next();
            store.down(true);
            int refusedBefore = store.refused();
            run.succeed();
            eventually("the completion is retried", () -> store.refused() >= refusedBefore + 2);
            clock.advance(LEASE.multipliedBy(3));

            // The store is back, but the completion is held back until the janitor has run a few times: a
            // janitor that requeued at once would take the job from its live worker.
            store.refuseCompletes(true);
            store.down(false);
            int purgesBefore = store.purges();
            eventually("the janitor ran three times", () -> store.purges() >= purgesBefore + 3);
            store.refuseCompletes(false);

            TaskStatus done = awaitFinal(merges, id);
            assertEquals(Status.COMPLETED, done.status(), () -> "ended " + done);
            assertEquals(1, job(id).attempt(), "the janitor must not requeue before live workers renew");
            assertEquals(1, runner.mostActive());
        }

        @Test
        @DisplayName("ping answers while the store does, and throws STORE_UNAVAILABLE while it does not")
        void pingFollowsStore() {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            merges.ping();
            store.down(true);
            StoreUnavailableException e = assertThrows(StoreUnavailableException.class, merges::ping);
            assertEquals(ErrorCode.STORE_UNAVAILABLE, e.code());
        }
    }

    @Nested
    @DisplayName("janitor")
    class Janitor {

        @Test
        @DisplayName("a job whose worker vanished is requeued once its lease expires and finished by a live worker")
        void vanishedWorkersJobIsFinished() throws Exception {
            TaskId id = store.create(new NewJob(TaskId.random(), request(), Optional.empty(), 3))
                    .id();
            assertTrue(store.claim("vanished", LEASE).isPresent());
            AsyncMergeService merges = setup().start();

            clock.advance(LEASE.plusMillis(1));
            Run run = runner.next();

            assertEquals(id, run.id);
            assertEquals(2, job(id).attempt());
            run.succeed();
            assertEquals(Status.COMPLETED, awaitFinal(merges, id).status());
        }

        @Test
        @DisplayName("finished jobs are purged once the retention time has passed")
        void finishedJobsPurged() throws Exception {
            Setup setup = setup();
            setup.retention = Duration.ofHours(1);
            AsyncMergeService merges = setup.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            runner.next().succeed();
            awaitFinal(merges, id);

            clock.advance(Duration.ofHours(1).plusMillis(1));

            eventually("purged", () -> store.find(id).isEmpty());
            assertEquals(
                    ErrorCode.TASK_NOT_FOUND,
                    assertThrows(MergeException.class, () -> merges.status(Optional.empty(), id))
                            .code());
            eventually("the output discarded", () -> runner.discarded().contains(ScriptedRunner.resultFor(id)));
        }
    }

    @Nested
    @DisplayName("close")
    class Close {

        @Test
        @DisplayName("close lets a merge that ends within the grace period complete")
        void mergeWithinGraceCompletes() throws Exception {
            Setup setup = setup();
            setup.grace = WAIT;
            AsyncMergeService merges = setup.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run run = runner.next();
            Thread closer = new Thread(merges::close, "closer");
            closer.start();

            run.succeed();

            closer.join(WAIT.toMillis());
            assertFalse(closer.isAlive(), "close did not return");
            assertFalse(run.awaitEnd(), "the merge must not be interrupted within the grace period");
            assertEquals(JobState.COMPLETED, job(id).state());
        }

        @Test
        @DisplayName(
                "close after the grace period interrupts the merge and hands the job back; another instance finishes it")
        void closeHandsJobBack() throws Exception {
            AsyncMergeService first = setup().start();
            TaskId running = first.submit(Principal.ANONYMOUS, request(), Optional.empty());
            Run run = runner.next();
            TaskId waiting = first.submit(Principal.ANONYMOUS, request(), Optional.empty());

            first.close();

            assertTrue(run.awaitEnd(), "the merge must be interrupted");
            Job handedBack = job(running);
            assertEquals(JobState.PENDING, handedBack.state());
            assertEquals(1, handedBack.attempt(), "a hand-back spends no attempt");
            assertEquals(Optional.empty(), handedBack.lease());
            assertEquals(JobState.PENDING, job(waiting).state(), "a closed instance claims nothing");

            AsyncMergeService second = setup().start();
            Set<TaskId> ran = new HashSet<>();
            for (int i = 0; i < 2; i++) {
                Run r = runner.next();
                ran.add(r.id);
                r.succeed();
            }
            assertEquals(Set.of(running, waiting), ran);
            assertEquals(Status.COMPLETED, awaitFinal(second, running).status());
            assertEquals(Status.COMPLETED, awaitFinal(second, waiting).status());
            assertEquals(1, job(running).attempt());
        }
    }

    @Nested
    @DisplayName("submit, status and result")
    class Api {

        @Test
        @DisplayName("an invalid request or idempotency key is refused and nothing is recorded")
        void invalidSubmitRecordsNothing() {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            MergeRequest oneClip = MergeRequest.of(List.of(URI.create("https://media.example.com/a.mp4")));

            assertThrows(
                    InvalidRequestException.class, () -> merges.submit(Principal.ANONYMOUS, oneClip, Optional.empty()));
            InvalidRequestException e = assertThrows(
                    InvalidRequestException.class,
                    () -> merges.submit(
                            Principal.ANONYMOUS, request(), Optional.of("k".repeat(NewJob.MAX_KEY_LENGTH + 1))));
            assertEquals(ErrorCode.INVALID_REQUEST, e.code());
            assertThrows(
                    InvalidRequestException.class,
                    () -> merges.submit(Principal.ANONYMOUS, request(), Optional.of("")));

            assertEquals(Optional.empty(), store.claim("probe", LEASE));
        }

        @Test
        @DisplayName("a second submit with the same idempotency key returns the first task")
        void idempotentSubmit() {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();

            TaskId first = merges.submit(Principal.ANONYMOUS, request(), Optional.of("order-1"));
            TaskId again = merges.submit(Principal.ANONYMOUS, request(), Optional.of("order-1"));
            TaskId other = merges.submit(Principal.ANONYMOUS, request(), Optional.of("order-2"));

            assertEquals(first, again);
            assertNotEquals(first, other);
        }

        @Test
        @DisplayName("an unknown task answers TASK_NOT_FOUND, a pending one's result TASK_NOT_FINISHED")
        void unknownAndUnfinished() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId unknown = TaskId.random();
            TaskId pending = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            assertEquals(
                    ErrorCode.TASK_NOT_FOUND,
                    assertThrows(MergeException.class, () -> merges.status(Optional.empty(), unknown))
                            .code());
            assertEquals(
                    ErrorCode.TASK_NOT_FOUND,
                    assertThrows(MergeException.class, () -> merges.result(Optional.empty(), unknown))
                            .code());
            assertEquals(
                    ErrorCode.TASK_NOT_FOUND,
                    assertThrows(MergeException.class, () -> merges.await(Optional.empty(), unknown, Duration.ZERO))
                            .code());
            assertFalse(merges.cancel(Optional.empty(), unknown));
            assertEquals(
                    ErrorCode.TASK_NOT_FINISHED,
                    assertThrows(MergeException.class, () -> merges.result(Optional.empty(), pending))
                            .code());
        }

        @Test
        @DisplayName("await returns the current status when the timeout passes first")
        void awaitTimesOut() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            TaskStatus status = merges.await(Optional.empty(), id, Duration.ofMillis(50));

            assertEquals(Status.PENDING, status.status());
            assertEquals(id, status.taskId());
            assertEquals(clock.instant(), status.createdAt());
        }
    }

    @Nested
    @DisplayName("waiting for a final status without a thread")
    class Waiting {

        @Test
        @DisplayName("a wait completes with the final status as soon as the job settles in this instance")
        void completesOnLocalSettle() throws Exception {
            AsyncMergeService merges = setup().start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            CompletableFuture<TaskStatus> wait = merges.awaitFinal(Optional.empty(), id, WAIT);
            Run run = runner.next();
            assertFalse(wait.isDone(), "the job is still running");

            run.succeed();

            TaskStatus status = outcome(wait);
            assertEquals(Status.COMPLETED, status.status());
            assertEquals(id, status.taskId());
            assertEquals(0, merges.waiting(), "a completed wait is forgotten");
        }

        @Test
        @DisplayName("a wait completes with FAILED and CANCELLED when the task is cancelled")
        void completesOnCancel() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            CompletableFuture<TaskStatus> wait = merges.awaitFinal(Optional.empty(), id, WAIT);
            assertFalse(wait.isDone(), "nothing runs the job");

            assertTrue(merges.cancel(Optional.empty(), id));

            TaskStatus status = outcome(wait);
            assertEquals(Status.FAILED, status.status());
            assertEquals(Optional.of(ErrorCode.CANCELLED), status.reason());
        }

        @Test
        @DisplayName("a wait completes with the current, unfinished status when its timeout passes")
        void completesOnTimeout() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());

            TaskStatus status = outcome(merges.awaitFinal(Optional.empty(), id, Duration.ofMillis(50)));

            assertEquals(Status.PENDING, status.status());
            assertEquals(id, status.taskId());
            assertEquals(0, merges.waiting());
        }

        @Test
        @DisplayName("a wait for a finished task or with a zero timeout is complete when awaitFinal returns")
        void decidedAtOnce() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId pending = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            TaskId cancelled = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            merges.cancel(Optional.empty(), cancelled);

            CompletableFuture<TaskStatus> zero = merges.awaitFinal(Optional.empty(), pending, Duration.ZERO);
            CompletableFuture<TaskStatus> finished = merges.awaitFinal(Optional.empty(), cancelled, WAIT);

            assertTrue(zero.isDone());
            assertEquals(Status.PENDING, zero.get().status());
            assertTrue(finished.isDone());
            assertEquals(Status.FAILED, finished.get().status());
        }

        @Test
        @DisplayName("a wait for an unknown task fails with TASK_NOT_FOUND")
        void unknownTaskFails() {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();

            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> outcome(merges.awaitFinal(Optional.empty(), TaskId.random(), WAIT)));

            MergeException cause = assertInstanceOf(MergeException.class, e.getCause());
            assertEquals(ErrorCode.TASK_NOT_FOUND, cause.code());
        }

        @Test
        @DisplayName("a wait in one instance completes when another instance sharing the store finishes the job")
        void completesWhenAnotherInstanceFinishes() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService api = apiOnly.start();
            setup().start();
            TaskId id = api.submit(Principal.ANONYMOUS, request(), Optional.empty());
            CompletableFuture<TaskStatus> wait = api.awaitFinal(Optional.empty(), id, WAIT);
            Run run = runner.next();
            assertFalse(wait.isDone(), "the job is still running in the other instance");

            run.succeed();

            assertEquals(Status.COMPLETED, outcome(wait).status());
            assertEquals(ScriptedRunner.resultFor(id), api.result(Optional.empty(), id));
        }

        @Test
        @DisplayName("500 waits, settled here and elsewhere, all complete on one scheduler thread")
        void manyWaitsShareOneThread() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService api = apiOnly.start();
            Setup elsewhere = setup();
            elsewhere.merges = 0;
            AsyncMergeService other = elsewhere.start();
            int n = 500;
            List<TaskId> ids = new ArrayList<>();
            List<CompletableFuture<TaskStatus>> waits = new ArrayList<>();
            Set<Thread> completedOn = ConcurrentHashMap.newKeySet();
            for (int i = 0; i < n; i++) {
                TaskId id = api.submit(Principal.ANONYMOUS, request(), Optional.empty());
                ids.add(id);
                CompletableFuture<TaskStatus> wait = api.awaitFinal(Optional.empty(), id, WAIT);
                wait.whenComplete((status, failure) -> completedOn.add(Thread.currentThread()));
                waits.add(wait);
            }
            assertEquals(n, api.waiting());
            assertTrue(waits.stream().noneMatch(CompletableFuture::isDone), "nothing has finished yet");

            // Half are cancelled here (a settle signal), half through the other instance (found by polling).
            for (int i = 0; i < n; i++) {
                assertTrue((i % 2 == 0 ? api : other).cancel(Optional.empty(), ids.get(i)));
            }

            CompletableFuture.allOf(waits.toArray(CompletableFuture[]::new))
                    .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            for (CompletableFuture<TaskStatus> wait : waits) {
                assertEquals(Optional.of(ErrorCode.CANCELLED), wait.get().reason());
            }
            assertEquals(1, completedOn.size(), "completed on " + completedOn);
            assertNotEquals(Thread.currentThread(), completedOn.iterator().next());
            assertEquals(0, api.waiting());
        }

        @Test
        @DisplayName("a store outage during a wait does not end it: the task is read again once the store is back")
        void outageDuringWaitIsRidden() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            CompletableFuture<TaskStatus> wait = merges.awaitFinal(Optional.empty(), id, WAIT);

            store.down(true);
            int findsBefore = store.finds();
            eventually("the wait reads the task during the outage", () -> store.finds() >= findsBefore + 2);
            assertFalse(wait.isDone(), "an outage before the timeout does not end the wait");
            store.down(false);
            assertTrue(store.cancel(id), "finished behind the service's back: only a read can tell");

            assertEquals(Optional.of(ErrorCode.CANCELLED), outcome(wait).reason());
        }

        @Test
        @DisplayName("a wait whose timeout passes while the store is down fails with STORE_UNAVAILABLE")
        void outageAtTimeoutFails() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            store.down(true);

            ExecutionException e = assertThrows(
                    ExecutionException.class,
                    () -> outcome(merges.awaitFinal(Optional.empty(), id, Duration.ofMillis(50))));

            assertInstanceOf(StoreUnavailableException.class, e.getCause());
        }

        @Test
        @DisplayName("a cancelled wait is forgotten, and the others go on")
        void cancelledWaitIsForgotten() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            CompletableFuture<TaskStatus> givenUp = merges.awaitFinal(Optional.empty(), id, WAIT);
            CompletableFuture<TaskStatus> kept = merges.awaitFinal(Optional.empty(), id, WAIT);
            assertEquals(2, merges.waiting());

            givenUp.cancel(false);

            assertEquals(1, merges.waiting());
            merges.cancel(Optional.empty(), id);
            assertEquals(Status.FAILED, outcome(kept).status());
        }

        @Test
        @DisplayName("close answers outstanding waits with the current status, and later waits at once")
        void closeAnswersWaits() throws Exception {
            Setup apiOnly = setup();
            apiOnly.merges = 0;
            AsyncMergeService merges = apiOnly.start();
            TaskId id = merges.submit(Principal.ANONYMOUS, request(), Optional.empty());
            CompletableFuture<TaskStatus> wait = merges.awaitFinal(Optional.empty(), id, WAIT);

            merges.close();

            assertTrue(wait.isDone(), "close leaves no wait hanging");
            assertEquals(Status.PENDING, wait.get().status());
            CompletableFuture<TaskStatus> late = merges.awaitFinal(Optional.empty(), id, WAIT);
            assertTrue(late.isDone());
            assertEquals(Status.PENDING, late.get().status());
        }
    }
}
