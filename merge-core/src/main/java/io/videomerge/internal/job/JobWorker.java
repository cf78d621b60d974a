package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Lease;
import io.videomerge.spi.Renewal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs jobs from the store in two stages with their own capacity: up to {@code fetchConcurrency} jobs download
 * their inputs at once, up to {@code mergeConcurrency} merge at once, and up to {@code fetchedQueue} fetched jobs
 * wait between the two. A job is claimed only when a fetch slot is free, so a slow source holds a fetch slot,
 * never a merge slot, and downloads of the next jobs overlap the current merges. One heartbeat thread renews
 * the leases of every job this worker holds, in any stage; one janitor thread requeues expired leases, purges
 * finished jobs (asking the runner to discard their outputs) and lets the runner sweep.
 *
 * <p>A store that throws is logged and backed off from; no thread dies of it. After the store was unreachable,
 * the janitor waits a whole lease time of answers before it requeues expired leases, so that live workers
 * renew theirs first; and a worker keeps trying to record an outcome for as long as the store does not answer.
 */
final class JobWorker implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(JobWorker.class);
    private static final Duration MIN_IDLE = Duration.ofMillis(10);
    private static final Duration MAX_STORE_BACKOFF = Duration.ofSeconds(5);
    private static final JobError CANCELLED = JobMessages.CANCELLED;
    private static final int PURGE_BATCH = 500;
    /** Heartbeat and janitor end at once when interrupted, unless in a store call; this bounds that. */
    private static final long EXECUTOR_CLOSE_WAIT_SECONDS = 5;

    private final JobSettings settings;
    private final JobStore store;
    private final JobRunner runner;
    private final JobEvents events;
    private final Consumer<TaskId> onSettled;
    private final List<Thread> jobThreads = new ArrayList<>();
    private final ScheduledExecutorService heartbeat;
    private final ScheduledExecutorService janitor;
    private final Set<Running> running = ConcurrentHashMap.newKeySet();
    private final Semaphore fetchSlots;
    private final Semaphore mergeSlots;
    private final Semaphore waitingRoom;
    private final ReentrantLock idleLock = new ReentrantLock();
    private final Condition workArrived = idleLock.newCondition();
    private final AtomicBoolean closed = new AtomicBoolean();
    private long wakeups;
    private volatile boolean closing;
    private volatile boolean abandoned;
    /** When a store call last failed (System.nanoTime), if one ever did. */
    private volatile long lastStoreTrouble;

    private volatile boolean storeTroubleSeen;
    /** Pending jobs in the store at the janitor's last count, when the events need it; -1 until then. */
    private volatile long pending = -1;

    /**
     * @param events    told of each claim, stage, outcome and release, with the job's {@link JobContext} in the MDC
     * @param onSettled called with the task's id after each job this worker ran reached the store's verdict (or was
     *     let go)
     */
    JobWorker(JobSettings settings, JobRunner runner, JobEvents events, Consumer<TaskId> onSettled) {
        this.settings = requireNonNull(settings, "settings");
        this.store = settings.store();
        this.runner = requireNonNull(runner, "runner");
        this.events = requireNonNull(events, "events");
        this.onSettled = requireNonNull(onSettled, "onSettled");
        this.fetchSlots = new Semaphore(settings.fetchConcurrency());
        this.mergeSlots = new Semaphore(settings.mergeConcurrency());
        this.waitingRoom = new Semaphore(settings.fetchedQueue());
        this.heartbeat = Executors.newSingleThreadScheduledExecutor(daemon("videomerge-heartbeat"));
        this.janitor = Executors.newSingleThreadScheduledExecutor(daemon("videomerge-janitor"));
    }

    /** Starts the threads: as many job threads as jobs may be held at once (none when merging is off). */
    void start() {
        events.workerStarted(new Load());
        long beat = settings.heartbeat().toMillis();
        heartbeat.scheduleWithFixedDelay(this::beat, beat, beat, TimeUnit.MILLISECONDS);
        long sweep = settings.janitorInterval().toMillis();
        janitor.scheduleWithFixedDelay(this::sweep, 0, sweep, TimeUnit.MILLISECONDS);
        int threads = settings.mergeConcurrency() == 0
                ? 0
                : settings.fetchConcurrency() + settings.fetchedQueue() + settings.mergeConcurrency();
        for (int i = 1; i <= threads; i++) {
            Thread t = new Thread(this::jobLoop, "videomerge-job-" + i);
            t.setDaemon(true);
            jobThreads.add(t);
            t.start();
        }
    }

    /** Wakes idle job threads at once: a job was just recorded. */
    void wake() {
        idleLock.lock();
        try {
            wakeups++;
            workArrived.signalAll();
        } finally {
            idleLock.unlock();
        }
    }

    /** Renews leases now instead of at the next beat, so that a cancellation is learnt at once. */
    void beatSoon() {
        if (!running.isEmpty()) {
            try {
                heartbeat.execute(this::beat);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                LOG.debug("heartbeat already stopped");
            }
        }
    }

    /** How many jobs this worker holds now, in any stage. */
    int runningCount() {
        return running.size();
    }

    // ----------------------------------------------------------------------------------------------
    // Job threads

    private void jobLoop() {
        // Idle waits grow from a 64th of the poll interval to the whole of it; a local submit cuts them short.
        Duration firstIdle = max(settings.pollInterval().dividedBy(64), Duration.ofMillis(1));
        Duration idle = firstIdle;
        Duration storeBackoff = MIN_IDLE;
        while (!closing) {
            if (!takeFetchSlot()) {
                continue;
            }
            long seen = wakeupCount();
            Optional<Job> claimed;
            try {
                claimed = store.claim(settings.owner(), settings.leaseTime());
                storeBackoff = MIN_IDLE;
            } catch (RuntimeException e) {
                fetchSlots.release();
                storeTrouble("claiming a job failed; trying again in " + storeBackoff.toMillis() + " ms", e);
                pause(seen, storeBackoff);
                storeBackoff = min(storeBackoff.multipliedBy(2), MAX_STORE_BACKOFF);
                continue;
            }
            if (claimed.isEmpty()) {
                fetchSlots.release();
                pause(seen, idle);
                idle = min(idle.multipliedBy(2), settings.pollInterval());
                continue;
            }
            idle = firstIdle;
            try {
                execute(claimed.get());
            } catch (RuntimeException e) {
                // A bug of ours must not shrink the pool; the job's lease expires and it runs again.
                LOG.error("the worker failed around task {}", claimed.get().id(), e);
            }
        }
    }

    /** Waits for a free fetch slot, up to a poll interval (so that closing is noticed); whether one was taken. */
    private boolean takeFetchSlot() {
        try {
            return fetchSlots.tryAcquire(settings.pollInterval().toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // Nothing interrupts an idle job thread on purpose (close() sets closing): carry on.
            return false;
        }
    }

    /** Runs a claimed job through both stages; the caller's fetch slot passes to this method. */
    private void execute(Job job) {
        try (JobContext context = JobContext.running(job)) {
            run(job);
        }
    }

    /** {@link #execute} in the job's context. */
    private void run(Job job) {
        Lease lease = job.lease().orElseThrow();
        Running r = new Running(lease, Thread.currentThread());
        Slots slots = new Slots();
        running.add(r);
        events.claimed(job, settings.owner());
        if (closing) {
            // close() may have stopped the jobs it found before this claim returned: this one goes back too.
            r.stop(Stop.SHUTDOWN);
        }
        MergeResult result = null;
        MergeException failure = null;
        JobRunner.Fetched fetched = null;
        try {
            if (r.stop() != Stop.NONE) {
                throw new MergeException(ErrorCode.CANCELLED, "the worker is closing");
            }
            fetched = runner.fetch(job.id(), job.request(), report -> {
                if (report.stage() == StageReport.Stage.UPLOAD) {
                    r.outputBytes = report.bytes();
                }
                events.stageEnded(job, report);
            });
            enterMergeStage(r, slots);
            r.stage(JobMessages.MERGING);
            result = fetched.merge(r::progress);
        } catch (MergeException e) {
            failure = e;
        } catch (RuntimeException e) {
            LOG.warn("task {} failed unexpectedly", job.id(), e);
            failure = new MergeException(ErrorCode.PROCESSING_FAILED, "the merge failed", -1, false, e);
        } catch (Error e) {
            // Out of memory, a native library that failed to link: perhaps not so on the next attempt, which
            // may run elsewhere; the attempt limit stops a job that always does this.
            LOG.error("task {} failed with an error", job.id(), e);
            failure = new MergeException(ErrorCode.PROCESSING_FAILED, "the merge failed", -1, true, e);
        } finally {
            try {
                if (fetched != null) {
                    fetched.close();
                }
            } finally {
                slots.releaseAll();
                r.runEnded();
                // An interrupt meant for the run must not leak into the store calls below or the next claim.
                Thread.interrupted();
            }
        }
        if (result == null && failure == null) {
            failure = new MergeException(ErrorCode.PROCESSING_FAILED, "the merge produced no result");
        }
        try {
            settle(job, r, result, failure);
        } finally {
            running.remove(r);
            onSettled.accept(job.id());
        }
    }

    /**
     * Moves a fetched job from its fetch slot to a merge slot: at once when one is free; else through the waiting
     * room (the fetch slot is given up once the job has a place there); with no waiting room, the job keeps its
     * fetch slot until a merge slot frees.
     *
     * @throws MergeException CANCELLED when the wait was interrupted (cancel, lease lost, shutdown)
     */
    private void enterMergeStage(Running r, Slots slots) {
        if (mergeSlots.tryAcquire()) {
            slots.merging();
            return;
        }
        r.stage(JobMessages.WAITING);
        try {
            if (settings.fetchedQueue() > 0) {
                waitingRoom.acquire();
                slots.waiting();
            }
            mergeSlots.acquire();
            slots.merging();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MergeException(ErrorCode.CANCELLED, "the job was stopped while waiting for a merge slot");
        }
    }

    private void settle(Job job, Running r, MergeResult result, MergeException failure) {
        Lease lease = r.lease;
        Stop stop = r.stop();
        if (stop == Stop.LOST) {
            events.released(job, "its lease was lost; its output is discarded");
            return;
        }
        if (result != null) {
            if (storeCall(r, () -> store.complete(lease, result))) {
                events.completed(job, result, r.outputBytes);
            } else {
                events.released(job, "it finished, but its lease was gone; the result is discarded");
            }
            return;
        }
        if (stop == Stop.SHUTDOWN) {
            if (storeCall(r, () -> store.release(lease))) {
                events.released(job, "handed back to the store at shutdown");
            } else {
                events.released(job, "stopped at shutdown; its lease was gone");
            }
            return;
        }
        MergeException outcome = failure;
        JobError error = new JobError(failure.code(), failure.getMessage());
        Optional<Instant> retryAt = Optional.empty();
        if (stop == Stop.CANCEL) {
            error = CANCELLED;
            outcome = new MergeException(CANCELLED.code(), CANCELLED.message());
        } else if (failure.isRetryable() && job.attempt() < job.maxAttempts()) {
            retryAt = Optional.of(settings.clock().instant().plus(backoff(job.attempt())));
        }
        JobError recorded = error;
        Optional<Instant> when = retryAt;
        if (storeCall(r, () -> store.fail(lease, recorded, when))) {
            events.failed(job, outcome, retryAt);
        } else {
            events.released(job, "it failed (" + failure.code() + "), but its lease was gone");
        }
    }

    private Duration backoff(int attempt) {
        return settings.backoff().delay(attempt, ThreadLocalRandom.current());
    }

    /**
     * Makes a store call that ends a job, trying again for as long as the store does not answer, while the lease
     * may still be ours: an expired lease is honoured until someone requeues the job, and after an outage the
     * janitors wait before they do (see {@link #storeSettled()}). Gives up when the heartbeat learns the lease
     * is lost, or when {@link #close()} abandons the worker.
     */
    private boolean storeCall(Running r, Supplier<Boolean> call) {
        Duration wait = MIN_IDLE;
        while (true) {
            try {
                return call.get();
            } catch (RuntimeException e) {
                if (r.stop() == Stop.LOST || abandoned) {
                    storeTrouble(
                            "recording the outcome of task " + r.lease.taskId()
                                    + " failed; the job will run again once its lease expires",
                            e);
                    return false;
                }
                storeTrouble(
                        "recording the outcome of task " + r.lease.taskId() + " failed; trying again in "
                                + wait.toMillis() + " ms",
                        e);
                java.util.concurrent.locks.LockSupport.parkNanos(wait.toNanos());
                wait = min(wait.multipliedBy(2), MAX_STORE_BACKOFF);
            }
        }
    }

    private long wakeupCount() {
        idleLock.lock();
        try {
            return wakeups;
        } finally {
            idleLock.unlock();
        }
    }

    /** Waits up to {@code d}, returning early on {@link #wake()} (also one that came after {@code seen}) or close. */
    private void pause(long seen, Duration d) {
        long nanos = d.toNanos();
        idleLock.lock();
        try {
            while (!closing && wakeups == seen && nanos > 0) {
                nanos = workArrived.awaitNanos(nanos);
            }
        } catch (InterruptedException e) {
            // Nothing interrupts an idle merge thread on purpose (close() wakes it): carry on.
            LOG.debug("idle merge thread interrupted");
        } finally {
            idleLock.unlock();
        }
    }

    // ----------------------------------------------------------------------------------------------
    // Heartbeat and janitor

    private void beat() {
        for (Running r : running) {
            Renewal renewal;
            try {
                renewal = store.renew(r.lease, settings.leaseTime(), r.progress, r.stage);
            } catch (RuntimeException e) {
                storeTrouble(
                        "renewing the lease of task " + r.lease.taskId() + " failed; trying again at the next beat", e);
                continue;
            }
            if (renewal == Renewal.CANCEL_REQUESTED) {
                r.stop(Stop.CANCEL);
            } else if (renewal == Renewal.LOST) {
                r.stop(Stop.LOST);
            }
        }
    }

    private void sweep() {
        try {
            int requeued = 0;
            if (storeSettled()) {
                requeued = store.requeueExpired();
            } else {
                LOG.debug("janitor: the store answers again; expired leases wait until live workers renewed");
            }
            Instant cutoff = settings.clock().instant().minus(settings.retention());
            List<Job> purged = store.purgeFinished(cutoff, PURGE_BATCH);
            for (Job job : purged) {
                job.result().ifPresent(runner::discard);
            }
            if (events.needsPendingCount()) {
                pending = store.countPending();
            }
            if (requeued > 0 || !purged.isEmpty()) {
                LOG.info("janitor: {} expired leases taken back, {} finished jobs purged", requeued, purged.size());
                if (requeued > 0) {
                    wake();
                }
            }
        } catch (RuntimeException e) {
            storeTrouble(
                    "janitor run failed; trying again in "
                            + settings.janitorInterval().toMillis() + " ms",
                    e);
        }
        runner.sweep();
    }

    /**
     * Whether the store has answered for a whole lease time since it last failed: only then may expired leases be
     * requeued, because every live worker has had beats enough to renew the leases that lapsed during the outage.
     */
    private boolean storeSettled() {
        return !storeTroubleSeen
                || System.nanoTime() - lastStoreTrouble >= settings.leaseTime().toNanos();
    }

    // ----------------------------------------------------------------------------------------------
    // Shutdown

    /**
     * Stops claiming, lets running merges finish within the grace period, then interrupts the rest and
     * releases their leases so that another instance takes them at once.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        wake();
        long deadline = System.nanoTime() + settings.closeGrace().toNanos();
        boolean interrupted = false;
        try {
            interrupted |= joinUntil(deadline);
            for (Running r : running) {
                r.stop(Stop.SHUTDOWN);
            }
            // Interrupted merges stop promptly; the bound only guards against a runner that ignores interrupts.
            interrupted |= joinUntil(System.nanoTime() + settings.leaseTime().toNanos());
        } finally {
            abandoned = true;
            heartbeat.shutdownNow();
            janitor.shutdownNow();
            interrupted |= awaitTermination(heartbeat, "videomerge-heartbeat");
            interrupted |= awaitTermination(janitor, "videomerge-janitor");
            events.workerStopped();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        for (Thread t : jobThreads) {
            if (t.isAlive()) {
                LOG.warn("job thread {} did not stop; its job will run again once its lease expires", t.getName());
            }
        }
    }

    /**
     * Waits a little for a shut-down executor's thread to end, so that none outlives {@link #close()} (a servlet
     * container stopping the application looks for them right after); returns whether it was interrupted.
     */
    private static boolean awaitTermination(ScheduledExecutorService executor, String name) {
        try {
            if (!executor.awaitTermination(EXECUTOR_CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("Thread {} did not end within {} s", name, EXECUTOR_CLOSE_WAIT_SECONDS);
            }
            return false;
        } catch (InterruptedException e) {
            return true;
        }
    }

    private boolean joinUntil(long deadline) {
        boolean interrupted = false;
        for (Thread t : jobThreads) {
            long left = deadline - System.nanoTime();
            while (t.isAlive() && left > 0) {
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    interrupted = true;
                }
                left = deadline - System.nanoTime();
            }
        }
        return interrupted;
    }

    /**
     * Notes that the store failed (see {@link #storeSettled()}) and logs it: an outage repeats at every retry, so
     * one line each at WARN, the stack trace only at DEBUG.
     */
    private void storeTrouble(String what, RuntimeException e) {
        lastStoreTrouble = System.nanoTime();
        storeTroubleSeen = true;
        LOG.warn("{}: {}", what, e.toString());
        LOG.debug(what, e);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    /** The stage permits one job holds; each is given back once. Used by the job's own thread only. */
    private final class Slots {
        private boolean fetch = true;
        private boolean waiting;
        private boolean merge;

        /** The job has a place in the waiting room: its fetch slot goes to the next job. */
        void waiting() {
            waiting = true;
            releaseFetch();
        }

        /** The job has a merge slot: it leaves the fetch stage and the waiting room. */
        void merging() {
            merge = true;
            releaseFetch();
            if (waiting) {
                waiting = false;
                waitingRoom.release();
            }
        }

        void releaseAll() {
            releaseFetch();
            if (waiting) {
                waiting = false;
                waitingRoom.release();
            }
            if (merge) {
                merge = false;
                mergeSlots.release();
            }
        }

        private void releaseFetch() {
            if (fetch) {
                fetch = false;
                fetchSlots.release();
            }
        }
    }

    /** The worker's load as {@link JobEvents} read it: counted from the jobs held, the pending count cached. */
    private final class Load implements JobEvents.WorkerLoad {
        @Override
        public int fetching() {
            return inStage(JobMessages.FETCHING);
        }

        @Override
        public int waiting() {
            return inStage(JobMessages.WAITING);
        }

        @Override
        public int merging() {
            return inStage(JobMessages.MERGING);
        }

        @Override
        public long pending() {
            return pending;
        }

        private int inStage(String stage) {
            int n = 0;
            for (Running r : running) {
                if (r.stage.equals(stage)) {
                    n++;
                }
            }
            return n;
        }
    }

    /** Why a run is being stopped, weakest first: a stronger reason replaces a weaker one. */
    private enum Stop {
        NONE,
        SHUTDOWN,
        CANCEL,
        LOST
    }

    /** One job held by a job thread, as the heartbeat sees it. */
    private static final class Running {
        private final Lease lease;
        private final Thread thread;
        private volatile double progress;
        private volatile String stage = JobMessages.FETCHING;
        /** The size of the published file, once the runner reported the upload; -1 until then. */
        private volatile long outputBytes = -1;

        private Stop stop = Stop.NONE;
        private boolean runEnded;

        Running(Lease lease, Thread thread) {
            this.lease = lease;
            this.thread = thread;
        }

        void progress(double fraction) {
            progress = fraction;
        }

        /** The status line the next heartbeat records: what the job is doing now. */
        void stage(String message) {
            stage = message;
        }

        synchronized Stop stop() {
            return stop;
        }

        /** Records why the run must stop and interrupts it, unless it has already ended. */
        synchronized void stop(Stop reason) {
            if (reason.compareTo(stop) > 0) {
                stop = reason;
                if (!runEnded) {
                    thread.interrupt();
                }
            }
        }

        synchronized void runEnded() {
            runEnded = true;
        }
    }
}
