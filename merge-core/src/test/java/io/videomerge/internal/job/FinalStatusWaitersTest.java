package io.videomerge.internal.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.TaskStatus.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The waiter registry on its own, over a map of statuses: what the store-backed contract cannot show, such as
 * a settle that answers a wait although no poll would be due for an hour.
 */
class FinalStatusWaitersTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final Duration HOUR = Duration.ofHours(1);

    private final Map<TaskId, Status> tasks = new ConcurrentHashMap<>();
    private final AtomicInteger reads = new AtomicInteger();
    private FinalStatusWaiters waiters;

    @AfterEach
    void close() {
        if (waiters != null) {
            waiters.close();
        }
    }

    private FinalStatusWaiters waiters(Duration minPoll, Duration maxPoll) {
        waiters = new FinalStatusWaiters(this::read, minPoll, maxPoll, "test-await");
        return waiters;
    }

    private TaskStatus read(TaskId id) {
        reads.incrementAndGet();
        Status status = tasks.get(id);
        if (status == null) {
            throw new MergeException(ErrorCode.TASK_NOT_FOUND, "no such task");
        }
        Instant at = Instant.EPOCH;
        return new TaskStatus(id, status, status.name(), 0, at, at, Optional.empty());
    }

    private TaskId task(Status status) {
        TaskId id = TaskId.random();
        tasks.put(id, status);
        return id;
    }

    private static TaskStatus outcome(CompletableFuture<TaskStatus> wait) throws Exception {
        return wait.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Test
    @DisplayName("a settle answers the task's waits at once, though their next poll is an hour away")
    void settleNeedsNoPoll() throws Exception {
        FinalStatusWaiters waiters = waiters(HOUR, HOUR);
        TaskId id = task(Status.PROCESSING);
        CompletableFuture<TaskStatus> first = waiters.await(id, HOUR);
        CompletableFuture<TaskStatus> second = waiters.await(id, HOUR);
        assertFalse(first.isDone());

        tasks.put(id, Status.COMPLETED);
        waiters.settled(id);

        assertEquals(Status.COMPLETED, outcome(first).status());
        assertEquals(Status.COMPLETED, outcome(second).status());
        assertEquals(0, waiters.waiting());
    }

    @Test
    @DisplayName("a settle that leaves the task unfinished (a retry is due) keeps the wait going")
    void settleOfUnfinishedTaskKeepsWaiting() throws Exception {
        FinalStatusWaiters waiters = waiters(HOUR, HOUR);
        TaskId id = task(Status.PROCESSING);
        CompletableFuture<TaskStatus> wait = waiters.await(id, HOUR);
        int readsBefore = reads.get();

        tasks.put(id, Status.PENDING);
        waiters.settled(id);
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (reads.get() == readsBefore) {
            assertTrue(System.nanoTime() - deadline < 0, "the settle was not read within " + WAIT);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }

        assertFalse(wait.isDone());
        assertEquals(1, waiters.waiting());
        tasks.put(id, Status.FAILED);
        waiters.settled(id);
        assertEquals(Status.FAILED, outcome(wait).status());
    }

    @Test
    @DisplayName("without a settle, polling finds a task that was finished behind the registry's back")
    void pollFindsTaskFinishedElsewhere() throws Exception {
        FinalStatusWaiters waiters = waiters(FinalStatusWaiters.MIN_POLL, FinalStatusWaiters.MAX_POLL);
        TaskId id = task(Status.PENDING);
        CompletableFuture<TaskStatus> wait = waiters.await(id, HOUR);

        tasks.put(id, Status.COMPLETED);

        assertEquals(Status.COMPLETED, outcome(wait).status());
    }

    @Test
    @DisplayName("the timeout answers the status as it stands, also when the next poll would come later")
    void timeoutBeforeNextPoll() throws Exception {
        FinalStatusWaiters waiters = waiters(HOUR, HOUR);
        TaskId id = task(Status.PROCESSING);

        assertEquals(
                Status.PROCESSING,
                outcome(waiters.await(id, Duration.ofMillis(20))).status());
        assertEquals(
                Status.PROCESSING,
                outcome(waiters.await(id, Duration.ofSeconds(-1))).status());
    }

    @Test
    @DisplayName("an unknown task fails the wait before await returns; a store that stays down fails it at the timeout")
    void failures() {
        FinalStatusWaiters waiters = waiters(FinalStatusWaiters.MIN_POLL, FinalStatusWaiters.MAX_POLL);

        CompletableFuture<TaskStatus> unknown = waiters.await(TaskId.random(), HOUR);

        assertTrue(unknown.isCompletedExceptionally());
        FinalStatusWaiters down = new FinalStatusWaiters(
                id -> {
                    throw new StoreUnavailableException("down", null);
                },
                FinalStatusWaiters.MIN_POLL,
                FinalStatusWaiters.MAX_POLL,
                "test-down");
        try {
            CompletableFuture<TaskStatus> wait = down.await(TaskId.random(), Duration.ofMillis(50));
            ExecutionException e = assertThrows(ExecutionException.class, () -> outcome(wait));
            assertInstanceOf(StoreUnavailableException.class, e.getCause());
        } finally {
            down.close();
        }
    }

    @Test
    @DisplayName("close answers every outstanding wait with the current status, and later waits at once")
    void closeAnswersEveryWait() throws Exception {
        FinalStatusWaiters waiters = waiters(HOUR, HOUR);
        TaskId id = task(Status.PENDING);
        CompletableFuture<TaskStatus> wait = waiters.await(id, HOUR);

        waiters.close();

        assertTrue(wait.isDone());
        assertEquals(Status.PENDING, wait.get().status());
        CompletableFuture<TaskStatus> late = waiters.await(id, HOUR);
        assertTrue(late.isDone());
        assertEquals(0, waiters.waiting());
    }
}
