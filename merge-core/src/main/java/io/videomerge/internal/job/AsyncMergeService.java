package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.InvalidRequestException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.NewJob;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * The asynchronous half of {@link io.videomerge.MergeService}: records validated requests as jobs in
 * the {@link JobStore}, answers status, result, await and cancel from the store (so any instance sharing
 * the store answers for any task), and runs a {@link JobWorker} over the same store.
 */
public final class AsyncMergeService implements AutoCloseable {
    private static final Duration MIN_AWAIT_POLL = Duration.ofMillis(10);
    private static final Duration MAX_AWAIT_POLL = Duration.ofMillis(500);

    private final JobSettings settings;
    private final JobStore store;
    private final Consumer<MergeRequest> validator;
    private final JobWorker worker;
    private final ReentrantLock settledLock = new ReentrantLock();
    private final Condition settledSignal = settledLock.newCondition();
    private long settled;

    /**
     * Starts the worker threads (none when {@code settings.mergeConcurrency()} is 0) and the janitor.
     *
     * @param runner    runs one job's merge
     * @param validator checks a request against the limits, throwing {@link InvalidRequestException}
     */
    public AsyncMergeService(JobSettings settings, JobRunner runner, Consumer<MergeRequest> validator) {
        this.settings = requireNonNull(settings, "settings");
        this.store = settings.store();
        this.validator = requireNonNull(validator, "validator");
        this.worker = new JobWorker(settings, runner, this::signalSettled);
        worker.start();
    }

    /**
     * Validates {@code request} and records it as a pending job (or, for a known idempotency key, returns
     * the task recorded first).
     *
     * @throws InvalidRequestException when the request or the key is invalid; nothing is recorded
     * @throws MergeException QUEUE_FULL when the store holds {@code maxPendingJobs} pending jobs or more; nothing is
     *         recorded (the count is read before the create, so concurrent submits may overshoot the limit by
     *         a few)
     * @throws io.videomerge.StoreUnavailableException when the store could not record it
     */
    public TaskId submit(MergeRequest request, Optional<String> idempotencyKey) {
        requireNonNull(request, "request");
        requireNonNull(idempotencyKey, "idempotencyKey");
        validator.accept(request);
        long max = settings.maxPendingJobs();
        if (max > 0) {
            long pending = store.countPending();
            if (pending >= max) {
                throw new MergeException(
                        ErrorCode.QUEUE_FULL,
                        "the queue is full (" + pending + " tasks are waiting, the limit is " + max
                                + "); try again later");
            }
        }
        NewJob job;
        try {
            job = new NewJob(TaskId.random(), request, idempotencyKey, settings.maxAttempts());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(
                    "idempotency key must have 1 to " + NewJob.MAX_KEY_LENGTH + " characters");
        }
        Job stored = store.create(job);
        worker.wake();
        return stored.id();
    }

    /** The task's status as the wire contract reports it. @throws MergeException TASK_NOT_FOUND */
    public TaskStatus status(TaskId id) {
        return toStatus(find(id));
    }

    /**
     * The result of a completed task.
     *
     * @throws MergeException TASK_NOT_FOUND, TASK_NOT_FINISHED, or the failure's own code and message
     */
    public MergeResult result(TaskId id) {
        Job job = find(id);
        switch (job.state()) {
            case COMPLETED:
                return job.result().orElseThrow();
            case FAILED:
            case CANCELLED:
                JobError error = job.error().orElseThrow();
                throw new MergeException(error.code(), error.message());
            default:
                throw new MergeException(
                        ErrorCode.TASK_NOT_FINISHED,
                        "the task is " + job.state().name().toLowerCase(Locale.ROOT));
        }
    }

    /**
     * Waits until the task is final or {@code timeout} passes. Jobs run by this instance wake the wait
     * at once; jobs run elsewhere are seen by polling the store, at most every half second.
     */
    public TaskStatus await(TaskId id, Duration timeout) throws InterruptedException {
        requireNonNull(timeout, "timeout");
        long deadline = System.nanoTime() + Math.max(0, timeout.toNanos());
        Duration poll = MIN_AWAIT_POLL;
        while (true) {
            long seen = settledCount();
            TaskStatus status = status(id);
            long left = deadline - System.nanoTime();
            if (status.status().isFinal() || left <= 0) {
                return status;
            }
            waitForSettled(seen, Math.min(left, poll.toNanos()));
            poll = poll.multipliedBy(2).compareTo(MAX_AWAIT_POLL) > 0 ? MAX_AWAIT_POLL : poll.multipliedBy(2);
        }
    }

    /**
     * Requests cancellation; a job running in this instance learns of it at once, one running elsewhere
     * at its next heartbeat.
     */
    public boolean cancel(TaskId id) {
        requireNonNull(id, "id");
        boolean cancelled = store.cancel(id);
        if (cancelled) {
            worker.beatSoon();
            signalSettled(id);
        }
        return cancelled;
    }

    /** Checks that the store answers. */
    public void ping() {
        store.ping();
    }

    /** How many jobs this instance is running now. */
    public int running() {
        return worker.runningCount();
    }

    /** Stops the worker as {@link JobWorker#close()} describes; the store is left open (the caller owns it). */
    @Override
    public void close() {
        worker.close();
    }

    private Job find(TaskId id) {
        requireNonNull(id, "id");
        return store.find(id).orElseThrow(() -> new MergeException(ErrorCode.TASK_NOT_FOUND, "no such task"));
    }

    static TaskStatus toStatus(Job job) {
        TaskStatus.Status status = switch (job.state()) {
            case PENDING -> TaskStatus.Status.PENDING;
            case PROCESSING -> TaskStatus.Status.PROCESSING;
            case COMPLETED -> TaskStatus.Status.COMPLETED;
            case FAILED, CANCELLED -> TaskStatus.Status.FAILED;
        };
        boolean failed = status == TaskStatus.Status.FAILED;
        Optional<ErrorCode> reason = failed ? job.error().map(JobError::code) : Optional.empty();
        String message = failed ? job.error().map(JobError::message).orElse(job.message()) : job.message();
        return new TaskStatus(job.id(), status, message, job.progress(), job.createdAt(), job.updatedAt(), reason);
    }

    /** A task may have become final: its run settled here, or it was cancelled here. */
    private void signalSettled(TaskId id) {
        settledLock.lock();
        try {
            settled++;
            settledSignal.signalAll();
        } finally {
            settledLock.unlock();
        }
    }

    private long settledCount() {
        settledLock.lock();
        try {
            return settled;
        } finally {
            settledLock.unlock();
        }
    }

    private void waitForSettled(long seen, long nanos) throws InterruptedException {
        settledLock.lock();
        try {
            long left = nanos;
            while (settled == seen && left > 0) {
                left = settledSignal.awaitNanos(left);
            }
        } finally {
            settledLock.unlock();
        }
    }
}
