package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.Limits;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scale-out layout of the README as real processes: one {@code --role api} and two {@code --role worker}
 * merge-server processes started from the packaged jar, sharing a fresh schema of the test PostgreSQL
 * ({@code VIDEOMERGE_TEST_POSTGRES_URL}) and one data folder, each worker with a work folder of its own.
 */
@Tag("process")
class ScaleOutProcessTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final Duration STOP = Duration.ofSeconds(60);
    /** The line a worker logs for each job it claims (JobWorker). */
    private static final Pattern CLAIMED =
            Pattern.compile("task_id=([0-9a-f-]+)[^\\n]*claimed by ([^:\\s]+): attempt (\\d+)");
    /** One merge per aspect ratio, and the 480p canvas each must have. */
    private static final Map<String, int[]> JOBS = new LinkedHashMap<>(Map.of(
            "16:9", new int[] {854, 480},
            "9:16", new int[] {480, 854},
            "1:1", new int[] {480, 480},
            "4:5", new int[] {480, 600}));

    @TempDir
    Path tmp;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<ServerProcess> processes = new ArrayList<>();
    private TestPostgresSchema schema;
    private ClipServer clips;

    @AfterEach
    void cleanUp() throws InterruptedException {
        try {
            for (ServerProcess process : processes) {
                process.close();
            }
            if (clips != null) {
                clips.close();
            }
        } finally {
            if (schema != null) {
                schema.close();
            }
        }
    }

    private ServerProcess launch(String role, List<String> flags) throws Exception {
        List<String> all = new ArrayList<>(List.of(
                "--role",
                role,
                "--store",
                schema.url(),
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--data-dir",
                tmp.resolve("shared").toString(),
                "--allow-loopback-urls"));
        all.addAll(flags);
        ServerProcess process = ServerProcess.launch(all);
        processes.add(process);
        return process;
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> submit(URI api, String ratio, String prefer) throws Exception {
        String body = "{\"video_urls\":[\"" + clips.url("a.mp4") + "\",\"" + clips.url("b.mp4")
                + "\"],\"quality\":\"480\",\"aspect_ratio\":\"" + ratio + "\"}";
        HttpRequest.Builder request = HttpRequest.newBuilder(api.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "scale-out-" + ratio)
                .timeout(DEADLINE)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (prefer != null) {
            request.header("Prefer", prefer);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("One api and two worker processes on PostgreSQL: every merge completes and downloads from the api, the"
            + " workers ran them all between them, the api none, and each stops cleanly on SIGTERM")
    void apiAndTwoWorkers() throws Exception {
        schema = TestPostgresSchema.create("vm_scale_out");
        Path folder = Files.createDirectories(tmp.resolve("clips"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), folder, "a");
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), folder, "b");
        clips = ClipServer.serve(folder);

        ServerProcess api = launch("api", List.of("--retention", "1h", "--shutdown-grace", "5s"));
        api.awaitListening(DEADLINE);
        List<ServerProcess> workers = new ArrayList<>();
        for (int i = 1; i <= 2; i++) {
            // One job at a time each (one fetching, one merging at most), so neither worker takes the whole batch.
            workers.add(launch(
                    "worker",
                    List.of(
                            "--public-url",
                            api.base().toString(),
                            "--work-dir",
                            tmp.resolve("work-" + i).toString(),
                            "--merge-concurrency",
                            "1",
                            "--fetch-concurrency",
                            "1",
                            "--fetched-queue",
                            "0",
                            "--isolation",
                            "in-process",
                            "--shutdown-grace",
                            "10s")));
        }
        for (ServerProcess worker : workers) {
            worker.awaitListening(DEADLINE);
        }

        assertEquals("{\"status\":\"ok\"}", get(api.base().resolve("/health")).body());
        for (ServerProcess worker : workers) {
            HttpResponse<String> health = get(worker.base().resolve("/health"));
            assertEquals(200, health.statusCode(), health.body());
            assertEquals("{\"status\":\"ok\"}", health.body());
            HttpResponse<String> api404 = get(worker.base().resolve("/api/v1/openapi.json"));
            assertEquals(404, api404.statusCode(), api404.body());
            assertEquals("NOT_FOUND", json.readTree(api404.body()).get("code").asText());
        }

        Map<String, String> taskOfRatio = new LinkedHashMap<>();
        for (String ratio : JOBS.keySet()) {
            HttpResponse<String> accepted = submit(api.base(), ratio, null);
            assertEquals(202, accepted.statusCode(), accepted.body());
            taskOfRatio.put(ratio, json.readTree(accepted.body()).get("task_id").asText());
        }

        for (Map.Entry<String, int[]> job : JOBS.entrySet()) {
            String ratio = job.getKey();
            // The same request and key name the same task; Prefer: wait answers once the api, polling the store,
            // sees it finished.
            HttpResponse<String> done;
            long deadline = System.nanoTime() + DEADLINE.toNanos();
            do {
                done = submit(api.base(), ratio, "wait=60");
            } while (done.statusCode() == 202 && System.nanoTime() < deadline);
            HttpResponse<String> answer = done;
            assertEquals(200, done.statusCode(), () -> answer.body() + logs(api, workers));
            assertEquals(
                    "/api/v1/merge/" + taskOfRatio.get(ratio) + "/status",
                    done.headers().firstValue("Location").orElse(""));
            JsonNode result = json.readTree(done.body());
            assertTrue(result.get("success").asBoolean(), done.body());
            assertEquals(2, result.get("clips_merged").asInt());

            URI merged = URI.create(result.get("merged_url").asText());
            assertTrue(merged.toString().startsWith(api.base() + "/files/"), merged.toString());
            Path download = tmp.resolve("download-" + ratio.replace(':', 'x') + ".mp4");
            HttpResponse<Path> file =
                    http.send(HttpRequest.newBuilder(merged).build(), HttpResponse.BodyHandlers.ofFile(download));
            assertEquals(200, file.statusCode(), ratio);
            ClipInfo info = new Prober(Limits.defaults()).probe(download, 0);
            assertEquals(job.getValue()[0], info.displayWidth(), ratio);
            assertEquals(job.getValue()[1], info.displayHeight(), ratio);
            assertEquals(result.get("duration_seconds").asDouble(), info.durationSeconds(), 0.1, ratio);
            // A worker's port serves no files: the api processes do, from the shared folder.
            assertEquals(
                    404, get(workers.get(0).base().resolve(merged.getPath())).statusCode(), merged.getPath());
        }

        // Who claimed what, from each process's own log: every task exactly once, by a worker; both workers ran
        // some; the api ran none.
        Map<String, String> claimedBy = new TreeMap<>();
        List<String> owners = new ArrayList<>();
        for (ServerProcess worker : workers) {
            Matcher m = CLAIMED.matcher(worker.log());
            String owner = null;
            int claims = 0;
            while (m.find()) {
                String previous = claimedBy.put(m.group(1), "worker " + worker.port());
                String task = m.group(1);
                assertEquals(null, previous, () -> "task " + task + " was claimed once" + logs(api, workers));
                assertEquals("1", m.group(3), "first attempt of " + m.group(1));
                owner = owner == null ? m.group(2) : owner;
                assertEquals(owner, m.group(2), "one owner id per worker");
                claims++;
            }
            assertTrue(claims > 0, () -> "worker " + worker.port() + " ran a merge" + logs(api, workers));
            owners.add(owner);
        }
        assertEquals(
                new TreeSet<>(taskOfRatio.values()),
                claimedBy.keySet(),
                () -> "the workers claimed exactly the submitted tasks" + logs(api, workers));
        assertFalse(owners.get(0).equals(owners.get(1)), "the workers have owner ids of their own: " + owners);
        assertFalse(CLAIMED.matcher(api.log()).find(), "the api claimed nothing:\n" + api.log());
        assertTrue(api.log().contains("videomerge runs as api"), api.log());

        // SIGTERM: each process runs its shutdown hook and exits (128 + 15), none killed or crashed.
        for (ServerProcess process : processes) {
            assertEquals(143, process.stop(STOP), process.log());
        }
    }

    private static String logs(ServerProcess api, List<ServerProcess> workers) {
        StringBuilder text = new StringBuilder("\n--- api ---\n").append(api.log());
        for (ServerProcess worker : workers) {
            text.append("--- worker ").append(worker.port()).append(" ---\n").append(worker.log());
        }
        return text.toString();
    }
}
