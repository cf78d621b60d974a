package io.videomerge.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
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
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** A worker process killed with SIGKILL mid-merge: another instance finishes its job once the lease lapses. */
@DisplayName("a worker killed mid-merge on PostgreSQL")
class PostgresCrashTest {
    /** The victim's lease: short, so the rescue comes soon, yet long enough for a busy machine's pauses. */
    static final Duration VICTIM_LEASE = Duration.ofSeconds(10);

    static final Duration HEARTBEAT = Duration.ofSeconds(1);
    // The rescuer's own lease is long, so that its run cannot lapse and be rescued in turn.
    private static final Duration RESCUER_LEASE = Duration.ofSeconds(60);
    private static final Duration WAIT = Duration.ofMinutes(5);

    @RegisterExtension
    static final PostgresStores DATABASE = new PostgresStores();

    @TempDir
    Path dir;

    @Test
    @DisplayName("leaves its job to a second instance, which completes it as attempt 2 after the lease expires")
    void killedWorkersJobIsRescued() throws Exception {
        Path clips = Files.createDirectories(dir.resolve("clips"));
        // Long enough that the merge is still encoding when the test sees its progress and kills it.
        ClipSpec spec = ClipSpec.of(640, 360).withFps(25).withDuration(20.0);
        Path a = ClipGenerator.write(spec, clips, "a");
        Path b = ClipGenerator.write(spec.withSize(480, 360), clips, "b");
        String prefix = DATABASE.newPrefix();

        try (ClipServer server = ClipServer.serve(clips);
                JdbcJobStore store = JdbcJobStore.builder(DATABASE.jdbi())
                        .tablePrefix(prefix)
                        .build()) {
            TaskId id;
            try (MergeService front = instance(store, "front", 0)) {
                id = front.submit(MergeRequest.of(List.of(
                        server.url(a.getFileName().toString()),
                        server.url(b.getFileName().toString()))));
            }

            Process victim = startVictim(prefix);
            try {
                Job running = awaitJob(
                        store,
                        id,
                        job -> job.state() == JobState.PROCESSING && job.progress() > 0,
                        "the victim to report encoding progress",
                        victim);
                assertEquals(Optional.of("victim"), running.lease().map(l -> l.owner()));
            } finally {
                victim.destroyForcibly();
            }
            assertTrue(victim.waitFor(60, TimeUnit.SECONDS), "the victim did not die");
            assertEquals(137, victim.exitValue(), "killed by SIGKILL");
            assertEquals(JobState.PROCESSING, store.find(id).orElseThrow().state(), "nobody has rescued it yet");

            try (MergeService rescuer = instance(store, "rescuer", 1)) {
                TaskStatus status = rescuer.await(id, WAIT);
                assertEquals(TaskStatus.Status.COMPLETED, status.status(), status::toString);
            }

            Job done = store.find(id).orElseThrow();
            assertEquals(JobState.COMPLETED, done.state());
            assertEquals(2, done.attempt(), "the rescue is the second attempt");
            assertTrue(done.result().isPresent());
            assertTrue(Files.isRegularFile(dir.resolve("out-rescuer").resolve(id + ".mp4")));
            assertTrue(Files.notExists(dir.resolve("out-victim").resolve(id + ".mp4")), "the victim published nothing");
        }
    }

    private Process startVictim(String prefix) throws IOException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        return new ProcessBuilder(
                        java.toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashWorkerMain.class.getName(),
                        DATABASE.schema().url(),
                        prefix,
                        dir.resolve("work-victim").toString(),
                        dir.resolve("out-victim").toString())
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("victim.log").toFile())
                .start();
    }

    private MergeService instance(JdbcJobStore store, String name, int workers) {
        return MergeService.builder()
                .limits(Limits.defaults().toBuilder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(
                        dir.resolve("out-" + name), URI.create("http://files.invalid/" + name + "/")))
                .workDirectory(dir.resolve("work-" + name))
                .jobStore(store)
                .workers(workers)
                .leaseTime(RESCUER_LEASE)
                // also the period of the janitor that requeues the victim's expired lease
                .heartbeat(HEARTBEAT)
                .pollInterval(Duration.ofMillis(100))
                .ownerId(name)
                .build();
    }

    private Job awaitJob(JdbcJobStore store, TaskId id, Predicate<Job> condition, String what, Process victim)
            throws IOException {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (true) {
            Job job = store.find(id).orElseThrow();
            if (condition.test(job)) {
                return job;
            }
            if (job.state().isFinal() || !victim.isAlive() || System.nanoTime() - deadline > 0) {
                fail("gave up waiting for " + what + ": " + job.state() + ", victim alive " + victim.isAlive()
                        + "; its log:\n" + Files.readString(dir.resolve("victim.log")));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
