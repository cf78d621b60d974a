package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * merge-server as a separate process started from the packaged jar, as the README starts it: a merge
 * interrupted by SIGTERM completes after a restart on the same data folder (the embedded SQLite store).
 */
@Tag("process")
class ServerProcessTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final String MOUNT_FREE_STATUS = "/api/v1/merge/ID/status";

    @TempDir
    Path tmp;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<ServerProcess> processes = new ArrayList<>();
    private final CountDownLatch downloadStarted = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    private HttpServer clips;

    @AfterEach
    void cleanUp() throws InterruptedException {
        gate.countDown();
        for (ServerProcess process : processes) {
            process.close();
        }
        if (clips != null) {
            clips.stop(0);
        }
    }

    private ServerProcess startServer(Path data) throws Exception {
        ServerProcess server = ServerProcess.start(
                List.of(
                        "--port",
                        "0",
                        "--host",
                        "127.0.0.1",
                        "--data-dir",
                        data.toString(),
                        "--store",
                        "sqlite",
                        "--merge-concurrency",
                        "1",
                        "--allow-loopback-urls"),
                DEADLINE);
        processes.add(server);
        return server;
    }

    /** Serves a.mp4 at once and b.mp4 only once the gate opens, so a merge is held mid-way on demand. */
    private URI serveClips(Path folder) throws IOException {
        clips = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        clips.createContext("/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring(1);
            try (exchange) {
                if (name.equals("b.mp4")) {
                    downloadStarted.countDown();
                    if (!gate.await(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                        exchange.sendResponseHeaders(503, -1);
                        return;
                    }
                }
                Path file = folder.resolve(name).normalize();
                if (!file.startsWith(folder) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "video/mp4");
                exchange.sendResponseHeaders(200, Files.size(file));
                try (OutputStream out = exchange.getResponseBody()) {
                    Files.copy(file, out);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                // The first server process went away mid-download: nothing to answer.
            }
        });
        clips.start();
        return URI.create("http://127.0.0.1:" + clips.getAddress().getPort() + "/");
    }

    private JsonNode status(ServerProcess server, String id) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(server.base().resolve("/api/v1/merge/" + id + "/status"))
                        .timeout(DEADLINE)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private static HttpRequest.Builder submit(ServerProcess server, URI clipBase) {
        return HttpRequest.newBuilder(server.base().resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", "restart-test")
                .timeout(DEADLINE)
                .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":[\"" + clipBase.resolve("a.mp4") + "\",\""
                        + clipBase.resolve("b.mp4") + "\"],\"quality\":\"480\"}"));
    }

    @Test
    @DisplayName("A merge stopped by SIGTERM mid-way completes after a restart on the same data folder")
    void mergeSurvivesARestart() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("clips"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.5), folder, "a");
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.5), folder, "b");
        URI clipBase = serveClips(folder);
        Path data = tmp.resolve("data");

        ServerProcess first = startServer(data);
        HttpResponse<String> submitted =
                http.send(submit(first, clipBase).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(202, submitted.statusCode(), submitted.body());
        String id = json.readTree(submitted.body()).get("task_id").asText();
        assertTrue(downloadStarted.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the merge started:\n" + first.log());
        assertEquals("processing", status(first, id).get("status").asText());

        first.process().destroy(); // SIGTERM
        assertTrue(
                first.process().waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS),
                "the server stopped on SIGTERM:\n" + first.log());
        // 128 + 15: the JVM ran its shutdown hooks on SIGTERM and exited; a crash or a forced kill reads otherwise.
        assertEquals(143, first.process().exitValue(), first.log());
        gate.countDown();

        ServerProcess second = startServer(data);
        // The same request with the same Idempotency-Key names the same task; Prefer: wait holds the answer
        // until it is done, so no polling is needed.
        HttpResponse<String> result;
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        do {
            result = http.send(
                    submit(second, clipBase).header("Prefer", "wait=60").build(), HttpResponse.BodyHandlers.ofString());
        } while (result.statusCode() == 202 && System.nanoTime() < deadline);
        assertEquals(200, result.statusCode(), result.body() + "\n" + second.log());
        assertEquals(
                MOUNT_FREE_STATUS.replace("ID", id),
                result.headers().firstValue("Location").orElse(""));
        JsonNode body = json.readTree(result.body());
        assertEquals(2, body.get("clips_merged").asInt());
        HttpResponse<byte[]> file = http.send(
                HttpRequest.newBuilder(URI.create(body.get("merged_url").asText()))
                        .timeout(DEADLINE)
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, file.statusCode());
        assertTrue(file.body().length > 1000);
    }
}
