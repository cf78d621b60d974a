package io.videomerge.http;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Principal;
import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A map of tasks that a test moves on by hand ({@link #start}, {@link #complete}, {@link #fail}): it stands
 * in for the job layer where a test needs a task in an exact state at an exact moment (a cancel racing
 * nothing, a failure with each code, a store that is down); the merge flow itself runs the real service.
 *
 * <p>{@link #awaitFinal} waits hold no thread: a task that finishes completes its waits in the thread that
 * finished it (the test's), a timeout completes them on the JDK's delay thread.
 */
final class OnDemandMergeService implements MergeService {
    private final Clock clock = Clock.systemUTC();
    private final Map<TaskId, Task> tasks = new HashMap<>();
    private final Map<String, TaskId> keys = new HashMap<>();
    private final Map<TaskId, Principal> owners = new HashMap<>();
    private final Map<TaskId, MergeRequest> requests = new HashMap<>();
    private final List<Wait> waits = new ArrayList<>();
    private RuntimeException refusal;
    private MergeRequest lastRequest;
    private boolean storeDown;
    private RuntimeException pingFailure;

    private record Wait(TaskId id, CompletableFuture<TaskStatus> future) {}

    private static final class Task {
        final Instant createdAt;
        TaskStatus.Status status = TaskStatus.Status.PENDING;
        Instant updatedAt;
        double progress;
        MergeResult result;
        MergeException failure;

        Task(Instant now) {
            createdAt = now;
            updatedAt = now;
        }
    }

    /** Makes the next submits throw {@code e} (until cleared with null). */
    synchronized void refuseSubmits(RuntimeException e) {
        refusal = e;
    }

    synchronized void storeDown(boolean down) {
        storeDown = down;
    }

    /** Makes {@link #ping} throw {@code e} (until cleared with null), as a full disk does. */
    synchronized void failPings(RuntimeException e) {
        pingFailure = e;
    }

    synchronized void start(TaskId id, double progress) {
        Task t = get(id);
        t.status = TaskStatus.Status.PROCESSING;
        t.progress = progress;
        touch(t);
    }

    /** Completes the task; its waits are answered in this thread before this returns. */
    void complete(TaskId id, MergeResult result) {
        synchronized (this) {
            Task t = get(id);
            t.status = TaskStatus.Status.COMPLETED;
            t.progress = 1.0;
            t.result = result;
            touch(t);
        }
        answerWaits(id);
    }

    /** Fails the task; its waits are answered in this thread before this returns. */
    void fail(TaskId id, MergeException failure) {
        synchronized (this) {
            Task t = get(id);
            t.status = TaskStatus.Status.FAILED;
            t.failure = failure;
            touch(t);
        }
        answerWaits(id);
    }

    synchronized int size() {
        return tasks.size();
    }

    synchronized MergeRequest lastRequest() {
        return lastRequest;
    }

    /** Waits until {@code count} tasks exist or the timeout passes; returns whether they do. */
    synchronized boolean awaitTasks(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (tasks.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Waits until {@code count} {@link #awaitFinal} waits are outstanding, or the timeout passes. */
    synchronized boolean awaitWaits(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (waits.size() < count) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** The tasks that {@link #awaitFinal} waits are outstanding for. */
    synchronized java.util.Set<TaskId> waitedFor() {
        return waits.stream().map(Wait::id).collect(java.util.stream.Collectors.toSet());
    }

    /** How many {@link #awaitFinal} waits are outstanding. */
    synchronized int waiting() {
        return waits.size();
    }

    /** The ids of every task, oldest first is not promised. */
    synchronized java.util.Set<TaskId> ids() {
        return java.util.Set.copyOf(tasks.keySet());
    }

    private void touch(Task t) {
        t.updatedAt = clock.instant();
        notifyAll();
    }

    private Task get(TaskId id) {
        checkStore();
        Task t = tasks.get(id);
        if (t == null) {
            throw new MergeException(ErrorCode.TASK_NOT_FOUND, "no such task");
        }
        return t;
    }

    private void checkStore() {
        if (storeDown) {
            throw new StoreUnavailableException("the job store does not answer", null);
        }
    }

    @Override
    public MergeResult merge(MergeRequest request) {
        throw new UnsupportedOperationException("the servlet never merges in its own thread");
    }

    @Override
    public synchronized TaskId submit(MergeRequest request) {
        checkStore();
        if (refusal != null) {
            throw refusal;
        }
        TaskId id = TaskId.random();
        tasks.put(id, new Task(clock.instant()));
        lastRequest = request;
        notifyAll();
        return id;
    }

    @Override
    public synchronized TaskId submit(MergeRequest request, String idempotencyKey) {
        return submit(Principal.ANONYMOUS, request, Optional.of(idempotencyKey));
    }

    /** Keys per principal, a key used again with another request refused: the contract of the real service. */
    @Override
    public synchronized TaskId submit(Principal principal, MergeRequest request, Optional<String> idempotencyKey) {
        String scoped = idempotencyKey.map(k -> principal.id() + "\n" + k).orElse(null);
        TaskId known = scoped == null ? null : keys.get(scoped);
        if (known != null) {
            if (!requests.get(known).equals(request)) {
                throw new MergeException(ErrorCode.IDEMPOTENCY_KEY_REUSED, "the key was used for another request");
            }
            return known;
        }
        TaskId id = submit(request);
        owners.put(id, principal);
        requests.put(id, request);
        if (scoped != null) {
            keys.put(scoped, id);
        }
        return id;
    }

    /** The principal that submitted the task. */
    synchronized Principal owner(TaskId id) {
        return owners.getOrDefault(id, Principal.ANONYMOUS);
    }

    private void checkOwner(Principal principal, TaskId id) {
        if (!owner(id).equals(principal)) {
            throw new MergeException(ErrorCode.TASK_NOT_FOUND, "no such task");
        }
    }

    @Override
    public synchronized TaskStatus status(Principal principal, TaskId id) {
        checkOwner(principal, id);
        return status(id);
    }

    @Override
    public synchronized MergeResult result(Principal principal, TaskId id) {
        checkOwner(principal, id);
        return result(id);
    }

    @Override
    public CompletableFuture<TaskStatus> awaitFinal(Principal principal, TaskId id, Duration timeout) {
        try {
            checkOwner(principal, id);
        } catch (MergeException e) {
            return CompletableFuture.failedFuture(e);
        }
        return awaitFinal(id, timeout);
    }

    @Override
    public boolean cancel(Principal principal, TaskId id) {
        synchronized (this) {
            if (!owner(id).equals(principal)) {
                return false;
            }
        }
        return cancel(id);
    }

    @Override
    public void validate(MergeRequest request) {}

    @Override
    public synchronized TaskStatus status(TaskId id) {
        Task t = get(id);
        String message = switch (t.status) {
            case PENDING -> "Waiting for a worker";
            case PROCESSING -> "Merging";
            case COMPLETED -> "Merge completed";
            case FAILED -> t.failure.getMessage();
        };
        return new TaskStatus(
                id,
                t.status,
                message,
                t.progress,
                t.createdAt,
                t.updatedAt,
                t.failure == null ? Optional.empty() : Optional.of(t.failure.code()));
    }

    @Override
    public synchronized MergeResult result(TaskId id) {
        Task t = get(id);
        if (t.failure != null) {
            throw t.failure;
        }
        if (t.result == null) {
            throw new MergeException(ErrorCode.TASK_NOT_FINISHED, "the task has not finished");
        }
        return t.result;
    }

    @Override
    public synchronized TaskStatus await(TaskId id, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!get(id).status.isFinal()) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                break;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return status(id);
    }

    @Override
    public CompletableFuture<TaskStatus> awaitFinal(TaskId id, Duration timeout) {
        CompletableFuture<TaskStatus> future = new CompletableFuture<>();
        Wait wait = new Wait(id, future);
        synchronized (this) {
            TaskStatus now;
            try {
                now = status(id);
            } catch (RuntimeException e) {
                future.completeExceptionally(e);
                return future;
            }
            if (now.status().isFinal() || timeout.isZero() || timeout.isNegative()) {
                future.complete(now);
                return future;
            }
            waits.add(wait);
            notifyAll();
        }
        future.whenComplete((status, failure) -> forget(wait));
        CompletableFuture.delayedExecutor(timeout.toNanos(), TimeUnit.NANOSECONDS, Runnable::run)
                .execute(() -> answer(wait));
        return future;
    }

    private synchronized void forget(Wait wait) {
        waits.remove(wait);
        notifyAll();
    }

    private void answerWaits(TaskId id) {
        List<Wait> due;
        synchronized (this) {
            due = waits.stream().filter(w -> w.id.equals(id)).toList();
        }
        due.forEach(this::answer);
    }

    /** Completes outside the lock, as the real service does: the servlet writes its answer in this thread. */
    private void answer(Wait wait) {
        TaskStatus now;
        try {
            now = status(wait.id);
        } catch (RuntimeException e) {
            wait.future.completeExceptionally(e);
            return;
        }
        wait.future.complete(now);
    }

    @Override
    public boolean cancel(TaskId id) {
        synchronized (this) {
            Task t = tasks.get(id);
            if (t == null || t.status.isFinal()) {
                return false;
            }
            if (t.status != TaskStatus.Status.PENDING) {
                return true;
            }
            t.status = TaskStatus.Status.FAILED;
            t.failure = new MergeException(ErrorCode.CANCELLED, "the merge was cancelled");
            touch(t);
        }
        answerWaits(id);
        return true;
    }

    @Override
    public synchronized void ping() {
        checkStore();
        if (pingFailure != null) {
            throw pingFailure;
        }
    }

    @Override
    public void close() {}
}
