package io.videomerge.internal.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.spi.Job;
import io.videomerge.store.memory.InMemoryJobStore;
import io.videomerge.testing.SampleJobs;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

/**
 * The job's keys in the MDC, on a real MDC: merge-server's logback keeps one, while the other modules test with
 * slf4j-simple, whose MDC keeps nothing. Hence this test of merge-core's job layer lives here.
 */
class JobContextTest {
    private final InMemoryJobStore store = new InMemoryJobStore();

    @AfterEach
    void clear() {
        MDC.clear();
        store.close();
    }

    @Test
    @DisplayName("a job's context puts its task id, principal and attempt in the MDC and puts back what was there")
    void contextIsEnteredAndLeft() {
        store.create(SampleJobs.newJob());
        Job claimed = store.claim("owner", Duration.ofMinutes(1)).orElseThrow();
        MDC.put(JobContext.TASK_ID, "the caller's own");

        try (JobContext context = JobContext.running(claimed)) {
            assertEquals(claimed.id().value(), MDC.get(JobContext.TASK_ID));
            assertEquals(Principal.ANONYMOUS.id(), MDC.get(JobContext.PRINCIPAL));
            assertEquals("1", MDC.get(JobContext.ATTEMPT));
        }

        assertEquals("the caller's own", MDC.get(JobContext.TASK_ID));
        assertNull(MDC.get(JobContext.PRINCIPAL));
        assertNull(MDC.get(JobContext.ATTEMPT));
    }

    @Test
    @DisplayName("the worker's thread has the job's context in both stages, and the submitting thread none after")
    void workerThreadsCarryTheContext() throws Exception {
        List<Map<String, String>> seen = new CopyOnWriteArrayList<>();
        JobRunner runner = new JobRunner() {
            @Override
            public Fetched fetch(TaskId id, MergeRequest request, Consumer<StageReport> stages) {
                seen.add(MDC.getCopyOfContextMap());
                return new Fetched() {
                    @Override
                    public MergeResult merge(DoubleConsumer progress) {
                        seen.add(MDC.getCopyOfContextMap());
                        return SampleJobs.RESULT;
                    }

                    @Override
                    public void close() {}
                };
            }
        };
        JobSettings settings = new JobSettings(
                store,
                1,
                1,
                0,
                0,
                Duration.ofSeconds(30),
                Duration.ofMillis(50),
                3,
                RetryBackoff.DEFAULT,
                Duration.ofHours(1),
                Duration.ofMillis(50),
                Duration.ofMillis(50),
                Duration.ZERO,
                "instance-1",
                Clock.systemUTC());
        try (AsyncMergeService service = new AsyncMergeService(settings, runner, request -> {})) {
            TaskId id = service.submit(new Principal("client-7"), SampleJobs.REQUEST, Optional.empty());

            TaskStatus status = service.await(Optional.empty(), id, Duration.ofMinutes(1));

            assertEquals(TaskStatus.Status.COMPLETED, status.status());
            assertEquals(2, seen.size());
            for (Map<String, String> mdc : seen) {
                assertEquals(Map.of("task_id", id.value(), "principal", "client-7", "attempt", "1"), mdc);
            }
            assertTrue(
                    MDC.getCopyOfContextMap() == null
                            || MDC.getCopyOfContextMap().isEmpty(),
                    "the submit's context is left: " + MDC.getCopyOfContextMap());
        }
    }
}
