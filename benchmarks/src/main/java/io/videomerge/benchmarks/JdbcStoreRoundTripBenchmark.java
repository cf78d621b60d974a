package io.videomerge.benchmarks;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.store.jdbc.JdbcJobStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Jobs per second through {@link JdbcJobStore}: one operation is submit → claim → complete of a no-op
 * job, on PostgreSQL (a fresh schema, dropped afterwards) or SQLite (a fresh file in WAL mode). Every
 * benchmark thread is one claiming worker with a connection of its own, as a pool would give it; the
 * thread count is JMH's {@code -t}:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar JdbcStoreRoundTripBenchmark -t 1
 * java -jar benchmarks/target/benchmarks.jar JdbcStoreRoundTripBenchmark -t 8
 * </pre>
 *
 * PostgreSQL is reached at {@code VIDEOMERGE_TEST_POSTGRES_URL}
 * (default {@code jdbc:postgresql://127.0.0.1:5432/test?user=postgres}).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(1)
public class JdbcStoreRoundTripBenchmark {
    private static final MergeRequest REQUEST =
            MergeRequest.of(List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")));
    private static final MergeResult RESULT =
            new MergeResult(URI.create("https://cdn.example.com/out.mp4"), 10, Duration.ofMillis(1), 2, false);
    private static final Duration LEASE = Duration.ofMinutes(5);

    /** The database, shared by every thread of a trial. */
    @State(Scope.Benchmark)
    public static class Database {
        @Param({"postgresql", "sqlite"})
        public String engine;

        String url;
        private String schema;
        private Path folder;

        @Setup(Level.Trial)
        public void create() throws SQLException, IOException {
            if ("postgresql".equals(engine)) {
                String base = System.getenv()
                        .getOrDefault(
                                "VIDEOMERGE_TEST_POSTGRES_URL", "jdbc:postgresql://127.0.0.1:5432/test?user=postgres");
                schema = "vm_bench_"
                        + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
                execute(base, "CREATE SCHEMA " + schema);
                url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema;
            } else {
                folder = Files.createTempDirectory("videomerge-bench");
                url = "jdbc:sqlite:" + folder.resolve("jobs.db");
            }
            // Creates the schema once, before the threads start.
            try (Connection connection = DriverManager.getConnection(url)) {
                JdbcJobStore.builder(Jdbi.create(connection)).build().ping();
            }
        }

        @TearDown(Level.Trial)
        public void drop() throws SQLException, IOException {
            if (schema != null) {
                execute(url, "DROP SCHEMA " + schema + " CASCADE");
            }
            if (folder != null) {
                try (Stream<Path> files = Files.walk(folder)) {
                    // SQLite removes its -wal and -shm files itself when the last connection closes.
                    for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(file);
                    }
                }
            }
        }

        private static void execute(String url, String sql) throws SQLException {
            try (Connection connection = DriverManager.getConnection(url);
                    Statement statement = connection.createStatement()) {
                statement.execute(sql);
            }
        }
    }

    /** One worker: a connection and a store of its own. */
    @State(Scope.Thread)
    public static class Worker {
        JobStore store;
        String owner;
        private Connection connection;

        @Setup(Level.Trial)
        public void open(Database database) throws SQLException {
            connection = DriverManager.getConnection(database.url);
            store = JdbcJobStore.builder(Jdbi.create(connection)).build();
            owner = "bench-" + Thread.currentThread().getId();
        }

        @TearDown(Level.Trial)
        public void close() throws SQLException {
            connection.close();
        }
    }

    /**
     * Submits a job, claims one (its own or, with several threads, another's) and completes it. A claim
     * finds nothing only while every ready job is held by other claimers, and is then tried again.
     */
    @Benchmark
    public boolean submitClaimComplete(Worker worker) {
        worker.store.create(new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3));
        Optional<Job> claimed = worker.store.claim(worker.owner, LEASE);
        while (claimed.isEmpty()) {
            claimed = worker.store.claim(worker.owner, LEASE);
        }
        Lease lease = claimed.get().lease().orElseThrow();
        return worker.store.complete(lease, RESULT);
    }
}
