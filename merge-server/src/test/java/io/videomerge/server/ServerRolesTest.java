package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code api} and {@code worker} roles in this JVM, assembled as {@link Main} assembles them, on a schema of
 * their own in the test PostgreSQL. {@code ScaleOutProcessTest} runs them as separate processes.
 */
class ServerRolesTest {
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir
    Path tmp;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<MergeServer> servers = new ArrayList<>();
    private TestPostgresSchema schema;
    private ClipServer clips;

    @AfterEach
    void stop() {
        try {
            servers.forEach(MergeServer::close);
            if (clips != null) {
                clips.close();
            }
        } finally {
            if (schema != null) {
                schema.close();
            }
        }
    }

    private String postgres() {
        schema = TestPostgresSchema.create("vm_roles");
        return schema.url();
    }

    /** A server on an ephemeral loopback port with {@code flags} after the common ones. */
    private MergeServer start(String... flags) throws Exception {
        List<String> all = new ArrayList<>(List.of(
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--data-dir",
                tmp.resolve("data").toString(),
                "--isolation",
                "in-process",
                "--allow-loopback-urls"));
        all.addAll(List.of(flags));
        MergeServer server = MergeServer.start(ServerConfig.parse(all.toArray(String[]::new), Map.of()));
        servers.add(server);
        return server;
    }

    private HttpResponse<String> get(URI uri) throws Exception {
        return http.send(HttpRequest.newBuilder(uri).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> submit(URI api, String body, String prefer) throws Exception {
        return http.send(
                HttpRequest.newBuilder(api.resolve("/api/v1/merge"))
                        .header("Content-Type", "application/json")
                        .header("Idempotency-Key", "roles-test")
                        .header("Prefer", prefer)
                        .timeout(DEADLINE)
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName("A worker's port answers GET /health as the API does, and 404 NOT_FOUND to the API and /files/")
    void workerServesOnlyHealth() throws Exception {
        URI worker = start("--role", "worker", "--store", postgres(), "--public-url", "https://vm.example.com")
                .localUri();

        HttpResponse<String> health = get(worker.resolve("/health"));
        assertEquals(200, health.statusCode(), health.body());
        assertEquals("{\"status\":\"ok\"}", health.body());
        for (String path : List.of(
                "/api/v1/merge/0123456789abcdef/status", "/api/v1/openapi.json", "/files/x.mp4", "/health/", "/")) {
            HttpResponse<String> response = get(worker.resolve(path));
            assertEquals(404, response.statusCode(), path);
            assertEquals("NOT_FOUND", json.readTree(response.body()).get("code").asText(), path);
            assertEquals(
                    "application/json",
                    response.headers().firstValue("Content-Type").orElse(""),
                    path);
        }
        HttpResponse<String> submit = submit(worker, "{\"video_urls\":[\"https://a.example/a.mp4\"]}", "wait=0");
        assertEquals(404, submit.statusCode(), submit.body());
        assertEquals("NOT_FOUND", json.readTree(submit.body()).get("code").asText());
    }

    @Test
    @DisplayName("A worker's /health is 503 with the code when its store does not answer or its disk is low")
    void workerHealthFails() throws Exception {
        // A Redis URI on a port where nothing listens: a real store client that cannot reach its server.
        URI noStore = start("--role", "worker", "--store", "redis://127.0.0.1:1", "--public-url", "https://vm.x")
                .localUri();
        URI lowDisk = start(
                        "--role",
                        "worker",
                        "--store",
                        postgres(),
                        "--public-url",
                        "https://vm.x",
                        "--min-free-disk",
                        "1000000g")
                .localUri();

        HttpResponse<String> unreachable = get(noStore.resolve("/health"));
        HttpResponse<String> full = get(lowDisk.resolve("/health"));

        assertEquals(503, unreachable.statusCode(), unreachable.body());
        assertEquals(
                "STORE_UNAVAILABLE",
                json.readTree(unreachable.body()).get("code").asText());
        assertTrue(unreachable.headers().firstValue("Retry-After").isPresent());
        assertEquals(503, full.statusCode(), full.body());
        assertEquals("STORAGE_FULL", json.readTree(full.body()).get("code").asText());
    }

    @Test
    @DisplayName(
            "An api process records a task and runs none; a worker on the same store and data folder runs it, and the"
                    + " api serves its merged_url")
    void apiRecordsAndAWorkerRuns() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("clips"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), folder, "a");
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), folder, "b");
        clips = ClipServer.serve(folder);
        String store = postgres();
        MergeServer api = start("--role", "api", "--store", store);
        URI base = api.localUri();
        String body = "{\"video_urls\":[\"" + clips.url("a.mp4") + "\",\"" + clips.url("b.mp4")
                + "\"],\"quality\":\"480\",\"aspect_ratio\":\"1:1\"}";

        // Alone, the api records the task and waits for it in vain: in the role "all" its own worker, woken by the
        // submit, would have claimed it within this second.
        HttpResponse<String> waited = submit(base, body, "wait=1");
        assertEquals(202, waited.statusCode(), waited.body());
        String id = json.readTree(waited.body()).get("task_id").asText();
        assertEquals(
                "pending",
                json.readTree(get(base.resolve("/api/v1/merge/" + id + "/status"))
                                .body())
                        .get("status")
                        .asText());

        start("--role", "worker", "--store", store, "--public-url", base.toString(), "--merge-concurrency", "1");
        HttpResponse<String> done;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        do {
            done = submit(base, body, "wait=30");
        } while (done.statusCode() == 202 && System.nanoTime() < deadline);
        assertEquals(200, done.statusCode(), done.body());
        assertEquals(
                "/api/v1/merge/" + id + "/status",
                done.headers().firstValue("Location").orElse(""),
                "the same task");
        JsonNode result = json.readTree(done.body());
        assertEquals(2, result.get("clips_merged").asInt());
        URI merged = URI.create(result.get("merged_url").asText());
        assertEquals(api.port(), merged.getPort(), merged.toString());
        assertTrue(merged.getPath().startsWith("/files/"), merged.toString());
        HttpResponse<byte[]> file = http.send(
                HttpRequest.newBuilder(merged).timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, file.statusCode());
        assertTrue(file.body().length > 1000, "a video, not " + file.body().length + " bytes");
    }
}
