package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final String MOUNT_FREE_STATUS = "/api/v1/merge/ID/status";

    @TempDir
    Path tmp;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private final List<Process> processes = new ArrayList<>();
    private final CountDownLatch downloadStarted = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    private HttpServer clips;

    @AfterEach
    void cleanUp() {
        gate.countDown();
        processes.forEach(Process::destroyForcibly);
        if (clips != null) {
            clips.stop(0);
        }
    }

    /** A running server process and the lines it printed. */
    private record Server(Process process, URI base, StringBuffer log) {}

    private Server startServer(Path data) throws Exception {
        Path jar = Path.of(System.getProperty("videomerge.server.jar", "target/merge-server.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged jar " + jar + " exists (mvn verify packages it first)");
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-jar",
                        jar.toString(),
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
                        "--allow-loopback-urls")
                .redirectErrorStream(true)
                .start();
        processes.add(process);
        StringBuffer log = new StringBuffer();
        CountDownLatch listening = new CountDownLatch(1);
        int[] port = new int[1];
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader in = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = in.readLine()) != null; ) {
                            log.append(line).append('\n');
                            Matcher m = LISTENING.matcher(line);
                            if (m.find()) {
                                port[0] = Integer.parseInt(m.group(1));
                                listening.countDown();
                            }
                        }
                    } catch (IOException e) {
                        log.append("(output ended: ").append(e).append(")\n");
                    }
                },
                "server-output");
        reader.setDaemon(true);
        reader.start();
        assertTrue(listening.await(DEADLINE.toSeconds(), TimeUnit.SECONDS), "the server started:\n" + log);
        return new Server(process, URI.create("http://127.0.0.1:" + port[0]), log);
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

    private JsonNode status(Server server, String id) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(server.base().resolve("/api/v1/merge/" + id + "/status"))
                        .timeout(DEADLINE)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(200, response.statusCode(), response.body());
        return json.readTree(response.body());
    }

    private static HttpRequest.Builder submit(Server server, URI clipBase) {
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

        Server first = startServer(data);
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
        assertEquals(143, first.process().exitValue(), first.log().toString());
        gate.countDown();

        Server second = startServer(data);
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
