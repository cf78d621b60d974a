package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.WebhookReceiver;
import io.videomerge.upload.UrlSigner;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** merge-server in this JVM, assembled exactly as {@link Main} assembles it, on the in-memory store. */
class MergeServerTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);
    private static final String SECRET = "a-url-secret-of-forty-bytes-0123456789ab";

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

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
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
        assertFileHeaders(file, mergedUrl.getPath().substring("/files/".length()), "private, no-cache");
        ClipInfo info = new Prober(Limits.defaults()).probe(download, 0);
        Path published = data.resolve("files").resolve(mergedUrl.getPath().substring("/files/".length()));
        assertEquals("rw-------", mode(published), "merged files are the owner's alone by default");
        assertEquals(480, info.displayWidth());
        assertEquals(480, info.displayHeight());
        assertEquals(body.get("duration_seconds").asDouble(), info.durationSeconds(), 0.1);

        URI thumbnailUrl = URI.create(body.get("thumbnail_url").asText());
        String posterName = thumbnailUrl.getPath().substring("/files/".length());
        assertEquals(mergedUrl.getPath().substring("/files/".length()).replace(".mp4", "-poster.jpg"), posterName);
        HttpResponse<byte[]> poster =
                http.send(HttpRequest.newBuilder(thumbnailUrl).build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, poster.statusCode());
        assertFileHeaders(poster, posterName, "private, no-cache", "image/jpeg");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(poster.body()));
        assertEquals(480, image.getWidth(), "the poster is canvas-sized");
        assertEquals(480, image.getHeight(), "the poster is canvas-sized");
        assertEquals("rw-------", mode(data.resolve("files").resolve(posterName)));
    }

    @Test
    @DisplayName("With --poster-at off, a merge's result has no thumbnail_url and only the video is published")
    void postersOff() throws Exception {
        Path files = Files.createDirectories(data.resolve("files"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), files, "a");
        ClipGenerator.write(ClipSpec.of(240, 320).withDuration(1.0), files, "b");
        URI base = start("--allow-loopback-urls", "--merge-concurrency", "1", "--poster-at", "off");

        HttpResponse<String> merged = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("Prefer", "wait=120")
                .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":[\"" + base + "/files/a.mp4\",\"" + base
                        + "/files/b.mp4\"],\"quality\":\"480\"}")));

        assertEquals(200, merged.statusCode(), merged.body());
        assertFalse(json.readTree(merged.body()).has("thumbnail_url"), merged.body());
        try (var names = Files.list(files)) {
            assertEquals(0, names.filter(p -> p.toString().endsWith(".jpg")).count());
        }
    }

    @Test
    @DisplayName("With the default store, the data folder it creates is 0700, the database and its WAL files 0600")
    void databaseIsOwnerOnly() throws Exception {
        Path dir = data.resolve("fresh");
        URI base = start("--store", "sqlite", "--data-dir", dir.toString());
        Path db = dir.resolve(ServiceFactory.SQLITE_FILE);
        HttpRequest.Builder submit = HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(
                        "{\"video_urls\":[\"https://example.com/a.mp4\",\"https://example.com/b.mp4\"]}"));

        assertEquals("rwx------", mode(dir));
        assertEquals("rw-------", mode(db));
        assertEquals(202, send(submit).statusCode(), "the store sets WAL mode on first use");
        // A connection held open keeps the WAL files that the server's writes go through.
        try (Connection held = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement statement = held.createStatement();
                ResultSet journal = statement.executeQuery("PRAGMA journal_mode")) {
            assertEquals("wal", journal.getString(1));
            assertEquals(202, send(submit).statusCode());

            assertEquals("rw-------", mode(dir.resolve(ServiceFactory.SQLITE_FILE + "-wal")));
            assertEquals("rw-------", mode(dir.resolve(ServiceFactory.SQLITE_FILE + "-shm")));
        }
        assertEquals("rw-------", mode(db));
        assertEquals("rwx------", mode(dir.resolve("files")));
        assertEquals("rwx------", mode(dir.resolve("work")));
    }

    @Test
    @DisplayName("A data folder and a database that exist keep their modes (a readable database is warned about)")
    void existingDatabaseKeepsItsMode() throws Exception {
        Path dir = Files.createDirectories(data.resolve("kept"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-x---"));
        Path db = Files.createFile(dir.resolve(ServiceFactory.SQLITE_FILE));
        Files.setPosixFilePermissions(db, PosixFilePermissions.fromString("rw-r-----"));

        URI base = start("--store", "sqlite", "--data-dir", dir.toString());

        assertEquals(200, send(HttpRequest.newBuilder(base.resolve("/health"))).statusCode());
        assertEquals("rwxr-x---", mode(dir));
        assertEquals("rw-r-----", mode(db));
    }

    @Test
    @DisplayName("--file-mode 640 reaches the uploader: the files folder it creates is 0750")
    void fileModeFlag() throws Exception {
        Path dir = data.resolve("group");
        start("--file-mode", "640", "--data-dir", dir.toString());

        assertEquals("rwxr-x---", mode(dir.resolve("files")));
        assertEquals("rwx------", mode(dir));
    }

    @Test
    @DisplayName("With a URL secret, merged_url is signed for 24 h and downloads as a private attachment; an unsigned,"
            + " altered or expired URL is 403 with a stable code")
    void signedMergedUrl() throws Exception {
        Path clips = Files.createDirectories(data.resolve("clips"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.5), clips, "a");
        ClipGenerator.write(ClipSpec.of(240, 320).withDuration(1.5), clips, "b");
        try (ClipServer sources = ClipServer.serve(clips)) {
            URI base = start(
                    "--allow-loopback-urls", "--merge-concurrency", "1", "--url-secret", SECRET, "--file-mode", "640");
            Instant submitted = Instant.now();
            HttpResponse<String> merged = send(HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                    .header("Content-Type", "application/json")
                    .header("Prefer", "wait=120")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"video_urls\":[\"" + sources.url("a.mp4") + "\",\""
                            + sources.url("b.mp4") + "\"],\"quality\":\"480\"}")));
            Instant answered = Instant.now();
            assertEquals(200, merged.statusCode(), merged.body());
            URI mergedUrl =
                    URI.create(json.readTree(merged.body()).get("merged_url").asText());
            String query = mergedUrl.getRawQuery();
            String name = mergedUrl.getPath().substring("/files/".length());
            URI unsigned = URI.create(base + "/files/" + name);
            long expires = Long.parseLong(query.substring("expires=".length(), query.indexOf('&')));
            String signature = query.substring(query.indexOf("&signature=") + "&signature=".length());

            assertTrue(query.matches("expires=[0-9]+&signature=[A-Za-z0-9_-]{43}"), query);
            long day = Duration.ofHours(24).toSeconds();
            assertTrue(
                    expires >= submitted.getEpochSecond() + day && expires <= answered.getEpochSecond() + day,
                    "expires 24 h after the upload: " + expires);
            HttpResponse<byte[]> file =
                    http.send(HttpRequest.newBuilder(mergedUrl).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, file.statusCode());
            assertFileHeaders(file, name, "private, no-store");
            Path published = data.resolve("files").resolve(name);
            assertArrayEquals(Files.readAllBytes(published), file.body());
            assertEquals("rw-r-----", mode(published), "--file-mode 640");

            URI thumbnailUrl =
                    URI.create(json.readTree(merged.body()).get("thumbnail_url").asText());
            String posterName = thumbnailUrl.getPath().substring("/files/".length());
            assertTrue(
                    thumbnailUrl.getRawQuery().matches("expires=[0-9]+&signature=[A-Za-z0-9_-]{43}"),
                    thumbnailUrl.toString());
            HttpResponse<byte[]> poster =
                    http.send(HttpRequest.newBuilder(thumbnailUrl).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, poster.statusCode());
            assertFileHeaders(poster, posterName, "private, no-store", "image/jpeg");
            assertRefused(send(HttpRequest.newBuilder(URI.create(base + "/files/" + posterName))), 403, "URL_INVALID");
            assertRefused(
                    send(HttpRequest.newBuilder(
                            URI.create(base + "/files/" + name + "?" + thumbnailUrl.getRawQuery()))),
                    403,
                    "URL_INVALID");

            char flipped = signature.charAt(0) == 'A' ? 'B' : 'A';
            for (URI altered : List.of(
                    unsigned,
                    URI.create(base + "/files/other-task.mp4?" + query),
                    URI.create(unsigned + "?expires=" + (expires + 3600) + "&signature=" + signature),
                    URI.create(unsigned + "?expires=" + expires + "&signature=" + flipped + signature.substring(1)),
                    URI.create(mergedUrl + "&download=1"))) {
                assertRefused(send(HttpRequest.newBuilder(altered)), 403, "URL_INVALID");
            }
            UrlSigner sameSecret = new UrlSigner(SECRET.getBytes(StandardCharsets.UTF_8));
            HttpResponse<String> expired = send(HttpRequest.newBuilder(
                    sameSecret.sign(unsigned, Instant.now().minusSeconds(1))));
            assertRefused(expired, 403, "URL_EXPIRED");
            assertEquals(
                    200,
                    send(HttpRequest.newBuilder(sameSecret.sign(unsigned, Duration.ofMinutes(1))))
                            .statusCode(),
                    "a URL the same secret signed works");
        }
    }

    @Test
    @DisplayName("Behind a proxy that strips the public URL's path, /files/ checks the signature of the public path;"
            + " a signed URL of a missing file is 404")
    void signedUnderAPublicPath() throws Exception {
        URI base = start("--url-secret", SECRET, "--public-url", "https://vm.example.com/video/");
        Files.writeString(data.resolve("files").resolve("task-1.mp4"), "a video");
        UrlSigner signer = new UrlSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        URI published = signer.sign(URI.create("https://vm.example.com/video/files/task-1.mp4"), Duration.ofMinutes(5));
        URI gone = signer.sign(URI.create("https://vm.example.com/video/files/gone.mp4"), Duration.ofMinutes(5));

        HttpResponse<String> served =
                send(HttpRequest.newBuilder(URI.create(base + "/files/task-1.mp4?" + published.getRawQuery())));

        assertEquals(200, served.statusCode(), served.body());
        assertEquals("a video", served.body());
        assertFileHeaders(served, "task-1.mp4", "private, no-store");
        assertRefused(
                send(HttpRequest.newBuilder(
                        signer.sign(URI.create(base + "/files/task-1.mp4"), Duration.ofMinutes(5)))),
                403,
                "URL_INVALID");
        assertRefused(
                send(HttpRequest.newBuilder(URI.create(base + "/files/gone.mp4?" + gone.getRawQuery()))),
                404,
                "NOT_FOUND");
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

    /** The headers every file served under /files/ carries. */
    private static void assertFileHeaders(HttpResponse<?> response, String name, String cacheControl) {
        assertFileHeaders(response, name, cacheControl, "video/mp4");
    }

    private static void assertFileHeaders(
            HttpResponse<?> response, String name, String cacheControl, String contentType) {
        assertEquals(contentType, response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(
                cacheControl, response.headers().firstValue("Cache-Control").orElse(""));
        assertEquals(
                "nosniff",
                response.headers().firstValue("X-Content-Type-Options").orElse(""));
        assertEquals(
                "attachment; filename=\"" + name + "\"",
                response.headers().firstValue("Content-Disposition").orElse(""));
    }

    /** A refusal under /files/: the code, JSON, and no path of this machine. */
    private void assertRefused(HttpResponse<String> response, int status, String code) throws Exception {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(
                "application/json",
                response.headers().firstValue("Content-Type").orElse(""));
        assertEquals(code, json.readTree(response.body()).get("code").asText(), response.body());
        assertFalse(response.body().contains(data.toString()), response.body());
        assertFalse(response.body().contains("files/"), response.body());
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
    @DisplayName("/files/ answers a file as a private, unsniffed video/mp4 attachment, GET and HEAD alike")
    void fileHeaders() throws Exception {
        URI base = start();
        Files.writeString(data.resolve("files").resolve("task-1.mp4"), "not really a video");

        HttpResponse<String> get = send(HttpRequest.newBuilder(base.resolve("/files/task-1.mp4")));
        HttpResponse<String> head = send(HttpRequest.newBuilder(base.resolve("/files/task-1.mp4"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));

        assertEquals(200, get.statusCode());
        assertEquals("not really a video", get.body());
        assertFileHeaders(get, "task-1.mp4", "private, no-cache");
        assertEquals(200, head.statusCode());
        assertFileHeaders(head, "task-1.mp4", "private, no-cache");
    }

    @Test
    @DisplayName(
            "/files/ serves only the uploader's *.mp4 and *.jpg names: never an upload's temporary file, another type or"
                    + " a listing; refusals are JSON without paths")
    void filesServesOnlyPublishedNames() throws Exception {
        URI base = start();
        Path files = data.resolve("files");
        Files.writeString(files.resolve(".upload-4242.part"), "half a video");
        Files.writeString(files.resolve("notes.txt"), "not a video");
        Files.writeString(files.resolve("page.html"), "<script>alert(1)</script>");
        Files.writeString(files.resolve("Upper.mp4"), "not a published name");
        Files.writeString(files.resolve("poster.jpeg"), "not a published name");
        Files.writeString(files.resolve("Upper-poster.jpg"), "not a published name");

        for (String path : List.of(
                "/files/.upload-4242.part",
                "/files/notes.txt",
                "/files/page.html",
                "/files/Upper.mp4",
                "/files/poster.jpeg",
                "/files/Upper-poster.jpg",
                "/files/",
                "/files/missing.mp4")) {
            HttpResponse<String> response = send(HttpRequest.newBuilder(URI.create(base + path)));
            assertRefused(response, 404, "NOT_FOUND");
            assertTrue(response.headers().firstValue("Content-Disposition").isEmpty(), path);
        }
        HttpResponse<String> post = send(HttpRequest.newBuilder(base.resolve("/files/missing.mp4"))
                .POST(HttpRequest.BodyPublishers.ofString("x")));
        assertRefused(post, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET, HEAD", post.headers().firstValue("Allow").orElse(""));
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
}
