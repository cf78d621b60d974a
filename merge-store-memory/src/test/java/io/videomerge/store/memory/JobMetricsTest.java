package io.videomerge.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job layer's meters on a real {@link SimpleMeterRegistry}: one real merge of generated clips that completes and
 * one whose download fails, through {@link MergeService.Builder#meterRegistry}, on the in-memory store.
 */
class JobMetricsTest {
    private static final Duration WAIT = Duration.ofMinutes(2);

    @TempDir
    Path dir;

    private ClipServer clips;
    private long clipBytes;

    @BeforeEach
    void serveTwoClips() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("clips"));
        Path a = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), folder, "a");
        Path b = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.2), folder, "b");
        clipBytes = Files.size(a) + Files.size(b);
        clips = ClipServer.serve(folder);
    }

    @AfterEach
    void stopServer() {
        clips.close();
    }

    @Test
    @DisplayName(
            "a completed and a failed job count by outcome and code; the completed one times every stage and its speed")
    void completedAndFailedJobsAreMeasured() throws Exception {
        MeterRegistry registry = new SimpleMeterRegistry();
        InMemoryJobStore store = new InMemoryJobStore();
        try (MergeService service = MergeService.builder()
                .jobStore(store)
                .uploader(new FileSystemUploader(dir.resolve("merged"), URI.create("https://cdn.example.com/m/")))
                .workDirectory(dir.resolve("work"))
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .heartbeat(Duration.ofMillis(50))
                .mergeConcurrency(1)
                .meterRegistry(registry)
                .build()) {
            assertEquals(0, stage(registry, "fetch").count(), "the timers exist before the first job");

            TaskId completed = service.submit(request("a.mp4", "b.mp4"));
            TaskId failed = service.submit(request("a.mp4", "missing.mp4"));

            assertEquals(TaskStatus.Status.COMPLETED, await(service, completed).status());
            assertEquals(
                    ErrorCode.DOWNLOAD_FAILED, await(service, failed).reason().orElseThrow());
            // Counted once the store recorded the outcome, which a waiter may see first.
            eventually(
                    "both outcomes counted",
                    () -> jobs(registry, "completed", "none") == 1 && jobs(registry, "failed", "DOWNLOAD_FAILED") == 1);
            assertEquals(0, jobs(registry, "retried", "DOWNLOAD_FAILED"), "a 404 is not retried");
            assertEquals(2, registry.get("videomerge.jobs.submitted").counter().count());
            for (String stage : List.of("fetch", "probe", "encode", "upload")) {
                Timer timer = stage(registry, stage);
                assertEquals(1, timer.count(), stage + ": the completed job's; the failed fetch is not timed");
                assertTrue(timer.totalTime(TimeUnit.NANOSECONDS) > 0, stage + " took some time");
            }
            assertEquals(0, stage(registry, "isolation").count(), "merges in this JVM have no isolation stage");
            assertEquals(
                    clipBytes, registry.get("videomerge.fetch.bytes").counter().count(), "the completed job's bytes");
            DistributionSummary speed = registry.get("videomerge.encode.speed")
                    .tag("path", "reencode")
                    .summary();
            assertEquals(1, speed.count(), "the fade re-encodes");
            assertTrue(speed.totalAmount() > 0, "output seconds per wall second");
            assertEquals(
                    0,
                    registry.get("videomerge.encode.speed")
                            .tag("path", "copy")
                            .summary()
                            .count());
            eventually(
                    "nothing held, nothing pending",
                    () -> running(registry, "merge") == 0
                            && running(registry, "fetch") == 0
                            && registry.get("videomerge.jobs.pending").gauge().value() == 0);
        }

        assertNull(registry.find("videomerge.jobs.pending").gauge(), "a closed service's gauges are removed");
        assertNull(registry.find("videomerge.jobs.running").gauge());
    }

    private MergeRequest request(String first, String second) {
        return MergeRequest.of(List.of(clips.url(first), clips.url(second))).withQuality(Quality.P480);
    }

    private static TaskStatus await(MergeService service, TaskId id) throws InterruptedException {
        TaskStatus status = service.await(id, WAIT);
        assertTrue(status.status().isFinal(), id + " is still " + status.status());
        return status;
    }

    private static Timer stage(MeterRegistry registry, String stage) {
        return registry.get("videomerge.stage.duration").tag("stage", stage).timer();
    }

    private static double jobs(MeterRegistry registry, String outcome, String code) {
        var counter = registry.find("videomerge.jobs")
                .tag("outcome", outcome)
                .tag("code", code)
                .counter();
        return counter == null ? 0 : counter.count();
    }

    private static double running(MeterRegistry registry, String stage) {
        return registry.get("videomerge.jobs.running")
                .tag("stage", stage)
                .gauge()
                .value();
    }

    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + WAIT + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
    }
}
