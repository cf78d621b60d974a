package io.videomerge.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.Transition;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobState;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A merge service in another JVM is killed with SIGKILL in the middle of a merge; another instance
 * completes the job once the dead worker's lease expires.
 */
class RedisWorkerCrashTest {
    private static final Duration WAIT = Duration.ofMinutes(3);

    @TempDir
    static Path clips;

    @TempDir
    Path dir;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @BeforeAll
    static void generateClips() {
        ClipSpec spec = ClipSpec.of(854, 480).withDuration(1.0);
        ClipGenerator.write(spec, clips, "a");
        ClipGenerator.write(spec, clips, "b");
    }

    @Test
    @DisplayName("a worker JVM killed with SIGKILL mid-merge loses its job to another instance, which ends it once")
    void killedWorkersJobIsCompletedByAnotherInstance() throws IOException, InterruptedException {
        String prefix = redis.newPrefix();
        RedisJobStore store = redis.track(
                RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build());
        Process doomed = null;
        try (ClipServer server = ClipServer.serve(clips);
                MergeService front = instance("front", prefix, 0)) {
            TaskId id = front.submit(new MergeRequest(
                    List.of(server.url("a.mp4"), server.heldUrl("b.mp4")),
                    Quality.P480,
                    AspectRatio.LANDSCAPE_16_9,
                    Fit.PAD,
                    Transition.none()));

            doomed = new ProcessBuilder(List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            WorkerProcess.class.getName(),
                            TestRedis.URI,
                            prefix,
                            dir.resolve("out-doomed").toString(),
                            dir.resolve("work-doomed").toString(),
                            "doomed"))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("doomed.log").toFile())
                    .start();
            assertTrue(server.awaitHeld(WAIT), "the worker process never started the merge; see its log");
            Job running = store.find(id).orElseThrow();
            assertEquals(JobState.PROCESSING, running.state());
            assertEquals("doomed", running.lease().orElseThrow().owner());

            doomed.destroyForcibly();
            assertTrue(doomed.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the worker process died");
            server.release();
            try (MergeService rescuer = instance("rescuer", prefix, 1)) {
                TaskStatus status = front.await(id, WAIT);

                assertEquals(TaskStatus.Status.COMPLETED, status.status(), status.message());
                Job done = store.find(id).orElseThrow();
                assertEquals(JobState.COMPLETED, done.state());
                assertEquals(2, done.attempt(), "the job ran again after the lost attempt");
                assertEquals(
                        URI.create("http://rescuer.invalid/" + id + ".mp4"),
                        done.result().orElseThrow().mergedUrl());
                assertTrue(Files.isRegularFile(dir.resolve("out-rescuer").resolve(id + ".mp4")));
                assertFalse(
                        Files.exists(dir.resolve("out-doomed").resolve(id + ".mp4")),
                        "the killed worker uploaded nothing");
            }
        } finally {
            if (doomed != null) {
                doomed.destroyForcibly();
            }
        }
    }

    private MergeService instance(String name, String prefix, int workers) {
        RedisJobStore store = redis.track(
                RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build());
        return MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(
                        new FileSystemUploader(dir.resolve("out-" + name), URI.create("http://" + name + ".invalid/")))
                .workDirectory(dir.resolve("work-" + name))
                .jobStore(store)
                .workers(workers)
                .ownerId(name)
                .leaseTime(WorkerProcess.LEASE)
                .heartbeat(Duration.ofMillis(200))
                .pollInterval(Duration.ofMillis(100))
                .shutdownGrace(Duration.ZERO)
                .build();
    }
}
