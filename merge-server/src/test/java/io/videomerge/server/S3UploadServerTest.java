package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.Limits;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.S3MockServer;
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

/** merge-server with {@code --upload s3://...} against a real S3-compatible server (S3Mock) the test starts. */
class S3UploadServerTest {
    private static final Duration DEADLINE = Duration.ofMinutes(3);

    @TempDir
    Path data;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private MergeServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        System.clearProperty("aws.accessKeyId");
        System.clearProperty("aws.secretAccessKey");
    }

    @Test
    @DisplayName("With --upload s3://bucket/prefix, a merge lands in the bucket and its presigned merged_url downloads")
    void mergeIsUploadedToS3() throws Exception {
        Path clips = Files.createDirectories(data.resolve("clips"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.5), clips, "a");
        ClipGenerator.write(ClipSpec.of(240, 320).withDuration(1.5), clips, "b");
        // The server takes credentials from the AWS SDK's default chain; system properties are one of its links.
        System.setProperty("aws.accessKeyId", "AKIAVIDEOMERGETEST01");
        System.setProperty("aws.secretAccessKey", "server-test-secret");
        try (S3MockServer s3 = S3MockServer.start(data.resolve("s3"), "outputs");
                ClipServer sources = ClipServer.serve(clips)) {
            String[] flags = {
                "--port",
                "0",
                "--host",
                "127.0.0.1",
                "--data-dir",
                data.resolve("data").toString(),
                "--store",
                "memory",
                "--allow-loopback-urls",
                "--merge-concurrency",
                "1",
                "--upload",
                "s3://outputs/merged/today",
                "--s3-endpoint",
                s3.endpoint().toString(),
                "--s3-region",
                "eu-west-1",
                "--s3-path-style",
                "--s3-presign",
                "2h"
            };
            server = MergeServer.start(ServerConfig.parse(flags, Map.of()));

            HttpResponse<String> merged = http.send(
                    HttpRequest.newBuilder(server.localUri().resolve("/api/v1/merge"))
                            .timeout(DEADLINE)
                            .header("Content-Type", "application/json")
                            .header("Prefer", "wait=120")
                            .POST(HttpRequest.BodyPublishers.ofString(
                                    "{\"video_urls\":[\"" + sources.url("a.mp4") + "\",\"" + sources.url("b.mp4")
                                            + "\"],\"quality\":\"480\",\"aspect_ratio\":\"1:1\"}"))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, merged.statusCode(), merged.body());
            JsonNode body = new ObjectMapper().readTree(merged.body());
            URI mergedUrl = URI.create(body.get("merged_url").asText());

            assertTrue(mergedUrl.toString().startsWith(s3.endpoint() + "/outputs/merged/today/"), mergedUrl.toString());
            assertTrue(mergedUrl.getRawQuery().contains("X-Amz-Expires=7200"), mergedUrl.getRawQuery());
            Path download = data.resolve("download.mp4");
            HttpResponse<Path> file =
                    http.send(HttpRequest.newBuilder(mergedUrl).build(), HttpResponse.BodyHandlers.ofFile(download));
            assertEquals(200, file.statusCode());
            assertEquals("video/mp4", file.headers().firstValue("Content-Type").orElse(""));
            ClipInfo info = new Prober(Limits.defaults()).probe(download, 0);
            assertEquals(480, info.displayWidth());
            assertEquals(480, info.displayHeight());
            assertEquals(body.get("duration_seconds").asDouble(), info.durationSeconds(), 0.1);
            URI poster = URI.create(body.get("thumbnail_url").asText());
            assertTrue(poster.toString().startsWith(s3.endpoint() + "/outputs/merged/today/"), poster.toString());
            HttpResponse<byte[]> jpeg =
                    http.send(HttpRequest.newBuilder(poster).build(), HttpResponse.BodyHandlers.ofByteArray());
            assertEquals(200, jpeg.statusCode());
            assertEquals("image/jpeg", jpeg.headers().firstValue("Content-Type").orElse(""));
            assertEquals(
                    480,
                    javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(jpeg.body()))
                            .getWidth());
            try (var local = Files.list(data.resolve("data").resolve("files"))) {
                assertEquals(0, local.count(), "nothing is published to the local files folder");
            }
        }
    }
}
