package io.videomerge.store.redis;

import static io.videomerge.store.redis.RedisProcess.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.spi.Job;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.JobState;
import io.videomerge.spi.Lease;
import io.videomerge.testing.SampleJobs;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A worker in another JVM dies by SIGKILL holding a lease; this process rescues and finishes its job. */
class RedisJobStoreCrashTest {
    private static final Duration LEASE = Duration.ofSeconds(1);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Test
    @DisplayName("the job of a worker killed with SIGKILL is requeued when its lease expires and ends exactly once")
    void jobOfAKilledWorkerIsRescued() throws IOException, InterruptedException, ExecutionException, TimeoutException {
        String prefix = redis.newPrefix();
        RedisJobStore store = redis.track(
                RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build());
        Job job = store.create(SampleJobs.newJob());

        Process worker = new ProcessBuilder(List.of(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        CrashingWorker.class.getName(),
                        TestRedis.URI,
                        prefix,
                        Long.toString(LEASE.toMillis())))
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        try (BufferedReader out =
                new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8))) {
            CompletableFuture<String> firstLine = CompletableFuture.supplyAsync(() -> readLine(out));
            assertEquals(
                    "CLAIMED " + job.id() + " 1",
                    firstLine.get(RedisProcess.DEADLINE.toSeconds(), TimeUnit.SECONDS),
                    "the worker process claimed the job");
            awaitCondition(
                    "the worker heartbeats",
                    () -> store.find(job.id()).orElseThrow().message().equals(JobMessages.MERGING));
            worker.destroyForcibly();
            assertTrue(worker.waitFor(RedisProcess.DEADLINE.toSeconds(), TimeUnit.SECONDS), "the worker died");
        } finally {
            worker.destroyForcibly();
        }
        assertEquals(JobState.PROCESSING, store.find(job.id()).orElseThrow().state(), "nobody took it back yet");

        AtomicInteger requeued = new AtomicInteger();
        awaitCondition(
                "the dead worker's lease expires and the job is requeued",
                () -> requeued.addAndGet(store.requeueExpired()) > 0);
        Job rescued = store.claim("rescuer", Duration.ofMinutes(1)).orElseThrow();
        // Only the task id and the token of a lease count; this is the one the dead worker held.
        Lease dead = new Lease(job.id(), "crashing-worker", 1, Instant.EPOCH);

        assertEquals(1, requeued.get());
        assertEquals(job.id(), rescued.id());
        assertEquals(2, rescued.attempt());
        assertTrue(store.complete(rescued.lease().orElseThrow(), SampleJobs.RESULT));
        assertFalse(store.complete(dead, SampleJobs.RESULT), "the dead worker's lease can change nothing");
        Job done = store.find(job.id()).orElseThrow();
        assertEquals(JobState.COMPLETED, done.state());
        assertEquals(2, rescued.lease().orElseThrow().token());
    }

    private static String readLine(BufferedReader in) {
        try {
            return in.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
