package io.videomerge.benchmarks;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.NewJob;
import io.videomerge.store.memory.InMemoryJobStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Jobs per second through {@link InMemoryJobStore}: one operation is submit → claim → complete of a
 * no-op job, the store's share of every asynchronous merge. Every benchmark thread is one claiming
 * worker; the thread count is JMH's {@code -t}:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar MemoryStoreRoundTripBenchmark -t 1
 * java -jar benchmarks/target/benchmarks.jar MemoryStoreRoundTripBenchmark -t 2
 * </pre>
 *
 * Finished jobs are purged every few thousand operations, as the service's janitor does, so that the
 * heap holds a steady number of jobs.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 3, time = 5)
@Fork(1)
public class MemoryStoreRoundTripBenchmark {
    private static final MergeRequest REQUEST =
            MergeRequest.of(List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")));
    private static final MergeResult RESULT =
            new MergeResult(URI.create("https://cdn.example.com/out.mp4"), 10, Duration.ofMillis(1), 2, false);
    private static final Duration LEASE = Duration.ofSeconds(30);
    private static final int PURGE_EVERY = 4096;

    /** The store, shared by every thread of a trial. */
    @State(Scope.Benchmark)
    public static class Store {
        JobStore store;

        @Setup
        public void open() {
            store = new InMemoryJobStore();
        }
    }

    /** One worker. */
    @State(Scope.Thread)
    public static class Worker {
        String owner;
        int operations;

        @Setup
        public void name() {
            owner = "bench-" + Thread.currentThread().getId();
        }
    }

    /**
     * Submits a job, claims one (its own or, with several threads, another's) and completes it. A claim
     * finds nothing only while every ready job is held by other claimers, and is then tried again.
     */
    @Benchmark
    public boolean submitClaimComplete(Store s, Worker w) {
        JobStore store = s.store;
        store.create(new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3));
        Optional<Job> claimed;
        do {
            claimed = store.claim(w.owner, LEASE);
        } while (claimed.isEmpty());
        boolean completed = store.complete(claimed.get().lease().orElseThrow(), RESULT);
        if (++w.operations % PURGE_EVERY == 0) {
            purgeAll(store);
        }
        return completed;
    }

    /** Purges every finished job in batches, as the janitor does. */
    private static void purgeAll(JobStore store) {
        Instant cutoff = Instant.now().plusSeconds(1);
        while (store.purgeFinished(cutoff, PURGE_EVERY).size() == PURGE_EVERY) {
            // The next batch.
        }
    }
}
