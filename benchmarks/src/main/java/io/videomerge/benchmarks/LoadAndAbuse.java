package io.videomerge.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Loads and abuses merge-server on loopback, as a separate process on its defaults, in five scenarios with a hard
 * time limit each, and prints each figure with its target and whether it was met:
 *
 * <ol>
 *   <li>fairness: the time of 10 normal jobs alone (T10), then of the same 10 submitted right after 3 jobs whose
 *       sources trickle at 1 B/s (target ≤ 1.2 × T10);</li>
 *   <li>fetching beside merging: 10 jobs whose sources send 2 MB/s per connection, on the defaults against one job
 *       fetched and merged at a time (target ≥ 1.5× faster);</li>
 *   <li>1,000 concurrent {@code POST /api/v1/merge} with {@code Prefer: wait=30}, and {@code GET /health} meanwhile
 *       (target p99 < 50 ms, no error);</li>
 *   <li>admission: submitting past a small {@code --max-pending-jobs} (429 with {@code Retry-After}; every accepted
 *       job completes);</li>
 *   <li>a full disk: the data folder on a small tmpfs filled by a filler file (STORAGE_FULL, a WARN line,
 *       {@code /health} 503), then the filler deleted (health 200, the job completes).</li>
 * </ol>
 *
 * <p>Server flags that do not exist yet (read from the jar's {@code --help}) make their figure "not available"
 * instead of failing the run. Writes the figures as a Markdown section to {@code WORK/load-and-abuse.md} and the
 * ids of the servers it started to {@code WORK/server.pids} (each server leads its own process group), so that a
 * script can stop whatever a killed run left. {@code benchmarks/load-and-abuse.sh} builds, mounts the tmpfs and
 * runs this.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.videomerge.benchmarks.LoadAndAbuse SERVER_JAR WORK
 *     [SCENARIOS=1,2,3,4,5] [DISK_DIR (a mounted tmpfs, for scenario 5)]</pre>
 */
public final class LoadAndAbuse {
    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");
    private static final Pattern HELP_FLAG = Pattern.compile("^\\s+--([a-z][a-z0-9-]*)\\s+(.*)$");
    private static final Duration POLL = Duration.ofMillis(100);
    private static final String QUALITY = "480";
    /** Per connection, for scenario 2's sources. */
    private static final long THROTTLE_BYTES_PER_SECOND = 2_000_000;
    /** Scenario 2's clips are padded to this size, so that one download takes about 3.5 s at the throttled rate. */
    private static final int BIG_CLIP_BYTES = 7_000_000;

    private final Path jar;
    private final Path work;
    private final Optional<Path> disk;
    private final Map<String, String> help;
    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    private final List<Server> live = Collections.synchronizedList(new ArrayList<>());
    /** Every server started, in order, so that each scenario can sum up its servers' logs. */
    private final List<Server> history = Collections.synchronizedList(new ArrayList<>());

    private ClipServer clips;
    private final Map<String, String> names = new LinkedHashMap<>();

    private LoadAndAbuse(Path jar, Path work, Optional<Path> disk, Map<String, String> help) {
        this.jar = jar;
        this.work = work;
        this.disk = disk;
        this.help = help;
    }

    /** One line of the results table. */
    record Row(String scenario, String figure, String value, String target, String result) {}

    /** What one scenario found: its rows and the notes printed under the table. */
    static final class Report {
        final String name;
        private final List<Row> rows = new ArrayList<>();
        private final List<String> notes = new ArrayList<>();

        Report(String name) {
            this.name = name;
        }

        void row(String figure, String value, String target, String result) {
            Row row = new Row(name, figure, value, target, result);
            synchronized (rows) {
                rows.add(row);
            }
            System.out.printf(Locale.ROOT, "  [%s] %s: %s (target %s): %s%n", name, figure, value, target, result);
        }

        void note(String text) {
            synchronized (notes) {
                notes.add(text);
            }
            System.out.println("  [" + name + "] " + text);
        }

        // A scenario that ran out of time may still be writing from its own thread.
        List<Row> rows() {
            synchronized (rows) {
                return List.copyOf(rows);
            }
        }

        List<String> notes() {
            synchronized (notes) {
                return List.copyOf(notes);
            }
        }
    }

    /** A scenario with its hard time limit. */
    private record Scenario(String id, String name, Duration limit, ScenarioBody body) {}

    @FunctionalInterface
    private interface ScenarioBody {
        void run(Report report) throws Exception;
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 2) {
            System.err.println("usage: LoadAndAbuse SERVER_JAR WORK [SCENARIOS=1,2,3,4,5] [DISK_DIR]");
            System.exit(2);
        }
        Path jar = Path.of(args[0]).toAbsolutePath();
        Path work = Files.createDirectories(Path.of(args[1]).toAbsolutePath());
        Set<String> wanted = new LinkedHashSet<>(Arrays.asList((args.length > 2 ? args[2] : "1,2,3,4,5").split(",")));
        Optional<Path> disk = args.length > 3 && !args[3].isBlank()
                ? Optional.of(Path.of(args[3]).toAbsolutePath())
                : Optional.empty();
        LoadAndAbuse run = new LoadAndAbuse(jar, work, disk, readHelp(jar));
        Runtime.getRuntime().addShutdownHook(new Thread(run::stopAll, "load-and-abuse-stop"));
        int code = run.run(wanted);
        System.exit(code);
    }

    private int run(Set<String> wanted) throws Exception {
        Instant started = Instant.now();
        String loadBefore = loadAverage();
        System.out.println("== server flags from --help: " + String.join(", ", help.keySet()));
        Path files = Files.createDirectories(work.resolve("clips"));
        generateClips(files);
        clips = ClipServer.serve(files);
        List<Scenario> scenarios = List.of(
                new Scenario("1", "trickling sources", Duration.ofMinutes(6), this::trickles),
                new Scenario("2", "throttled sources", Duration.ofMinutes(6), this::throttled),
                new Scenario("3", "1,000 waiting submits", Duration.ofMinutes(3), this::waiters),
                new Scenario("4", "admission", Duration.ofMinutes(4), this::admission),
                new Scenario("5", "full disk", Duration.ofMinutes(4), this::fullDisk));
        List<Report> reports = new ArrayList<>();
        List<String> timings = new ArrayList<>();
        ExecutorService runner = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "scenario");
            t.setDaemon(true);
            return t;
        });
        try {
            for (Scenario scenario : scenarios) {
                if (!wanted.contains(scenario.id())) {
                    continue;
                }
                Report report = new Report(scenario.id() + ". " + scenario.name());
                reports.add(report);
                System.out.printf(
                        Locale.ROOT,
                        "== scenario %s (at most %d s), load %s%n",
                        report.name,
                        scenario.limit().toSeconds(),
                        loadAverage());
                long t0 = System.nanoTime();
                int startedBefore = history.size();
                Future<?> future = runner.submit(() -> {
                    scenario.body().run(report);
                    return null;
                });
                try {
                    future.get(scenario.limit().toMillis(), TimeUnit.MILLISECONDS);
                } catch (TimeoutException e) {
                    future.cancel(true);
                    report.row(
                            "whole scenario",
                            "timed out after " + scenario.limit().toSeconds() + " s",
                            "finishes",
                            "**timed out**");
                } catch (ExecutionException e) {
                    Throwable cause = e.getCause();
                    report.row("whole scenario", "error: " + oneLine(cause), "runs", "**error**");
                    cause.printStackTrace(System.out);
                } finally {
                    stopAll();
                }
                List<Server> ran;
                synchronized (history) {
                    ran = new ArrayList<>(history.subList(startedBefore, history.size()));
                }
                for (Server server : ran) {
                    logSummary(server).ifPresent(report::note);
                }
                timings.add(String.format(Locale.ROOT, "%s: %.0f s", report.name, (System.nanoTime() - t0) / 1e9));
            }
        } finally {
            runner.shutdownNow();
            clips.close();
        }
        long seconds = Duration.between(started, Instant.now()).toSeconds();
        String markdown = markdown(reports, started, seconds, loadBefore, loadAverage(), timings);
        Files.writeString(work.resolve("load-and-abuse.md"), markdown);
        System.out.println("== whole run " + seconds + " s; wrote " + work.resolve("load-and-abuse.md"));
        return 0;
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scenario 1: trickling sources must not delay normal jobs.

    private void trickles(Report report) throws Exception {
        try (Server server = start("s1", List.of())) {
            warmUp(server, report);
            Batch alone = runBatch(server, normalJobs(10), Duration.ofMinutes(2));
            report.row(
                    "T10: 10 normal jobs alone, submit to last completed",
                    alone.describe(),
                    "(reference)",
                    alone.allCompleted() ? "measured" : "**" + alone.shortfall() + "**");
            if (!alone.allCompleted()) {
                report.note("Without a T10, the second half was not run.");
                return;
            }
            double t10 = alone.seconds();
            List<String> trickling = new ArrayList<>();
            long trickleStart = System.nanoTime();
            for (int i = 0; i < 3; i++) {
                trickling.add(submitOrThrow(
                        server,
                        body(List.of(
                                clips.throttledUrl(names.get("a"), 1).toString(),
                                clips.throttledUrl(names.get("b"), 1).toString()))));
            }
            Duration limit = Duration.ofSeconds(Math.max(90, Math.round(3 * t10)));
            Batch behind = runBatch(server, normalJobs(10), limit);
            double ratio = behind.seconds() / t10;
            report.row(
                    "the same 10 right after 3 trickling jobs (1 B/s), submit to last completed",
                    behind.describe()
                            + (behind.allCompleted() ? String.format(Locale.ROOT, "; %.2f × T10", ratio) : ""),
                    "≤ 1.2 × T10",
                    behind.allCompleted() ? verdict(ratio <= 1.2) : "**" + behind.shortfall() + "**");
            // The speed floor stops each attempt after its first 30 s window; DOWNLOAD_TIMEOUT is retried, so a job
            // fails for good only after its last attempt.
            Map<String, Watch> trickled = watch(
                    server,
                    trickling,
                    trickleStart,
                    trickleStart + Duration.ofSeconds(150).toNanos(),
                    Pattern.compile("DOWNLOAD_TIMEOUT|below the floor"));
            boolean floorTripped = trickled.values().stream().allMatch(w -> w.firstMatch >= 0 && w.firstMatch <= 45);
            boolean failedForGood = trickled.values().stream()
                    .allMatch(w -> w.last.isFinal() && "DOWNLOAD_TIMEOUT".equals(w.last.reason));
            report.row(
                    "the 3 trickling jobs (watched for 150 s after their submit at most)",
                    trickled.values().stream()
                            .map(w -> (w.firstMatch < 0
                                            ? "the floor never tripped"
                                            : String.format(Locale.ROOT, "floor tripped at %.0f s", w.firstMatch))
                                    + ", then " + w.last
                                    + String.format(Locale.ROOT, " at %.0f s", w.seconds(w.last)))
                            .collect(Collectors.joining("; ")),
                    "DOWNLOAD_TIMEOUT (speed floor) within 45 s of the submit; failed DOWNLOAD_TIMEOUT after the last"
                            + " attempt",
                    floorTripped && failedForGood
                            ? "met"
                            : floorTripped ? "**missed**: not failed for good within 150 s" : "**missed**");
            trickled.values().stream()
                    .findFirst()
                    .ifPresent(w -> report.note("One trickling job's statuses: " + w.describe() + "."));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scenario 2: fetching beside merging.

    private void throttled(Report report) throws Exception {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            jobs.add(body(List.of(
                    clips.throttledUrl(names.get(i % 2 == 0 ? "big-a" : "big-b"), THROTTLE_BYTES_PER_SECOND)
                            .toString(),
                    clips.throttledUrl(names.get(i % 2 == 0 ? "big-b" : "big-a"), THROTTLE_BYTES_PER_SECOND)
                            .toString())));
        }
        report.note(String.format(
                Locale.ROOT,
                "Each job: 2 clips of 3 s 640x360 padded to %.1f MB with an MP4 `free` box (a download costs %.1f s at"
                        + " %.0f MB/s per connection; the merge costs what a 3 s clip costs), output %sp.",
                BIG_CLIP_BYTES / 1e6,
                BIG_CLIP_BYTES / (double) THROTTLE_BYTES_PER_SECOND,
                THROTTLE_BYTES_PER_SECOND / 1e6,
                QUALITY));
        Optional<String> fetch = flag("fetch-concurrency");
        Optional<String> merge = flag("merge-concurrency");
        Duration limit = Duration.ofSeconds(180);
        Batch baseline;
        if (fetch.isPresent() && merge.isPresent()) {
            List<String> flags = new ArrayList<>(List.of("--" + fetch.get(), "1", "--" + merge.get(), "1"));
            Optional<String> queue = flagContaining("queue", "pending");
            queue.ifPresent(q -> flags.addAll(List.of("--" + q, "0")));
            report.note("Baseline: a server started with `" + String.join(" ", flags) + "`"
                    + (queue.isEmpty() ? " (no flag for the fetched-jobs queue in --help)" : "")
                    + ", all 10 submitted at once.");
            baseline = batchOnFreshServer("s2-baseline", flags, jobs, limit, report, false);
        } else {
            report.note("Baseline: --fetch-concurrency/--merge-concurrency are not in --help, so the baseline is"
                    + " the default server with the 10 jobs submitted one after another, each after the last"
                    + " finished.");
            baseline = batchOnFreshServer("s2-baseline", List.of(), jobs, limit, report, true);
        }
        report.row(
                "baseline: one job fetched and merged at a time",
                baseline.describe(),
                "(reference)",
                baseline.allCompleted() ? "measured" : "**" + baseline.shortfall() + "**");
        Batch defaults = batchOnFreshServer("s2-default", List.of(), jobs, limit, report, false);
        boolean both = baseline.allCompleted() && defaults.allCompleted();
        double speedup = both ? baseline.seconds() / defaults.seconds() : Double.NaN;
        report.row(
                "default settings, all 10 submitted at once",
                defaults.describe()
                        + (both ? String.format(Locale.ROOT, "; %.2f× faster than the baseline", speedup) : ""),
                "≥ 1.5× faster",
                both ? verdict(speedup >= 1.5) : "**not measured**");
    }

    private Batch batchOnFreshServer(
            String name, List<String> flags, List<String> jobs, Duration limit, Report report, boolean oneByOne)
            throws Exception {
        try (Server server = start(name, flags)) {
            warmUp(server, report);
            if (!oneByOne) {
                return runBatch(server, jobs, limit);
            }
            long start = System.nanoTime();
            long deadline = start + limit.toNanos();
            Map<String, Outcome> outcomes = new LinkedHashMap<>();
            for (String job : jobs) {
                String id = submitOrThrow(server, job);
                outcomes.putAll(await(server, List.of(id), deadline));
                if (System.nanoTime() >= deadline) {
                    break;
                }
            }
            return Batch.of(jobs.size(), outcomes, start, limit);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scenario 3: 1,000 waiting submits, and health meanwhile.

    private void waiters(Report report) throws Exception {
        int count = 1000;
        Duration wait = Duration.ofSeconds(30);
        try (Server server = start("s3", List.of())) {
            report.note("1,000 normal jobs (2 clips of 2.5–3 s 640x360, " + QUALITY + "p) with `Prefer: wait=30`, sent"
                    + " at once over 1,000 connections; then 200 `GET /health` 50 ms apart on a connection of"
                    + " their own.");
            List<String> jobs = normalJobs(count);
            long overflowsBefore = listenOverflows();
            AtomicInteger outstanding = new AtomicInteger(count);
            Map<String, Integer> answers = Collections.synchronizedMap(new TreeMap<>());
            List<Long> answerMillis = Collections.synchronizedList(new ArrayList<>());
            long start = System.nanoTime();
            List<CompletableFuture<Void>> posts = new ArrayList<>();
            for (String job : jobs) {
                HttpRequest request = HttpRequest.newBuilder(server.base.resolve("/api/v1/merge"))
                        .header("Content-Type", "application/json")
                        .header("Prefer", "wait=" + wait.toSeconds())
                        .timeout(wait.plusSeconds(60))
                        .POST(HttpRequest.BodyPublishers.ofString(job))
                        .build();
                posts.add(http.sendAsync(request, HttpResponse.BodyHandlers.ofString())
                        .handle((response, failure) -> {
                            String key = failure != null
                                    ? "failed: " + failureName(failure)
                                    : Integer.toString(response.statusCode());
                            answers.merge(key, 1, Integer::sum);
                            answerMillis.add((System.nanoTime() - start) / 1_000_000);
                            outstanding.decrementAndGet();
                            return null;
                        }));
            }
            // Let the connections open before sampling, so that health competes with 1,000 waiting requests.
            LockSupport.parkNanos(Duration.ofSeconds(1).toNanos());
            HttpClient healthClient = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1)
                    .connectTimeout(Duration.ofSeconds(5))
                    .build();
            // Only samples taken while POSTs were outstanding count; any later ones are left out.
            List<Double> latencies = new ArrayList<>();
            Map<String, Integer> healthAnswers = new TreeMap<>();
            int afterwards = 0;
            long samplerDeadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            for (int i = 0; i < 200 && System.nanoTime() < samplerDeadline; i++) {
                boolean busy = outstanding.get() > 0;
                long t0 = System.nanoTime();
                String key;
                try {
                    HttpResponse<Void> r = healthClient.send(
                            HttpRequest.newBuilder(server.base.resolve("/health"))
                                    .timeout(Duration.ofSeconds(5))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    key = Integer.toString(r.statusCode());
                } catch (IOException e) {
                    key = "failed: " + e.getClass().getSimpleName();
                }
                if (busy) {
                    latencies.add((System.nanoTime() - t0) / 1e6);
                    healthAnswers.merge(key, 1, Integer::sum);
                } else {
                    afterwards++;
                }
                LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
            }
            long postDeadline = start + wait.plusSeconds(75).toNanos();
            CompletableFuture<Void> all = CompletableFuture.allOf(posts.toArray(CompletableFuture[]::new));
            try {
                all.get(Math.max(1, postDeadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                report.note(outstanding.get() + " POSTs had no answer " + (postDeadline - start) / 1_000_000_000
                        + " s after they were sent; counted as errors.");
            }
            int unanswered = outstanding.get();
            long overflows = listenOverflows() - overflowsBefore;
            if (overflowsBefore >= 0 && overflows > 0) {
                report.note(
                        "The kernel counted " + overflows + " listen-queue overflows (TcpExt ListenOverflows) during"
                                + " the scenario: connections that found the accept queue full (its depth is the second column"
                                + " of `ss -ltn` for the server's port); such a client waits for a SYN retry or is reset.");
            }
            Collections.sort(latencies);
            int healthErrors = latencies.size() - healthAnswers.getOrDefault("200", 0);
            report.row(
                    "GET /health while the POSTs are outstanding: p50 / p99 / max",
                    String.format(
                            Locale.ROOT,
                            "%.1f / %.1f / %.1f ms (%d samples while POSTs were outstanding%s; answers %s)",
                            percentile(latencies, 50),
                            percentile(latencies, 99),
                            latencies.isEmpty() ? Double.NaN : latencies.get(latencies.size() - 1),
                            latencies.size(),
                            afterwards > 0 ? ", " + afterwards + " later ones left out" : "",
                            healthAnswers),
                    "p99 < 50 ms, all 200",
                    verdict(!latencies.isEmpty() && percentile(latencies, 99) < 50 && healthErrors == 0));
            int ok = answers.getOrDefault("200", 0) + answers.getOrDefault("202", 0);
            int errors = count - ok;
            List<Long> times = new ArrayList<>(answerMillis);
            Collections.sort(times);
            report.row(
                    "the 1,000 POSTs: answers, errors (non-2xx, connection failures, no answer)",
                    String.format(
                            Locale.ROOT,
                            "%s%s; %d errors; answered after %s s (min / median / max)",
                            answers,
                            unanswered > 0 ? ", " + unanswered + " unanswered" : "",
                            errors,
                            times.isEmpty()
                                    ? "-"
                                    : String.format(
                                            Locale.ROOT,
                                            "%.1f / %.1f / %.1f",
                                            times.get(0) / 1e3,
                                            times.get(times.size() / 2) / 1e3,
                                            times.get(times.size() - 1) / 1e3)),
                    "0 errors (200 and 202 are fine)",
                    verdict(errors == 0));
            all.cancel(true);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scenario 4: admission control.

    private void admission(Report report) throws Exception {
        Optional<String> maxPending = flag("max-pending-jobs").or(() -> flagContaining("pending"));
        if (maxPending.isEmpty()) {
            report.row(
                    "429 QUEUE_FULL past maxPendingJobs",
                    "not available: no --max-pending-jobs in --help (the default 1000 cannot be filled and drained"
                            + " in bounded time)",
                    "429s, each with Retry-After; every accepted job completes",
                    "**not available**");
            return;
        }
        int limit = 20;
        int submits = 40;
        report.note("Server started with `--" + maxPending.get() + " " + limit
                + "` (the default 1000 cannot be drained in bounded time on two cores); " + submits
                + " normal jobs submitted back to back.");
        try (Server server = start("s4", List.of("--" + maxPending.get(), Integer.toString(limit)))) {
            warmUp(server, report);
            List<String> accepted = new ArrayList<>();
            int refused = 0;
            int withRetryAfter = 0;
            int queueFull = 0;
            Map<Integer, Integer> other = new TreeMap<>();
            long start = System.nanoTime();
            for (String job : normalJobs(submits)) {
                HttpResponse<String> r = submit(server, job, Map.of());
                if (r.statusCode() == 202) {
                    accepted.add(json.readTree(r.body()).path("task_id").asText());
                } else if (r.statusCode() == 429) {
                    refused++;
                    if (r.headers()
                            .firstValue("Retry-After")
                            .filter(v -> v.matches("\\d+"))
                            .isPresent()) {
                        withRetryAfter++;
                    }
                    if ("QUEUE_FULL".equals(json.readTree(r.body()).path("code").asText())) {
                        queueFull++;
                    }
                } else {
                    other.merge(r.statusCode(), 1, Integer::sum);
                }
            }
            report.row(
                    "submits past the limit",
                    String.format(
                            Locale.ROOT,
                            "%d of %d accepted, %d answered 429 (%d with code QUEUE_FULL)%s",
                            accepted.size(),
                            submits,
                            refused,
                            queueFull,
                            other.isEmpty() ? "" : ", other answers " + other),
                    "429 once " + limit + " are pending, nothing else",
                    verdict(refused > 0 && other.isEmpty()));
            report.row(
                    "429s with a Retry-After (seconds)",
                    withRetryAfter + " of " + refused,
                    "all",
                    refused == 0 ? "**not measured**" : verdict(withRetryAfter == refused));
            Batch batch = Batch.of(
                    accepted.size(),
                    await(server, accepted, start + Duration.ofMinutes(3).toNanos()),
                    start,
                    Duration.ofMinutes(3));
            report.row(
                    "accepted jobs completed",
                    batch.completed() + " of " + accepted.size() + " (" + batch.describe() + ")",
                    "all",
                    verdict(!accepted.isEmpty() && batch.allCompleted()));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Scenario 5: a full disk.

    private void fullDisk(Report report) throws Exception {
        if (disk.isEmpty()) {
            report.row(
                    "the full-disk trial",
                    "not run: no tmpfs given (run it through benchmarks/load-and-abuse.sh as root)",
                    "-",
                    "**not run**");
            return;
        }
        Path mount = disk.get();
        Path data = mount.resolve("data");
        Path filler = mount.resolve("filler");
        List<String> flags = new ArrayList<>();
        Optional<String> minFree =
                flag("min-free-disk").or(() -> flagContaining("free")).or(() -> flagContaining("disk"));
        long total = Files.getFileStore(mount).getTotalSpace();
        minFree.ifPresent(f -> flags.addAll(List.of("--" + f, "16m")));
        report.note(String.format(
                Locale.ROOT,
                "Data folder on a %d MiB tmpfs; %s.",
                total >> 20,
                minFree.map(f -> "server started with `--" + f + " 16m` (help: " + help.get(f) + ")")
                        .orElse("no free-disk threshold flag in --help")));
        Server server;
        try {
            server = start("s5", flags, data);
        } catch (IllegalStateException e) {
            if (minFree.isEmpty()) {
                throw e;
            }
            // The flag may take plain bytes only.
            flags.set(1, Long.toString(16L << 20));
            report.note("`16m` refused; started with `--" + minFree.get() + " " + (16L << 20) + "`.");
            server = start("s5", flags, data);
        }
        try (Server s = server) {
            int before = health(s).status;
            long free = fill(filler);
            report.note(String.format(
                    Locale.ROOT,
                    "Health before filling: %d. Filler file: %.1f MiB; usable space left: %d KiB.",
                    before,
                    Files.size(filler) / 1048576.0,
                    free / 1024));
            Health full = awaitHealth(s, 503, Duration.ofSeconds(20));
            boolean namesStorage = full.body.contains("STORAGE_FULL");
            report.row(
                    "/health with the disk full",
                    full.describe(),
                    "503 (README: with code STORAGE_FULL)",
                    full.status == 503 && namesStorage
                            ? "met"
                            : full.status == 503 ? "**missed**: 503, but not code STORAGE_FULL" : "**missed**");
            HttpResponse<String> submitted = submit(s, normalJobs(1).get(0), Map.of());
            Optional<String> task = Optional.empty();
            String seen;
            boolean storageFull;
            if (submitted.statusCode() == 202) {
                task = Optional.of(
                        json.readTree(submitted.body()).path("task_id").asText());
                long watched = System.nanoTime();
                Watch watch = watch(
                                s,
                                List.of(task.get()),
                                watched,
                                watched + Duration.ofSeconds(45).toNanos(),
                                Pattern.compile("STORAGE_FULL|disk|space|storage", Pattern.CASE_INSENSITIVE))
                        .get(task.get());
                seen = watch.describe();
                if (watch.last.isFinal()) {
                    storageFull = "STORAGE_FULL".equals(watch.last.reason);
                    if (storageFull) {
                        HttpResponse<String> result = get(s, "/api/v1/merge/" + task.get() + "/result");
                        storageFull = result.statusCode() == 507;
                        seen += "; /result " + result.statusCode()
                                + result.headers()
                                        .firstValue("Retry-After")
                                        .map(v -> " Retry-After " + v)
                                        .orElse("");
                    }
                } else {
                    storageFull = watch.firstMatch >= 0;
                }
            } else {
                seen = "submit answered " + submitted.statusCode() + " " + oneLine(submitted.body());
                storageFull = submitted.statusCode() == 507;
            }
            report.row(
                    "a job submitted with the disk full",
                    seen,
                    "STORAGE_FULL: failed with /result 507, or retrying",
                    verdict(storageFull));
            List<String> warns = warningsAboutDisk(s.log);
            report.row(
                    "WARN lines about disk space in the server log",
                    warns.isEmpty()
                            ? "none"
                            : warns.size() + " kinds: "
                                    + warns.stream()
                                            .map(l -> "`" + truncate(l, 160) + "`")
                                            .collect(Collectors.joining("; ")),
                    "present",
                    verdict(!warns.isEmpty()));
            Files.delete(filler);
            Health freed = awaitHealth(s, 200, Duration.ofSeconds(30));
            report.row("/health once the filler is deleted", freed.describe(), "200", verdict(freed.status == 200));
            String recovering;
            Outcome outcome;
            long start = System.nanoTime();
            Outcome current = task.isPresent() ? status(s, task.get()) : null;
            if (current != null && !current.isFinal()) {
                recovering = "the same job";
                outcome = await(
                                s,
                                List.of(task.get()),
                                start + Duration.ofSeconds(150).toNanos())
                        .get(task.get());
            } else {
                recovering = "a new job (the first " + (current == null ? "was refused" : "had ended " + current) + ")";
                String id = submitOrThrow(s, normalJobs(1).get(0));
                outcome = await(s, List.of(id), start + Duration.ofSeconds(150).toNanos())
                        .get(id);
            }
            report.row(
                    "then " + recovering,
                    outcome + String.format(Locale.ROOT, " after %.1f s", (System.nanoTime() - start) / 1e9),
                    "completed",
                    verdict("completed".equals(outcome.state)));
        } finally {
            Files.deleteIfExists(filler);
        }
    }

    /** Writes zeros into {@code filler} until the file system refuses more; returns the usable space left. */
    private static long fill(Path filler) throws IOException {
        ByteBuffer chunk = ByteBuffer.allocate(1 << 20);
        try (var channel = Files.newByteChannel(filler, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
            for (int size = 1 << 20; size >= 4096; size /= 16) {
                try {
                    while (true) {
                        chunk.clear().limit(size);
                        while (chunk.hasRemaining()) {
                            channel.write(chunk);
                        }
                    }
                } catch (IOException e) {
                    // Full at this chunk size: go on with smaller ones to leave as little as possible.
                }
            }
        }
        return Files.getFileStore(filler).getUsableSpace();
    }

    /** How many WARN and ERROR lines a server logged, and the most frequent kinds; empty when none but the usual. */
    private static Optional<String> logSummary(Server server) {
        List<String> lines;
        try {
            lines = Files.readAllLines(server.log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        Map<String, Integer> kinds = new LinkedHashMap<>();
        int count = 0;
        for (String line : lines) {
            // Every server here runs without API keys on purpose.
            if ((line.contains(" WARN ") || line.contains(" ERROR ")) && !line.contains("No API keys")) {
                count++;
                kinds.merge(truncate(kind(line), 150), 1, Integer::sum);
            }
        }
        if (count == 0) {
            return Optional.empty();
        }
        String top = kinds.entrySet().stream()
                .sorted(Map.Entry.<String, Integer>comparingByValue().reversed())
                .limit(3)
                .map(e -> e.getValue() + " × `" + e.getKey() + "`")
                .collect(Collectors.joining("; "));
        return Optional.of("Log of " + server.name + ": " + count + " WARN/ERROR lines; most frequent: " + top + ".");
    }

    /** The WARN lines of the log that speak of disk space, one of each kind (numbers and thread names aside). */
    private static List<String> warningsAboutDisk(Path log) throws IOException {
        Pattern about = Pattern.compile("disk|space|storage", Pattern.CASE_INSENSITIVE);
        Map<String, String> kinds = new LinkedHashMap<>();
        for (String line : Files.readAllLines(log, StandardCharsets.UTF_8)) {
            if (line.contains("WARN") && about.matcher(line).find()) {
                kinds.putIfAbsent(kind(line), line);
            }
        }
        return List.copyOf(kinds.values());
    }

    /** A log line without its thread name and numbers, to group lines that say the same thing. */
    private static String kind(String line) {
        return line.replaceFirst("^\\[[^]]*] ", "")
                .replaceAll("[0-9a-f]{8}-[0-9a-f-]{27}", "ID")
                .replaceAll("\\d+", "N");
    }

    // ---------------------------------------------------------------------------------------------------------
    // Jobs and batches.

    private void generateClips(Path files) throws IOException {
        System.out.println("== generating clips in " + files);
        names.put("a", clipName(files, "a", ClipSpec.of(640, 360).withDuration(2.5)));
        names.put("b", clipName(files, "b", ClipSpec.of(640, 360).withDuration(3.0)));
        for (String big : List.of("big-a", "big-b")) {
            String name = clipName(files, big, ClipSpec.of(640, 360).withDuration(3.0));
            padWithFreeBox(files.resolve(name), BIG_CLIP_BYTES);
            names.put(big, name);
        }
    }

    private static String clipName(Path files, String name, ClipSpec spec) {
        Path existing = files.resolve(name + spec.format().extension());
        if (!Files.isRegularFile(existing)) {
            ClipGenerator.write(spec, files, name);
        }
        return existing.getFileName().toString();
    }

    /**
     * Appends a top-level {@code free} box to an MP4 so that it is {@code size} bytes: a demuxer skips it, so the
     * download grows while the merge does not.
     */
    private static void padWithFreeBox(Path mp4, int size) throws IOException {
        long current = Files.size(mp4);
        if (current >= size) {
            return;
        }
        int box = (int) (size - current);
        ByteBuffer header = ByteBuffer.allocate(8).putInt(box).put("free".getBytes(StandardCharsets.US_ASCII));
        try (OutputStream out = Files.newOutputStream(mp4, StandardOpenOption.APPEND)) {
            out.write(header.array());
            out.write(new byte[box - 8]);
        }
    }

    private List<String> normalJobs(int count) {
        List<String> jobs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String first = names.get(i % 2 == 0 ? "a" : "b");
            String second = names.get(i % 2 == 0 ? "b" : "a");
            jobs.add(body(List.of(clips.url(first).toString(), clips.url(second).toString())));
        }
        return jobs;
    }

    private static String body(List<String> urls) {
        return "{\"video_urls\":["
                + urls.stream().map(u -> "\"" + u + "\"").collect(Collectors.joining(","))
                + "],\"quality\":\"" + QUALITY + "\"}";
    }

    /** One normal job first, so that the measured batches do not carry the first merge's JIT and spare start. */
    private void warmUp(Server server, Report report) throws Exception {
        String id = submitOrThrow(server, normalJobs(1).get(0));
        Outcome o = await(
                        server,
                        List.of(id),
                        System.nanoTime() + Duration.ofSeconds(90).toNanos())
                .get(id);
        if (!"completed".equals(o.state)) {
            report.note("The warm-up job on " + server.name + " ended " + o + ".");
        }
    }

    /** The final or last seen state of a task. */
    record Outcome(String state, String reason, long atNanos) {
        boolean isFinal() {
            return state.equals("completed") || state.equals("failed");
        }

        @Override
        public String toString() {
            return state + (reason == null || reason.isEmpty() ? "" : " " + reason);
        }
    }

    /** A batch of jobs submitted together and awaited. */
    record Batch(int size, int completed, int failed, double seconds, boolean timedOut, Map<String, Integer> failures) {
        static Batch of(int size, Map<String, Outcome> outcomes, long start, Duration limit) {
            int completed = 0;
            int failed = 0;
            long last = start;
            Map<String, Integer> failures = new TreeMap<>();
            for (Outcome o : outcomes.values()) {
                if (o.state.equals("completed")) {
                    completed++;
                } else if (o.state.equals("failed")) {
                    failed++;
                    failures.merge(String.valueOf(o.reason), 1, Integer::sum);
                }
                last = Math.max(last, o.atNanos);
            }
            boolean timedOut = completed + failed < size;
            double seconds = timedOut ? limit.toNanos() / 1e9 : (last - start) / 1e9;
            return new Batch(size, completed, failed, seconds, timedOut, failures);
        }

        boolean allCompleted() {
            return completed == size;
        }

        String shortfall() {
            return timedOut ? "timed out" : "missed (" + failed + " failed)";
        }

        String describe() {
            if (timedOut) {
                return String.format(
                        Locale.ROOT,
                        "timed out after %.0f s (%d of %d completed, %d failed)",
                        seconds,
                        completed,
                        size,
                        failed);
            }
            return String.format(Locale.ROOT, "%.1f s", seconds)
                    + (failed > 0 ? " (" + failed + " failed: " + failures + ")" : "");
        }
    }

    private Batch runBatch(Server server, List<String> jobs, Duration limit) throws Exception {
        long start = System.nanoTime();
        List<String> ids = new ArrayList<>();
        for (String job : jobs) {
            ids.add(submitOrThrow(server, job));
        }
        return Batch.of(jobs.size(), await(server, ids, start + limit.toNanos()), start, limit);
    }

    /** Polls the tasks until each is final or the deadline passes; the last seen state of each. */
    private Map<String, Outcome> await(Server server, List<String> ids, long deadline) throws Exception {
        Map<String, Outcome> outcomes = new LinkedHashMap<>();
        List<String> open = new ArrayList<>(ids);
        while (!open.isEmpty()) {
            for (var it = open.iterator(); it.hasNext(); ) {
                String id = it.next();
                Outcome o = status(server, id);
                outcomes.put(id, o);
                if (o.isFinal()) {
                    it.remove();
                }
            }
            if (open.isEmpty() || System.nanoTime() >= deadline) {
                break;
            }
            sleep(POLL);
        }
        return outcomes;
    }

    private Outcome status(Server server, String id) throws Exception {
        HttpResponse<String> r = get(server, "/api/v1/merge/" + id + "/status");
        long at = System.nanoTime();
        if (r.statusCode() != 200) {
            return new Outcome("status answered " + r.statusCode(), "", at);
        }
        JsonNode node = json.readTree(r.body());
        return new Outcome(node.path("status").asText(), node.path("reason").asText(""), at);
    }

    /** Everything seen of one task while it was watched: each change of state or message, and when. */
    private static final class Watch {
        final long start;
        final List<String> seen = new ArrayList<>();
        String lastSeen = "";
        Outcome last;
        /** Seconds after {@link #start} when the state or message first matched the pattern; negative: never. */
        double firstMatch = -1;

        Watch(long start) {
            this.start = start;
        }

        double seconds(Outcome o) {
            return (o.atNanos - start) / 1e9;
        }

        String describe() {
            return String.join(" → ", seen)
                    + (last.isFinal()
                            ? ""
                            : String.format(Locale.ROOT, " (still %s at %.0f s)", last.state, seconds(last)));
        }
    }

    /**
     * Polls the tasks every 250 ms until each is final or the deadline passes, noting every change of state or
     * message with its time after {@code start}, and when a state or message first matched {@code pattern}.
     */
    private Map<String, Watch> watch(Server server, List<String> ids, long start, long deadline, Pattern pattern)
            throws Exception {
        Map<String, Watch> watches = new LinkedHashMap<>();
        ids.forEach(id -> watches.put(id, new Watch(start)));
        while (true) {
            boolean open = false;
            for (Map.Entry<String, Watch> e : watches.entrySet()) {
                Watch w = e.getValue();
                if (w.last != null && w.last.isFinal()) {
                    continue;
                }
                HttpResponse<String> r = get(server, "/api/v1/merge/" + e.getKey() + "/status");
                JsonNode node = json.readTree(r.body());
                String message = node.path("message").asText("");
                Outcome o = new Outcome(
                        node.path("status").asText(), node.path("reason").asText(""), System.nanoTime());
                w.last = o;
                String now = o + (message.isEmpty() ? "" : " \"" + truncate(message, 90) + "\"");
                if (!now.equals(w.lastSeen)) {
                    w.lastSeen = now;
                    w.seen.add(String.format(Locale.ROOT, "%s at %.0f s", now, w.seconds(o)));
                }
                if (w.firstMatch < 0
                        && pattern.matcher(o.reason + " " + message).find()) {
                    w.firstMatch = w.seconds(o);
                }
                open |= !o.isFinal();
            }
            if (!open || System.nanoTime() >= deadline) {
                return watches;
            }
            sleep(Duration.ofMillis(250));
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // HTTP.

    private String submitOrThrow(Server server, String job) throws Exception {
        HttpResponse<String> r = submit(server, job, Map.of());
        if (r.statusCode() != 202) {
            throw new IllegalStateException("submit answered " + r.statusCode() + ": " + oneLine(r.body()));
        }
        return json.readTree(r.body()).path("task_id").asText();
    }

    private HttpResponse<String> submit(Server server, String job, Map<String, String> headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(server.base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.ofString(job));
        headers.forEach(request::header);
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(Server server, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(server.base.resolve(path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** One answer of {@code /health}: its status (-1 when there was none) and body. */
    private record Health(int status, String body, double seconds) {
        String describe() {
            return (status < 0 ? "no answer" : Integer.toString(status)) + " " + truncate(body, 120)
                    + String.format(Locale.ROOT, " (after %.1f s)", seconds);
        }
    }

    private Health health(Server server) {
        try {
            HttpResponse<String> r = get(server, "/health");
            return new Health(r.statusCode(), oneLine(r.body()), 0);
        } catch (Exception e) {
            return new Health(-1, oneLine(e), 0);
        }
    }

    /** Asks {@code /health} until it answers {@code expected} or {@code limit} passes; the last answer. */
    private Health awaitHealth(Server server, int expected, Duration limit) {
        long start = System.nanoTime();
        long deadline = start + limit.toNanos();
        Health h;
        do {
            h = health(server);
            if (h.status == expected) {
                break;
            }
            sleep(Duration.ofMillis(250));
        } while (System.nanoTime() < deadline);
        return new Health(h.status, h.body, (System.nanoTime() - start) / 1e9);
    }

    // ---------------------------------------------------------------------------------------------------------
    // The server process.

    /** merge-server as a separate process leading its own process group, on loopback, with its defaults. */
    final class Server implements AutoCloseable {
        final String name;
        final Process process;
        final Path log;
        final URI base;

        private Server(String name, Process process, Path log, URI base) {
            this.name = name;
            this.process = process;
            this.log = log;
            this.base = base;
        }

        @Override
        public void close() {
            live.remove(this);
            stop(process);
        }
    }

    private Server start(String name, List<String> flags) throws Exception {
        return start(name, flags, work.resolve("data-" + name));
    }

    private Server start(String name, List<String> flags, Path data) throws Exception {
        if (!data.startsWith(disk.orElse(Path.of("/nonexistent")))) {
            io.videomerge.internal.job.FileTrees.deleteTree(data);
        }
        Files.createDirectories(data);
        Path log = work.resolve("server-" + name + ".log");
        List<String> command = new ArrayList<>();
        // Its own session and process group: the script can stop the server and its merge children together.
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            command.add("/usr/bin/setsid");
        }
        command.addAll(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar",
                jar.toString(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--store",
                "memory",
                "--data-dir",
                data.toString(),
                "--allow-loopback-urls"));
        command.addAll(flags);
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        Files.writeString(
                work.resolve("server.pids"),
                process.pid() + "\n",
                StandardOpenOption.CREATE,
                StandardOpenOption.APPEND);
        System.out.println("  started " + name + " (pid " + process.pid() + "): "
                + String.join(" ", command.subList(command.indexOf("-jar"), command.size())));
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        int port = -1;
        while (port < 0) {
            Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                port = Integer.parseInt(m.group(1));
            } else if (!process.isAlive() || System.nanoTime() > deadline) {
                stop(process);
                throw new IllegalStateException(name + " did not start: " + tail(log, 5));
            } else {
                sleep(POLL);
            }
        }
        Server server = new Server(name, process, log, URI.create("http://127.0.0.1:" + port));
        live.add(server);
        history.add(server);
        Health h = awaitHealth(server, 200, Duration.ofSeconds(30));
        if (h.status != 200) {
            server.close();
            throw new IllegalStateException(name + " did not answer /health 200: " + h.describe());
        }
        return server;
    }

    /** SIGTERM (the server hands its jobs back and stops its merges), then SIGKILL for whatever is left. */
    private static void stop(Process process) {
        List<ProcessHandle> family = process.descendants().toList();
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        family.forEach(ProcessHandle::destroyForcibly);
        process.descendants().forEach(ProcessHandle::destroyForcibly);
    }

    private void stopAll() {
        List<Server> servers;
        synchronized (live) {
            servers = new ArrayList<>(live);
        }
        servers.forEach(Server::close);
    }

    private static String tail(Path log, int lines) {
        try {
            List<String> all = Files.readAllLines(log);
            return String.join(" | ", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // Flags of the server under test, from its --help.

    private static Map<String, String> readHelp(Path jar) throws Exception {
        Process p = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
                        "--help")
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
        }
        Map<String, String> flags = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = HELP_FLAG.matcher(line);
            if (m.matches()) {
                flags.put(m.group(1), m.group(2).trim().replaceAll("\\s+", " "));
            }
        }
        return flags;
    }

    private Optional<String> flag(String name) {
        return help.containsKey(name) ? Optional.of(name) : Optional.empty();
    }

    /** The first flag whose name contains {@code word}. */
    private Optional<String> flagContaining(String word) {
        return help.keySet().stream().filter(f -> f.contains(word)).findFirst();
    }

    /** The first flag whose name contains {@code word} but not {@code unless}. */
    private Optional<String> flagContaining(String word, String unless) {
        return help.keySet().stream()
                .filter(f -> f.contains(word) && !f.contains(unless))
                .findFirst();
    }

    // ---------------------------------------------------------------------------------------------------------
    // Reporting.

    private String markdown(
            List<Report> reports, Instant started, long seconds, String loadBefore, String loadAfter, List<String> t) {
        StringBuilder md = new StringBuilder();
        md.append("## Load and abuse\n\n");
        md.append("Written by `benchmarks/load-and-abuse.sh` (`io.videomerge.benchmarks.LoadAndAbuse`); run it again"
                + " rather than editing this section.\n\n");
        md.append(String.format(
                Locale.ROOT,
                "- Measured: %s, %d s for the whole run (%s); videomerge %s.%n",
                started.truncatedTo(ChronoUnit.SECONDS),
                seconds,
                String.join(", ", t),
                System.getProperty("load.commit", "(commit unknown)")));
        md.append(String.format(
                Locale.ROOT,
                "- Machine: %d cores (%s), load average %s before and %s after, shared with other builds.%n",
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                loadBefore,
                loadAfter));
        md.append("- Server: `merge-server.jar` as a separate process per scenario, on its defaults (isolated merges,"
                + " workers and every limit as shipped) except `--host 127.0.0.1 --port 0 --store memory --data-dir"
                + " DIR --allow-loopback-urls` and the flags a scenario names below. Flags in its `--help`: "
                + help.keySet().stream().map(f -> "`--" + f + "`").collect(Collectors.joining(", ")) + ".\n");
        md.append("- Jobs: 2 clips each, generated by the testkit's `ClipGenerator` (640x360, 25 fps, H.264/AAC,"
                + " 2.5 s and 3 s), output " + QUALITY + "p 16:9 with the default fade, served over loopback by"
                + " `ClipServer` (throttled or trickling where a scenario says so). Each measured batch runs after one"
                + " warm-up job on the same server. Times are from the first submit to the last job seen final by"
                + " polling its status every 100 ms.\n\n");
        md.append("| scenario | figure | value | target | result |\n|---|---|---|---|---|\n");
        for (Report r : reports) {
            for (Row row : r.rows()) {
                md.append("| ")
                        .append(cell(row.scenario()))
                        .append(" | ")
                        .append(cell(row.figure()))
                        .append(" | ")
                        .append(cell(row.value()))
                        .append(" | ")
                        .append(cell(row.target()))
                        .append(" | ")
                        .append(cell(row.result()))
                        .append(" |\n");
            }
        }
        md.append('\n');
        for (Report r : reports) {
            List<String> notes = r.notes();
            if (!notes.isEmpty()) {
                md.append("**")
                        .append(r.name)
                        .append(".** ")
                        .append(String.join(" ", notes))
                        .append("\n\n");
            }
        }
        return md.toString();
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }

    private static String verdict(boolean met) {
        return met ? "met" : "**missed**";
    }

    private static double percentile(List<Double> sorted, int p) {
        if (sorted.isEmpty()) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.size());
        return sorted.get(Math.max(0, rank - 1));
    }

    private static String loadAverage() {
        try {
            String[] parts = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return parts[0] + " " + parts[1] + " " + parts[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** The machine's TcpExt ListenOverflows counter from /proc/net/netstat; -1 when it cannot be read. */
    private static long listenOverflows() {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/net/netstat"));
            for (int i = 0; i + 1 < lines.size(); i++) {
                if (lines.get(i).startsWith("TcpExt:") && lines.get(i + 1).startsWith("TcpExt:")) {
                    List<String> names = List.of(lines.get(i).split("\\s+"));
                    String[] values = lines.get(i + 1).split("\\s+");
                    int at = names.indexOf("ListenOverflows");
                    return at > 0 ? Long.parseLong(values[at]) : -1;
                }
            }
        } catch (IOException | RuntimeException e) {
            // Not Linux, or another layout: the note is left out.
        }
        return -1;
    }

    private static String cpuModel() {
        try (var lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    /** The root cause's class and message, for grouping failed requests. */
    private static String failureName(Throwable t) {
        Throwable root = rootCause(t);
        return root.getClass().getSimpleName()
                + (root.getMessage() == null ? "" : " (" + truncate(root.getMessage(), 60) + ")");
    }

    private static Throwable rootCause(Throwable t) {
        Throwable c = t;
        while (c.getCause() != null && c.getCause() != c) {
            c = c.getCause();
        }
        return c;
    }

    private static String oneLine(Object o) {
        String text =
                o instanceof Throwable t ? t.getClass().getSimpleName() + ": " + t.getMessage() : String.valueOf(o);
        return truncate(text.replaceAll("\\s+", " ").trim(), 200);
    }

    private static String truncate(String text, int max) {
        return text.length() <= max ? text : text.substring(0, max - 1) + "…";
    }

    private static void sleep(Duration d) {
        LockSupport.parkNanos(d.toNanos());
        if (Thread.currentThread().isInterrupted()) {
            throw new IllegalStateException("interrupted: the scenario ran out of time");
        }
    }
}
