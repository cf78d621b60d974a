package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * What an operator sees of merge-server, started in this JVM as {@link Main} starts it (logging configured from the
 * settings, then the server) on the in-memory store, with merges isolated in child processes as by default: the job
 * lifecycle in the log, text or JSON, and the meters at {@code /metrics}.
 */
class OperatingTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    /** A URL's query stands for a signature: it must never reach the log. */
    private static final String SIGNATURE = "sig=SECRET-SIGNATURE";

    @TempDir
    Path data;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private MergeServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        ServerLogging.configure(ServerLogging.Format.TEXT);
    }

    /** Starts the server as {@link Main} does, its log written to {@link #log}. */
    private URI start(String... flags) throws Exception {
        List<String> all = new ArrayList<>(
                List.of("--port", "0", "--host", "127.0.0.1", "--data-dir", data.toString(), "--store", "memory"));
        all.addAll(List.of(flags));
        ServerConfig config = ServerConfig.parse(all.toArray(String[]::new), Map.of());
        ServerLogging.configure(config.observability().logFormat(), log);
        // The downloader's own line (at DEBUG) shows that the MDC reaches deep into a job's work.
        ((LoggerContext) LoggerFactory.getILoggerFactory())
                .getLogger("io.videomerge.internal.fetch")
                .setLevel(Level.DEBUG);
        server = MergeServer.start(config);
        return server.localUri();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** Submits a merge of {@code names} (served under /files/, each URL with a query) and waits for its answer. */
    private HttpResponse<String> merge(URI base, String... names) throws Exception {
        List<String> urls = new ArrayList<>();
        for (String name : names) {
            urls.add("\"" + base + "/files/" + name + "?" + SIGNATURE + "\"");
        }
        return send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=120")
                .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":" + urls + ",\"quality\":\"480\"}")));
    }

    private static String taskId(HttpResponse<String> response) {
        String location = response.headers().firstValue("Location").orElseThrow();
        String[] parts = location.split("/");
        return parts[parts.length - 2];
    }

    private void twoClips() throws IOException {
        Path files = Files.createDirectories(data.resolve("files"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), files, "a");
        ClipGenerator.write(ClipSpec.of(240, 320).withDuration(1.2), files, "b");
    }

    private String logText() {
        return log.toString(StandardCharsets.UTF_8);
    }

    /** The JSON lines written so far; each must be one JSON object. */
    private List<JsonNode> jsonLines() {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logText().split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            try {
                JsonNode node = json.readTree(line);
                assertTrue(node.isObject(), "not an object: " + line);
                lines.add(node);
            } catch (IOException e) {
                throw new UncheckedIOException("not a JSON line: " + line, e);
            }
        }
        return lines;
    }

    /** The first line {@code which} accepts, waiting for it up to the deadline (events follow the store's record). */
    private JsonNode awaitLine(String what, Predicate<JsonNode> which) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            for (JsonNode line : jsonLines()) {
                if (which.test(line)) {
                    return line;
                }
            }
            if (System.nanoTime() - deadline > 0) {
                fail("no line " + what + " in:\n" + logText());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    private static Predicate<JsonNode> lifecycle(String task, String messageStart) {
        return line -> line.path("loggerName").asText().equals("io.videomerge.jobs")
                && line.path("mdc").path("task_id").asText().equals(task)
                && line.path("formattedMessage").asText().startsWith(messageStart);
    }

    @Test
    @DisplayName(
            "With --log-format json every line is a JSON object, and a completed and a failed job tell their lives with"
                    + " their task id")
    void jsonLifecycle() throws Exception {
        twoClips();
        URI base = start("--log-format", "json", "--allow-loopback-urls", "--merge-concurrency", "1");

        HttpResponse<String> completed = merge(base, "a.mp4", "b.mp4");
        HttpResponse<String> failed = merge(base, "a.mp4", "missing.mp4");

        assertEquals(200, completed.statusCode(), completed.body());
        assertEquals(422, failed.statusCode(), failed.body());
        String done = taskId(completed);
        String broken = taskId(failed);
        for (String event : List.of("submitted: 2 clips from 127.0.0.1", "claimed by ", "fetch: 2 inputs", "probe: ")) {
            awaitLine(done + " " + event, lifecycle(done, event));
        }
        JsonNode encode = awaitLine("encode of " + done, lifecycle(done, "encode: "));
        assertTrue(
                encode.path("formattedMessage")
                        .asText()
                        .matches("encode: [0-9.]+ s of output in [0-9.]+ s \\([0-9.]+x" + " real time, re-encoded\\)"),
                encode.toString());
        // Merges run in a child process: its start and hand-over are timed apart from probe and encode.
        awaitLine(done + " isolation", lifecycle(done, "isolation: "));
        awaitLine(done + " upload", lifecycle(done, "upload: "));
        JsonNode completion = awaitLine(done + " completed", lifecycle(done, "completed: "));
        assertEquals("INFO", completion.path("level").asText());
        assertEquals("anonymous", completion.path("mdc").path("principal").asText());
        assertEquals("1", completion.path("mdc").path("attempt").asText());
        assertTrue(completion.path("timestamp").isNumber(), completion.toString());
        JsonNode failure = awaitLine(broken + " failed", lifecycle(broken, "failed: "));
        assertTrue(
                failure.path("formattedMessage").asText().startsWith("failed: DOWNLOAD_FAILED on input 1: "),
                failure.toString());
        assertTrue(failure.path("formattedMessage").asText().contains("final"), failure.toString());
        JsonNode fetched = awaitLine(
                "the downloader's line of " + done,
                line -> line.path("loggerName").asText().endsWith("fetch.Fetcher")
                        && line.path("formattedMessage").asText().startsWith("input 0 fetched from 127.0.0.1"));
        assertEquals(done, fetched.path("mdc").path("task_id").asText(), "the MDC reaches the downloader");
        assertTrue(fetched.path("threadName").asText().startsWith("videomerge-job-"), fetched.toString());
        assertFalse(logText().contains("SECRET-SIGNATURE"), "no URL query in the log");
        assertTrue(
                jsonLines().stream()
                        .filter(line -> line.path("threadName").asText().startsWith("videomerge-janitor"))
                        .noneMatch(line -> line.path("mdc").has("task_id")),
                "the MDC is cleared off threads that run no job");
    }

    @Test
    @DisplayName("With the text format a lifecycle line carries the MDC: task id, principal and attempt")
    void textLifecycle() throws Exception {
        URI base = start("--allow-loopback-urls", "--api-keys", "k-one");

        HttpResponse<String> failed = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("X-API-Key", "k-one")
                .header("Prefer", "wait=60")
                .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":[\"" + base + "/files/x.mp4?" + SIGNATURE
                        + "\",\"" + base + "/files/y.mp4\"]}")));

        assertEquals(422, failed.statusCode(), failed.body());
        String task = taskId(failed);
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (logText().lines().noneMatch(line -> line.contains("failed: DOWNLOAD_FAILED"))) {
            if (System.nanoTime() - deadline > 0) {
                fail("no failed line in:\n" + logText());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        String line = logText()
                .lines()
                .filter(l -> l.contains("failed: DOWNLOAD_FAILED"))
                .findFirst()
                .orElseThrow();
        assertTrue(line.contains(" INFO  [videomerge-job-"), line);
        assertTrue(line.contains("io.videomerge.jobs [task_id=" + task + ", principal=key-"), line);
        assertTrue(line.contains("attempt=1] - failed: DOWNLOAD_FAILED on input 0: "), line);
        assertFalse(logText().contains("SECRET-SIGNATURE"), "no URL query in the log");
    }

    @Test
    @DisplayName("GET /metrics answers Prometheus text with the job meters after a job, without an API key")
    void metricsAfterAJob() throws Exception {
        URI base = start("--allow-loopback-urls", "--api-keys", "k-one");
        HttpResponse<String> failed = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("X-API-Key", "k-one")
                .header("Prefer", "wait=60")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"video_urls\":[\"" + base + "/files/x.mp4\",\"" + base + "/files/y.mp4\"]}")));
        assertEquals(422, failed.statusCode(), failed.body());

        String counted = "videomerge_jobs_total{code=\"DOWNLOAD_FAILED\",outcome=\"failed\"} 1.0";
        HttpResponse<String> metrics = awaitMetrics(base, counted);

        assertEquals(200, metrics.statusCode());
        assertTrue(
                metrics.headers().firstValue("Content-Type").orElse("").startsWith("text/plain; version=0.0.4"),
                metrics.headers().toString());
        for (String expected : List.of(
                "# TYPE videomerge_jobs_total counter",
                "videomerge_jobs_submitted_total 1.0",
                "videomerge_stage_duration_seconds_count{stage=\"fetch\"} 0",
                "videomerge_stage_duration_seconds_count{stage=\"isolation\"} 0",
                "videomerge_jobs_running{stage=\"merge\"}",
                "videomerge_jobs_pending ",
                "videomerge_fetch_bytes_total 0.0",
                "jvm_memory_used_bytes")) {
            assertTrue(metrics.body().contains(expected), expected + " in:\n" + metrics.body());
        }
    }

    private HttpResponse<String> awaitMetrics(URI base, String expected) throws Exception {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (true) {
            HttpResponse<String> metrics = send(HttpRequest.newBuilder(base.resolve("/metrics")));
            if (metrics.statusCode() != 200 || metrics.body().contains(expected)) {
                return metrics;
            }
            if (System.nanoTime() - deadline > 0) {
                fail(expected + " not in:\n" + metrics.body());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    @Test
    @DisplayName("With --metrics-token, /metrics is 401 without the bearer token or with another, 200 with it")
    void metricsToken() throws Exception {
        URI base = start("--metrics-token", "scrape-me", "--api-keys", "k-one");
        HttpRequest.Builder scrape = HttpRequest.newBuilder(base.resolve("/metrics"));

        HttpResponse<String> none = send(scrape);
        HttpResponse<String> wrong =
                send(HttpRequest.newBuilder(base.resolve("/metrics")).header("Authorization", "Bearer scrape-you"));
        HttpResponse<String> apiKey =
                send(HttpRequest.newBuilder(base.resolve("/metrics")).header("X-API-Key", "k-one"));
        HttpResponse<String> right =
                send(HttpRequest.newBuilder(base.resolve("/metrics")).header("Authorization", "Bearer scrape-me"));

        assertEquals(401, none.statusCode());
        assertEquals(
                "Bearer realm=\"metrics\"",
                none.headers().firstValue("WWW-Authenticate").orElse(""));
        assertEquals(401, wrong.statusCode());
        assertEquals(401, apiKey.statusCode(), "an API key is not the metrics token");
        assertEquals(200, right.statusCode());
        assertTrue(right.body().contains("videomerge_jobs_submitted_total 0.0"), right.body());
    }

    @Test
    @DisplayName("With --metrics off there is no /metrics")
    void metricsOff() throws Exception {
        URI base = start("--metrics", "off");

        HttpResponse<String> metrics = send(HttpRequest.newBuilder(base.resolve("/metrics")));

        assertEquals(404, metrics.statusCode());
        assertFalse(metrics.body().contains("videomerge_"), metrics.body());
    }
}
