package io.videomerge.benchmarks;

import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.NewJob;
import io.videomerge.store.redis.RedisJobStore;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Jobs per second through the Redis store: submit → claim → complete of a no-op job, with one and with
 * eight threads sharing one store (one Lettuce connection), as the workers of one instance do.
 *
 * <p>Runs against VIDEOMERGE_TEST_REDIS_URI (default {@code redis://127.0.0.1:6379}) under a key prefix
 * of its own, deleted at the end.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn")
@Warmup(iterations = 3, time = 10)
@Measurement(iterations = 3, time = 10)
public class RedisStoreRoundTripBenchmark {
    private static final String URI_ENV = "VIDEOMERGE_TEST_REDIS_URI";
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final MergeRequest REQUEST = MergeRequest.of(
            List.of(URI.create("https://media.example/a.mp4"), URI.create("https://media.example/b.mp4")));
    private static final MergeResult RESULT =
            new MergeResult(URI.create("https://files.example/out.mp4"), 10, Duration.ofSeconds(1), 2, false);
    private static final int PURGE_BATCH = 500;

    private final String prefix = "vmbench-" + UUID.randomUUID();
    private RedisJobStore store;

    @Setup(Level.Trial)
    public void open() {
        store = RedisJobStore.builder(redisUri())
                .keyPrefix(prefix)
                .retention(Duration.ofMinutes(1))
                .build();
        store.ping();
    }

    /** Keeps the finished index small between iterations; the jobs themselves expire with the retention. */
    @TearDown(Level.Iteration)
    public void purge() {
        Instant cutoff = Instant.now().plusSeconds(1);
        while (store.purgeFinished(cutoff, PURGE_BATCH).size() == PURGE_BATCH) {
            // The next batch.
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        store.close();
        RedisClient client = RedisClient.create(redisUri());
        try (StatefulRedisConnection<String, String> connection = client.connect()) {
            RedisCommands<String, String> redis = connection.sync();
            ScanArgs match = ScanArgs.Builder.matches("{" + prefix + "}*").limit(1000);
            for (KeyScanCursor<String> cursor = redis.scan(match); ; cursor = redis.scan(cursor, match)) {
                if (!cursor.getKeys().isEmpty()) {
                    redis.unlink(cursor.getKeys().toArray(String[]::new));
                }
                if (cursor.isFinished()) {
                    break;
                }
            }
        } finally {
            client.shutdown();
        }
    }

    @Benchmark
    @Threads(1)
    public void oneThread(Blackhole out) {
        roundTrip(out);
    }

    @Benchmark
    @Threads(8)
    public void eightThreads(Blackhole out) {
        roundTrip(out);
    }

    private void roundTrip(Blackhole out) {
        store.create(new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3));
        // Every thread creates before it claims, so a ready job always exists; it may be another thread's.
        Optional<Job> claimed = store.claim("bench", LEASE);
        out.consume(claimed.isPresent() && store.complete(claimed.get().lease().orElseThrow(), RESULT));
    }

    private static String redisUri() {
        return System.getenv().getOrDefault(URI_ENV, "redis://127.0.0.1:6379");
    }
}
