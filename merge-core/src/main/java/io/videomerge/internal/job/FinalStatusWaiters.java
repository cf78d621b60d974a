package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The waits of {@link AsyncMergeService#awaitFinal}: futures keyed by task, each completed with its task's
 * status once that is final or once its timeout passes, all served by one scheduler thread that the first
 * wait starts.
 *
 * <p>The scheduler reads each waited-for task's status with a backoff per waiter, from the shortest poll
 * doubling up to the longest, so that tasks finished by other instances sharing the store are seen;
 * {@link #settled} makes a task's waiters due at once, so that a task settled in this instance needs no poll.
 * One read serves every waiter of a task that is due. A read that fails with
 * {@link StoreUnavailableException} is tried again by the same backoff, and fails the future only when it
 * is the last read before the timeout; any other failure (a task that does not exist, or no longer does)
 * fails the task's waiters at once.
 *
 * <p>Futures are completed on the scheduler thread (or on the caller's, when the first read already
 * decides), never while a lock is held. Cancelling a future forgets its waiter.
 */
final class FinalStatusWaiters implements AutoCloseable {
    static final Duration MIN_POLL = Duration.ofMillis(10);
    static final Duration MAX_POLL = Duration.ofMillis(500);
    /** The scheduler ends once it sees the close; the bound covers a store read it is in the middle of. */
    static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    private static final Logger LOG = LoggerFactory.getLogger(FinalStatusWaiters.class);

    private final Function<TaskId, TaskStatus> reader;
    private final long minPoll;
    private final long maxPoll;
    private final String threadName;
    /** Times are nanoseconds since this, so that they order with plain comparisons. */
    private final long origin = System.nanoTime();

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final Map<TaskId, Set<Waiter>> byTask = new HashMap<>();
    private final TreeSet<Waiter> queue =
            new TreeSet<>(Comparator.comparingLong((Waiter w) -> w.dueAt).thenComparingLong(w -> w.seq));
    private long nextSeq;
    private Thread scheduler;
    private boolean closed;

    /**
     * @param reader     the task's current status; throws {@link io.videomerge.MergeException} TASK_NOT_FOUND
     *                   for an unknown task and {@link StoreUnavailableException} when the store fails
     * @param minPoll    the first wait before a waiter's task is read again
     * @param maxPoll    the longest wait between two reads for one waiter
     * @param threadName the scheduler thread's name
     */
    FinalStatusWaiters(Function<TaskId, TaskStatus> reader, Duration minPoll, Duration maxPoll, String threadName) {
        this.reader = requireNonNull(reader, "reader");
        this.minPoll = requireNonNull(minPoll, "minPoll").toNanos();
        this.maxPoll = requireNonNull(maxPoll, "maxPoll").toNanos();
        this.threadName = requireNonNull(threadName, "threadName");
        if (this.minPoll <= 0 || this.maxPoll < this.minPoll) {
            throw new IllegalArgumentException(
                    "polls must satisfy 0 < minPoll <= maxPoll: " + minPoll + ", " + maxPoll);
        }
    }

    /**
     * A future of {@code id}'s status once final, or of its status when {@code timeout} passes. The first read
     * happens in the calling thread, so a task that is already final, a zero timeout or an unknown task is
     * answered before this returns; after {@link #close()} every wait is answered that way.
     */
    CompletableFuture<TaskStatus> await(TaskId id, Duration timeout) {
        requireNonNull(id, "id");
        requireNonNull(timeout, "timeout");
        long now = now();
        long deadline = timeout.isNegative() ? now : now + saturatedNanos(timeout);
        Waiter waiter = new Waiter(id, deadline);
        // Registered before the first read: a settle between that read and the registration is not lost.
        boolean registered = register(waiter, now);
        if (registered) {
            waiter.future.whenComplete((status, failure) -> forget(waiter));
        }
        Outcome first = read(id);
        Map<TaskId, Outcome> outcome = Map.of(id, first);
        if (!registered || first.decides() || deadline - now() <= 0) {
            finish(List.of(waiter), outcome, true);
        }
        return waiter.future;
    }

    /** The task may have become final: its waiters are read at once instead of at their next poll. */
    void settled(TaskId id) {
        lock.lock();
        try {
            Set<Waiter> waiters = byTask.get(id);
            if (waiters == null) {
                return;
            }
            long now = now();
            for (Waiter w : waiters) {
                queue.remove(w);
                w.dueAt = now;
                queue.add(w);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** How many waits are outstanding. */
    int waiting() {
        lock.lock();
        try {
            return byTask.values().stream().mapToInt(Set::size).sum();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Stops the scheduler and answers every outstanding wait with its task's current status, or with the
     * failure of reading it; later waits are answered at once. Returns once the scheduler thread has ended, or
     * after {@link #CLOSE_WAIT} (a servlet container stopping the application looks for it right after).
     */
    @Override
    public void close() {
        List<Waiter> left;
        Thread running;
        lock.lock();
        try {
            closed = true;
            running = scheduler;
            // Also the waiters the scheduler is reading now: it answers them too, and the first answer counts.
            left = new ArrayList<>();
            byTask.values().forEach(left::addAll);
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        finish(left, readAll(left), true);
        if (running != null && running != Thread.currentThread()) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(running, CLOSE_WAIT.toNanos());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (running.isAlive()) {
                LOG.warn("Thread {} did not end within {}", threadName, CLOSE_WAIT);
            }
        }
    }

    private boolean register(Waiter waiter, long now) {
        lock.lock();
        try {
            if (closed) {
                return false;
            }
            waiter.seq = nextSeq++;
            waiter.poll = minPoll;
            waiter.dueAt = Math.min(now + minPoll, waiter.deadline);
            byTask.computeIfAbsent(waiter.id, k -> new LinkedHashSet<>()).add(waiter);
            queue.add(waiter);
            if (scheduler == null) {
                scheduler = new Thread(this::schedule, threadName);
                scheduler.setDaemon(true);
                scheduler.start();
            }
            changed.signalAll();
            return true;
        } finally {
            lock.unlock();
        }
    }

    private void forget(Waiter waiter) {
        lock.lock();
        try {
            unregister(waiter);
        } finally {
            lock.unlock();
        }
    }

    /** Takes the waiter out of the queue and the registry; under the lock. */
    private void unregister(Waiter waiter) {
        queue.remove(waiter);
        Set<Waiter> waiters = byTask.get(waiter.id);
        if (waiters != null && waiters.remove(waiter) && waiters.isEmpty()) {
            byTask.remove(waiter.id);
        }
    }

    private void schedule() {
        while (true) {
            List<Waiter> due = new ArrayList<>();
            lock.lock();
            try {
                while (!closed && (queue.isEmpty() || queue.first().dueAt - now() > 0)) {
                    if (queue.isEmpty()) {
                        changed.awaitUninterruptibly();
                    } else {
                        changed.awaitNanos(queue.first().dueAt - now());
                    }
                }
                if (closed) {
                    return;
                }
                long now = now();
                while (!queue.isEmpty() && queue.first().dueAt - now <= 0) {
                    // Taken out while read; a settle meanwhile puts it back due at once.
                    due.add(queue.pollFirst());
                }
            } catch (InterruptedException e) {
                // Only close() ends this thread; an interrupt from elsewhere is not a reason to stop serving.
                continue;
            } finally {
                lock.unlock();
            }
            try {
                finish(due, readAll(due), false);
            } catch (RuntimeException e) {
                LOG.error("Waiting for tasks failed unexpectedly; their waits are answered as they stand", e);
                finish(due, Map.of(), true);
            }
        }
    }

    private Map<TaskId, Outcome> readAll(List<Waiter> waiters) {
        Map<TaskId, Outcome> outcomes = new LinkedHashMap<>();
        for (Waiter w : waiters) {
            outcomes.computeIfAbsent(w.id, this::read);
        }
        return outcomes;
    }

    private Outcome read(TaskId id) {
        try {
            return new Outcome(reader.apply(id), null);
        } catch (RuntimeException e) {
            return new Outcome(null, e);
        }
    }

    /**
     * Completes each waiter whose outcome decides (a final status, a failure other than the store's) or whose
     * deadline passed, or all of them when {@code last}; puts the others back with a doubled poll. A final
     * status or a lasting failure also completes the task's waiters that were not due.
     */
    private void finish(List<Waiter> waiters, Map<TaskId, Outcome> outcomes, boolean last) {
        Map<Waiter, Outcome> complete = new LinkedHashMap<>();
        lock.lock();
        try {
            long now = now();
            for (Waiter w : waiters) {
                Outcome outcome = outcomes.get(w.id);
                if (outcome == null) {
                    outcome = new Outcome(null, new IllegalStateException("the task's status could not be read"));
                }
                if (last || closed || outcome.decides() || w.deadline - now <= 0) {
                    complete.put(w, outcome);
                    if (outcome.decides()) {
                        for (Waiter other : byTask.getOrDefault(w.id, Set.of())) {
                            complete.putIfAbsent(other, outcome);
                        }
                    }
                } else if (!w.future.isDone()
                        && byTask.getOrDefault(w.id, Set.of()).contains(w)) {
                    if (!queue.contains(w)) {
                        w.poll = Math.min(w.poll * 2, maxPoll);
                        w.dueAt = Math.min(now + w.poll, w.deadline);
                        queue.add(w);
                    }
                }
            }
            // Forgotten before their futures complete, so that whoever the completion wakes counts them gone.
            complete.keySet().forEach(this::unregister);
        } finally {
            lock.unlock();
        }
        complete.forEach((w, outcome) -> outcome.complete(w.future));
    }

    private long now() {
        return System.nanoTime() - origin;
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            // Far beyond any real wait; leaves room to add to the clock without overflow.
            return Long.MAX_VALUE / 4;
        }
    }

    /** A status read, or why it failed. */
    private record Outcome(TaskStatus status, RuntimeException failure) {
        /** Whether waiting longer cannot change the answer. */
        boolean decides() {
            return status != null ? status.status().isFinal() : !(failure instanceof StoreUnavailableException);
        }

        void complete(CompletableFuture<TaskStatus> future) {
            if (status != null) {
                future.complete(status);
            } else {
                future.completeExceptionally(failure);
            }
        }
    }

    private static final class Waiter {
        final TaskId id;
        final long deadline;
        final CompletableFuture<TaskStatus> future = new CompletableFuture<>();
        long seq;
        long poll;
        long dueAt;

        Waiter(TaskId id, long deadline) {
            this.id = id;
            this.deadline = deadline;
        }
    }
}
