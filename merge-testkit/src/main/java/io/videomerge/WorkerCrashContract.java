package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.spi.Job;
import io.videomerge.spi.JobState;
import io.videomerge.spi.JobStore;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rule every store shared by several processes must keep, as a test each such store runs: a worker JVM killed
 * with SIGKILL in the middle of a merge loses its job to another instance, which completes it once, as the next
 * attempt, after the dead worker's lease lapses; the dead worker published nothing.
 *
 * <p>A store module extends this class with where its store lives ({@link #location()}), how to open it in this
 * JVM ({@link #openStore()}) and a {@link StoreOpener} class that opens it in the killed worker's JVM. The merge is
 * caught in its download ({@link ClipServer#heldUrl}), so the kill always lands mid-merge.
 */
public abstract class WorkerCrashContract {
    /** Every instance's lease: short, so that the rescue comes soon, yet longer than a busy machine's pauses. */
    private static final Duration VICTIM_LEASE = Duration.ofSeconds(5);

    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofMinutes(3);

    /** Opens, in the killed worker's JVM, the store a {@link #location()} names. Needs a public no-arg constructor. */
    public interface StoreOpener {
        JobStore open(String location);
    }

    @TempDir
    Path dir;

    private final List<JobStore> stores = new ArrayList<>();

    /** Where this test's store lives (tables, keys), as a string its {@link StoreOpener} understands. */
    protected abstract String location();

    /** A new handle on the store of {@link #location()} in this JVM; the contract closes it. */
    protected abstract JobStore openStore();

    /** The class that opens the store of {@link #location()} in the killed worker's JVM. */
    protected abstract Class<? extends StoreOpener> opener();

    @Test
    @DisplayName("a worker JVM killed mid-merge loses its job to another instance, which completes it once")
    void killedWorkersJobIsCompletedByAnotherInstance() throws IOException, InterruptedException {
        Path clips = Files.createDirectories(dir.resolve("clips"));
        ClipSpec spec = ClipSpec.of(854, 480).withDuration(1.0);
        ClipGenerator.write(spec, clips, "a");
        ClipGenerator.write(spec, clips, "b");
        String location = location();
        JobStore store = track(openStore());
        Process victim = null;
        try (ClipServer server = ClipServer.serve(clips);
                MergeService front = instance("front", 0)) {
            TaskId id = front.submit(new MergeRequest(
                    List.of(server.url("a.mp4"), server.heldUrl("b.mp4")),
                    Quality.P480,
                    AspectRatio.LANDSCAPE_16_9,
                    Fit.PAD,
                    Transition.none()));

            victim = new ProcessBuilder(List.of(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-cp",
                            System.getProperty("java.class.path"),
                            Victim.class.getName(),
                            opener().getName(),
                            location,
                            dir.resolve("out-victim").toString(),
                            dir.resolve("work-victim").toString()))
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("victim.log").toFile())
                    .start();
            assertTrue(server.awaitHeld(WAIT), () -> "the victim never started the merge; its log:\n" + log());
            Job running = store.find(id).orElseThrow();
            assertEquals(JobState.PROCESSING, running.state());
            assertEquals("victim", running.lease().orElseThrow().owner());

            victim.destroyForcibly();
            assertTrue(victim.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS), "the victim did not die");
            assertEquals(137, victim.exitValue(), "killed by SIGKILL");
            server.release();
            try (MergeService rescuer = instance("rescuer", 1)) {
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
                        Files.exists(dir.resolve("out-victim").resolve(id + ".mp4")),
                        "the killed worker uploaded nothing");
            }
        } finally {
            if (victim != null) {
                victim.destroyForcibly();
            }
            stores.forEach(JobStore::close);
        }
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("victim.log"));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    private JobStore track(JobStore store) {
        stores.add(store);
        return store;
    }

    private MergeService instance(String name, int workers) {
        return service(track(openStore()), name, workers, dir.resolve("out-" + name), dir.resolve("work-" + name))
                .shutdownGrace(Duration.ZERO)
                .build();
    }

    private static MergeService.Builder service(JobStore store, String name, int workers, Path out, Path work) {
        return MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(out, URI.create("http://" + name + ".invalid/")))
                .workDirectory(work)
                .jobStore(store)
                .mergeConcurrency(workers)
                .ownerId(name)
                .leaseTime(VICTIM_LEASE)
                .heartbeat(HEARTBEAT)
                .pollInterval(Duration.ofMillis(100));
    }

    /**
     * The worker JVM the contract kills: one merge thread on the store, running until the process ends. Arguments:
     * the {@link StoreOpener} class, the store's location, the output folder, the work folder.
     */
    public static final class Victim {
        private Victim() {}

        public static void main(String[] args) throws Exception {
            StoreOpener opener = (StoreOpener)
                    Class.forName(args[0]).getDeclaredConstructor().newInstance();
            MergeService service = service(opener.open(args[1]), "victim", 1, Path.of(args[2]), Path.of(args[3]))
                    .build();
            service.ping();
            System.out.println("victim started");
            new CountDownLatch(1).await();
        }
    }
}
