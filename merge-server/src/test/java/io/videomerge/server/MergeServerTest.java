package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.Limits;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.WebhookReceiver;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** merge-server in this JVM, assembled exactly as {@link Main} assembles it, on the in-memory store. */
class MergeServerTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    @TempDir
    Path data;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private MergeServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private URI start(String... flags) throws Exception {
        String[] all = new String[flags.length + 8];
        System.arraycopy(
                new String[] {"--port", "0", "--host", "127.0.0.1", "--data-dir", data.toString(), "--store", "memory"},
                0,
                all,
                0,
                8);
        System.arraycopy(flags, 0, all, 8, flags.length);
        server = MergeServer.start(ServerConfig.parse(all, Map.of()));
        return server.localUri();
    }

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    @DisplayName(
            "A merge of clips served under /files/ completes in one call with Prefer: wait, and its merged_url downloads")
    void mergesAndServesTheResult() throws Exception {
        Path files = Files.createDirectories(data.resolve("files"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.5), files, "a");
        ClipGenerator.write(ClipSpec.of(240, 320).withDuration(1.5), files, "b");
        URI base = start("--allow-loopback-urls", "--merge-concurrency", "1");

        HttpResponse<String> merged = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=120")
                .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":[\"" + base + "/files/a.mp4\",\"" + base
                        + "/files/b.mp4\"],\"quality\":\"480\",\"aspect_ratio\":\"1:1\"}")));
        JsonNode body = json.readTree(merged.body());

        assertEquals(200, merged.statusCode(), merged.body());
        assertTrue(body.get("success").asBoolean());
        URI mergedUrl = URI.create(body.get("merged_url").asText());
        assertEquals("/files/", mergedUrl.getPath().substring(0, 7), mergedUrl.toString());
        assertEquals(server.port(), mergedUrl.getPort());
        Path download = data.resolve("download.mp4");
        HttpResponse<Path> file =
                http.send(HttpRequest.newBuilder(mergedUrl).build(), HttpResponse.BodyHandlers.ofFile(download));
        assertEquals(200, file.statusCode());
        assertEquals("video/mp4", file.headers().firstValue("Content-Type").orElse(""));
        ClipInfo info = new Prober(Limits.defaults()).probe(download, 0);
        assertEquals(480, info.displayWidth());
        assertEquals(480, info.displayHeight());
        assertEquals(body.get("duration_seconds").asDouble(), info.durationSeconds(), 0.1);
    }

    @Test
    @DisplayName("With --webhook-secret a task's final status is posted, signed, to its callback_url")
    void postsWebhooks() throws Exception {
        String secret = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);
        try (WebhookReceiver receiver = WebhookReceiver.start()) {
            URI base = start(
                    "--allow-loopback-urls",
                    "--isolation",
                    "in-process",
                    "--merge-concurrency",
                    "1",
                    "--webhook-secret",
                    secret);

            HttpResponse<String> submitted = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":[\"" + base + "/files/none-a.mp4\",\""
                            + base + "/files/none-b.mp4\"],\"callback_url\":\"" + receiver.url("/hook") + "\"}")));
            assertEquals(202, submitted.statusCode(), submitted.body());
            String id = json.readTree(submitted.body()).get("task_id").asText();

            WebhookReceiver.Received hook = receiver.next(DEADLINE);
            JsonNode body = json.readTree(hook.body());
            assertTrue(hook.verify(secret), hook.headers().toString());
            assertEquals("msg_" + id, hook.header("webhook-id"));
            assertEquals(id, body.get("task_id").asText());
            assertEquals("failed", body.get("status").asText());
            assertEquals("DOWNLOAD_FAILED", body.get("reason").asText());
        }
    }

    @Test
    @DisplayName("Loopback URLs are refused unless the server is told to allow them")
    void loopbackIsOffByDefault() throws Exception {
        URI base = start();

        HttpResponse<String> refused = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"video_urls\":[\"" + base + "/files/a.mp4\",\"" + base + "/files/b.mp4\"]}")));

        assertEquals(422, refused.statusCode(), refused.body());
        assertEquals("URL_FORBIDDEN", json.readTree(refused.body()).get("code").asText());
        assertFalse(refused.body().contains("127.0.0.1"), "no resolved address in the answer: " + refused.body());
    }

    @Test
    @DisplayName("/files/ serves files only: no listing, nothing outside the folder")
    void filesServesOnlyFiles() throws Exception {
        URI base = start();
        Files.createDirectories(data.resolve("files"));
        Files.writeString(data.resolve("secret.txt"), "do not serve");
        Files.writeString(data.resolve("files").resolve("x.mp4"), "not really a video");

        assertEquals(
                200, send(HttpRequest.newBuilder(base.resolve("/files/x.mp4"))).statusCode());
        for (String path :
                List.of("/files/", "/files/..%2fsecret.txt", "/files/%2e%2e/secret.txt", "/files/../secret.txt")) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path)));
            assertNotEquals(200, response.statusCode(), path);
            assertFalse(response.body().contains("do not serve"), path);
        }
    }

    @Test
    @DisplayName("Health answers ok and the OpenAPI document is served at the root mount")
    void healthAndDocument() throws Exception {
        URI base = start();

        HttpResponse<String> health = send(HttpRequest.newBuilder(base.resolve("/health")));
        HttpResponse<String> doc = send(HttpRequest.newBuilder(base.resolve("/api/v1/openapi.json")));

        assertEquals(200, health.statusCode());
        assertEquals("{\"status\":\"ok\"}", health.body());
        assertEquals(200, doc.statusCode());
        assertTrue(json.readTree(doc.body()).get("paths").has("/api/v1/merge"));
    }

    @Test
    @DisplayName("API keys from the settings protect the merge endpoints")
    void apiKeysFromSettings() throws Exception {
        URI base = start("--api-keys", "k-one,k-two");
        HttpRequest.Builder submit = HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"video_urls\":[\"https://example.com/a.mp4\"," + "\"https://example.com/b.mp4\"]}"));

        assertEquals(401, send(submit).statusCode());
        assertEquals(202, send(submit.header("X-API-Key", "k-two")).statusCode());
    }

    @Test
    @DisplayName(
            "With a store that does not answer, health and submit are 503 STORE_UNAVAILABLE and nothing is accepted")
    void storeDownIs503() throws Exception {
        // A Redis URI on a port where nothing listens: a real store client that cannot reach its server.
        URI base = start("--store", "redis://127.0.0.1:1");

        HttpResponse<String> health = send(HttpRequest.newBuilder(base.resolve("/health")));
        HttpResponse<String> submit = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"video_urls\":[\"https://example.com/a.mp4\"," + "\"https://example.com/b.mp4\"]}")));

        assertEquals(503, health.statusCode(), health.body());
        assertEquals("5", health.headers().firstValue("Retry-After").orElse(""));
        assertEquals(503, submit.statusCode(), submit.body());
        assertEquals(
                "STORE_UNAVAILABLE", json.readTree(submit.body()).get("code").asText());
        assertFalse(submit.body().contains("127.0.0.1"), "no address in the answer: " + submit.body());
    }
}
