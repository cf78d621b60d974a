package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.InvalidRequestException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.NewJob;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * The asynchronous half of {@link io.videomerge.MergeService}: records validated requests as jobs in
 * the {@link JobStore}, answers status, result, awaitFinal and cancel from the store (so any instance sharing
 * the store answers for any task), and runs a {@link JobWorker} over the same store, and a {@link WebhookDeliverer}
 * when the service sends webhooks.
 */
public final class AsyncMergeService implements AutoCloseable {
    private final JobSettings settings;
    private final JobStore store;
    private final Consumer<MergeRequest> validator;
    private final JobEvents events;
    private final JobWorker worker;
    private final Optional<WebhookDeliverer> deliverer;
    private final FinalStatusWaiters waiters = new FinalStatusWaiters(
            id -> status(Optional.empty(), id),
            FinalStatusWaiters.MIN_POLL,
            FinalStatusWaiters.MAX_POLL,
            "videomerge-await");

    /**
     * Starts the worker threads (none when {@code settings.mergeConcurrency()} is 0) and the janitor; jobs are
     * logged ({@link JobLog}) and told to no one else.
     *
     * @param runner    runs one job's merge
     * @param validator checks a request against the limits, throwing {@link InvalidRequestException}
     */
    public AsyncMergeService(JobSettings settings, JobRunner runner, Consumer<MergeRequest> validator) {
        this(settings, runner, validator, Optional.empty(), JobEvents.NONE);
    }

    /**
     * Starts the worker, as above, and the webhook deliverer when one is given; it is closed with this service.
     * Without one, a request with a callback URL must be refused by {@code validator}: nothing would deliver it.
     * {@code observer} is told of every job event after the log has.
     */
    public AsyncMergeService(
            JobSettings settings,
            JobRunner runner,
            Consumer<MergeRequest> validator,
            Optional<WebhookDeliverer> deliverer,
            JobEvents observer) {
        this.settings = requireNonNull(settings, "settings");
        this.store = settings.store();
        this.validator = requireNonNull(validator, "validator");
        this.deliverer = requireNonNull(deliverer, "deliverer");
        this.events = JobEvents.all(List.of(new JobLog(), requireNonNull(observer, "observer")));
        this.worker = new JobWorker(settings, runner, events, this::signalSettled);
        worker.start();
        deliverer.ifPresent(WebhookDeliverer::start);
    }

