package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.Isolation;
import io.videomerge.IsolationHooks;
import io.videomerge.internal.isolate.ScriptedChild;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * merge-server with its default isolation, whose child processes crash in native code on a poisoned upload: the
 * job fails alone, the server keeps answering and runs the next job.
 */
class IsolatedServerTest {
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

    private HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return http.send(request.timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode merge(URI base, String first, String second) throws Exception {
        HttpResponse<String> response = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=150")
                .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":[\"" + base + "/files/" + first + "\",\""
                        + base + "/files/" + second + "\"],\"quality\":\"480\"}")));
        JsonNode body = json.readTree(response.body());
        return json.createObjectNode().put("status", response.statusCode()).set("body", body);
    }

    @Test
    @DisplayName("The server isolates merges by default; a job whose child crashes fails with INPUT_CRASHED_DECODER "
            + "(422) while /health answers 200 and the next job completes")
    void crashingChildFailsOneJob() throws Exception {
        Path files = Files.createDirectories(data.resolve("files"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.5), files, "a");
        ClipGenerator.write(ClipSpec.of(240, 320).withDuration(1.5), files, "b");
        Files.writeString(files.resolve("poison.mp4"), ScriptedChild.CRASH + " a decoder-crashing upload");
        ServerConfig config = ServerConfig.parse(
                new String[] {
                    "--port",
                    "0",
                    "--host",
                    "127.0.0.1",
                    "--data-dir",
                    data.toString(),
                    "--store",
                    "memory",
                    "--allow-loopback-urls",
                    "--merge-concurrency",
                    "1"
                },
                Map.of());
        assertTrue(config.isolation().isProcess(), "isolated by default");
        Isolation crashing = IsolationHooks.scripted(config.isolation(), data.resolve("markers"));
        server = MergeServer.start(config.withIsolation(crashing));
        URI base = server.localUri();

        JsonNode crashed = merge(base, "a.mp4", "poison.mp4");
        int childrenOfTheCrashedJob =
                ScriptedChild.markedPids(data.resolve("markers")).size();
        HttpResponse<String> health = send(HttpRequest.newBuilder(base.resolve("/health")));
        JsonNode next = merge(base, "a.mp4", "b.mp4");

        assertEquals(422, crashed.get("status").asInt(), crashed.toString());
        assertEquals("INPUT_CRASHED_DECODER", crashed.at("/body/reason").asText(), crashed.toString());
        assertEquals(
                "the decoder crashed on input 1, twice",
                crashed.at("/body/error").asText());
        assertFalse(crashed.toString().contains("SIGSEGV"), "no native text reaches the client");
        assertEquals(2, childrenOfTheCrashedJob, "two children took the job");
        assertEquals(200, health.statusCode(), health.body());
        assertEquals(200, next.get("status").asInt(), next.toString());
        assertTrue(next.at("/body/success").asBoolean(), next.toString());
    }
}