    /**
     * Validates {@code request} and records it as a pending job of {@code principal} (or, for an idempotency key
     * that principal used before, returns the task recorded first). A request without a callback URL gets the
     * deliverer's default one, if any, before its fingerprint is taken.
     *
     * @throws InvalidRequestException when the request or the key is invalid; nothing is recorded
     * @throws MergeException IDEMPOTENCY_KEY_REUSED when the principal used the key before for a different request
     *         (another fingerprint); QUEUE_FULL when the store holds {@code maxPendingJobs} pending jobs or more;
     *         nothing is recorded (the count is read before the create, so concurrent submits may overshoot the
     *         limit by a few)
     * @throws io.videomerge.StoreUnavailableException when the store could not record it
     */
    public TaskId submit(Principal principal, MergeRequest request, Optional<String> idempotencyKey) {
        requireNonNull(principal, "principal");
        requireNonNull(request, "request");
        requireNonNull(idempotencyKey, "idempotencyKey");
        validator.accept(request);
        MergeRequest recorded = request.callbackUrl().isPresent()
                ? request
                : deliverer
                        .flatMap(WebhookDeliverer::defaultCallbackUrl)
                        .map(request::withCallbackUrl)
                        .orElse(request);
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
            job = new NewJob(TaskId.random(), recorded, principal, idempotencyKey, settings.maxAttempts());
        } catch (IllegalArgumentException e) {
            throw new InvalidRequestException(
                    "idempotency key must have 1 to " + NewJob.MAX_KEY_LENGTH + " characters");
        }
        Job stored = store.create(job);
        if (!stored.id().equals(job.id())) {
            if (!stored.fingerprint().equals(job.fingerprint())) {
                throw new MergeException(
                        ErrorCode.IDEMPOTENCY_KEY_REUSED,
                        "this Idempotency-Key was used before with a different request; use a new key for a new"
                                + " request");
            }
            return stored.id();
        }
        try (JobContext context = JobContext.of(stored)) {
            events.submitted(stored);
        }
        worker.wake();
        return stored.id();
    }

    /**
     * The task's status as the wire contract reports it.
     *
     * @param as the principal asking, or empty for the application itself (any task)
     * @throws MergeException TASK_NOT_FOUND, also for another principal's task
     */
    public TaskStatus status(Optional<Principal> as, TaskId id) {
        return toStatus(find(as, id));
    }

    /**
     * The result of a completed task.
     *
     * @param as the principal asking, or empty for the application itself (any task)
     * @throws MergeException TASK_NOT_FOUND (also for another principal's task), TASK_NOT_FINISHED, or the failure's
     *         own code and message
     */
    public MergeResult result(Optional<Principal> as, TaskId id) {
        Job job = find(as, id);
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
     * A future of the task's status once final, or of its status when {@code timeout} passes, with no thread
     * held per wait: jobs settled by this instance complete their waits at once; jobs run elsewhere are seen
     * by one scheduler thread that reads each waited-for task from the store, every 10 ms at first, backing
     * off to every 500 ms. The first read happens in the calling thread.
     *
     * <p>The future fails with {@link MergeException} TASK_NOT_FOUND for an unknown task, and with
     * {@link io.videomerge.StoreUnavailableException} when the store failed on the last read before the
     * timeout (earlier failures are read again with the backoff). After {@link #close()} it is completed with
     * the current status at once. Dependent actions run on the scheduler thread: they must not block.
     *
     * @param as the principal asking, or empty for the application itself (any task); another principal's task
     *     fails the future with TASK_NOT_FOUND, as an unknown one does
     */
    public CompletableFuture<TaskStatus> awaitFinal(Optional<Principal> as, TaskId id, Duration timeout) {
        if (as.isPresent()) {
            try {
                // Owners never change, so one look decides; the waiters read the status again.
                find(as, id);
            } catch (RuntimeException e) {
                return CompletableFuture.failedFuture(e);
            }
        }
        return waiters.await(id, timeout);
    }

    /**
     * Blocks until {@link #awaitFinal} completes: the task's status once final, or when {@code timeout} passes.
     *
     * @throws MergeException as the future fails (TASK_NOT_FOUND, STORE_UNAVAILABLE)
     * @throws InterruptedException when the waiting thread is interrupted; the wait is then given up
     */
    public TaskStatus await(Optional<Principal> as, TaskId id, Duration timeout) throws InterruptedException {
        CompletableFuture<TaskStatus> wait = awaitFinal(as, id, timeout);
        try {
            return wait.get();
        } catch (InterruptedException e) {
            wait.cancel(false);
            throw e;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException failure) {
                throw failure;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        }
    }

    /** How many {@link #awaitFinal} waits are outstanding. */
    public int waiting() {
        return waiters.waiting();
    }

    /**
     * Requests cancellation; a job running in this instance learns of it at once, one running elsewhere
     * at its next heartbeat.
     *
     * @param as the principal asking, or empty for the application itself (any task); another principal's task
     *     answers false, as an unknown one does, and is left alone
     */
    public boolean cancel(Optional<Principal> as, TaskId id) {
        requireNonNull(id, "id");
        if (as.isPresent()
                && store.find(id)
                        .filter(job -> job.principal().equals(as.get()))
                        .isEmpty()) {
            return false;
        }
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

    /**
     * Stops the worker as {@link JobWorker#close()} describes, then the deliverer as
     * {@link WebhookDeliverer#close()} does, then answers outstanding waits with their tasks' statuses as they stand;
     * the store is left open (the caller owns it).
     */
    @Override
    public void close() {
        try {
            worker.close();
        } finally {
            try {
                deliverer.ifPresent(WebhookDeliverer::close);
            } finally {
                waiters.close();
            }
        }
    }

    /** The job, when {@code as} may see it: another principal's task is as unknown as a missing one. */
    private Job find(Optional<Principal> as, TaskId id) {
        requireNonNull(as, "as");
        requireNonNull(id, "id");
        return store.find(id)
                .filter(job -> as.isEmpty() || job.principal().equals(as.get()))
                .orElseThrow(() -> new MergeException(ErrorCode.TASK_NOT_FOUND, "no such task"));
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

    /** A task may have become final: its run settled here, or it was cancelled here; so its webhook may be due. */
    private void signalSettled(TaskId id) {
        waiters.settled(id);
        deliverer.ifPresent(WebhookDeliverer::wake);
    }
}
