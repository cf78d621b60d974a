package io.videomerge.upload.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.testing.S3MockServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/** S3Uploader against a real S3-compatible server (S3Mock in a child JVM) that the class starts. */
class S3UploaderTest {
    private static final String BUCKET = "merged-videos";
    private static final String ACCESS_KEY = "AKIAVIDEOMERGETEST01";
    private static final String SECRET_KEY = "secret-key-that-must-never-appear-in-a-message";
    private static final StaticCredentialsProvider CREDENTIALS =
            StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY));

    @TempDir
    static Path shared;

    @TempDir
    Path dir;

    private static S3MockServer mock;
    private static S3Client direct;
    private final HttpClient http = HttpClient.newHttpClient();
    private S3Uploader uploader;

    @BeforeAll
    static void startS3() throws IOException {
        mock = S3MockServer.start(shared.resolve("s3"), BUCKET);
        direct = S3Client.builder()
                .endpointOverride(mock.endpoint())
                .region(Region.US_EAST_1)
                .credentialsProvider(CREDENTIALS)
                .forcePathStyle(true)
                .build();
    }

    @AfterAll
    static void stopS3() {
        if (direct != null) {
            direct.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    @AfterEach
    void closeUploader() {
        if (uploader != null) {
            uploader.close();
        }
    }

    private S3Uploader uploader(URI endpoint, UnaryOperator<S3Uploader.Builder> settings) {
        uploader = settings.apply(S3Uploader.builder()
                        .endpointOverride(endpoint)
                        .region("us-east-1")
                        .pathStyleAccess(true)
                        .credentialsProvider(CREDENTIALS)
                        .bucket(BUCKET)
                        .keyPrefix("merged/"))
                .build();
        return uploader;
    }

    private URI publicBase() {
        return URI.create(mock.endpoint() + "/" + BUCKET + "/");
    }

    private Path randomFile(String name, long size) throws IOException {
        Path file = dir.resolve(name);
        Random random = new Random(size);
        byte[] chunk = new byte[1 << 20];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (long left = size; left > 0; left -= chunk.length) {
                random.nextBytes(chunk);
                out.write(chunk, 0, (int) Math.min(chunk.length, left));
            }
        }
        return file;
    }

    private HttpResponse<byte[]> get(URI url) throws Exception {
        return http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static String sha256(InputStream in) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @Test
    @DisplayName("With a public base URL, merged_url is the base plus the key, and a plain GET of it returns the file")
    void publicBaseUrlDownloads() throws Exception {
        Path file = randomFile("small.mp4", 300_000);
        S3Uploader s3 = uploader(mock.endpoint(), b -> b.publicBaseUrl(publicBase()));

        URI url = s3.upload(file, "task-1.mp4");
        HttpResponse<byte[]> download = get(url);

        assertEquals(URI.create(publicBase() + "merged/task-1.mp4"), url);
        assertEquals(200, download.statusCode());
        assertArrayEquals(Files.readAllBytes(file), download.body());
        HeadObjectResponse head = direct.headObject(r -> r.bucket(BUCKET).key("merged/task-1.mp4"));
        assertEquals("video/mp4", head.contentType());
    }

    @Test
    @DisplayName("a poster (.jpg) is stored as image/jpeg next to its video; other names are refused")
    void posterIsStoredAsJpeg() throws Exception {
        Path file = randomFile("poster.jpg", 20_000);
        S3Uploader s3 = uploader(mock.endpoint(), b -> b.publicBaseUrl(publicBase()));

        URI url = s3.upload(file, "task-9-poster.jpg");

        assertEquals(URI.create(publicBase() + "merged/task-9-poster.jpg"), url);
        assertEquals(
                "image/jpeg",
                direct.headObject(r -> r.bucket(BUCKET).key("merged/task-9-poster.jpg"))
                        .contentType());
        assertThrows(IllegalArgumentException.class, () -> s3.upload(file, "task-9.png"));
    }

    @Test
    @DisplayName(
            "In presign mode, merged_url is a signed GET URL with the configured expiry, and a plain GET returns the file")
    void presignedUrlDownloads() throws Exception {
        Path file = randomFile("small.mp4", 200_000);
        S3Uploader s3 = uploader(mock.endpoint(), b -> b.presign(Duration.ofMinutes(10)));

        URI url = s3.upload(file, "task-2.mp4");
        HttpResponse<byte[]> download = get(url);

        assertTrue(url.toString().startsWith(mock.endpoint() + "/" + BUCKET + "/merged/task-2.mp4?"), url.toString());
        assertTrue(url.getRawQuery().contains("X-Amz-Expires=600"), url.getRawQuery());
        assertTrue(url.getRawQuery().contains("X-Amz-Signature="), url.getRawQuery());
        assertTrue(url.getRawQuery().contains("X-Amz-Credential=" + ACCESS_KEY), url.getRawQuery());
        assertFalse(url.toString().contains(SECRET_KEY));
        assertEquals(200, download.statusCode());
        assertArrayEquals(Files.readAllBytes(file), download.body());
    }

    @Test
    @DisplayName("A 200 MiB output goes up in 8 MiB parts: a multipart ETag of 25 parts, and the same bytes come back")
    void largeOutputGoesMultipart() throws Exception {
        long size = 200L << 20;
        Path file = randomFile("large.mp4", size);
        String source;
        try (InputStream in = Files.newInputStream(file)) {
            source = sha256(in);
        }
        S3Uploader s3 = uploader(mock.endpoint(), b -> b.publicBaseUrl(publicBase()));

        URI url = s3.upload(file, "large.mp4");

        HeadObjectResponse head = direct.headObject(r -> r.bucket(BUCKET).key("merged/large.mp4"));
        Matcher etag = Pattern.compile("\"?[0-9a-f]{32}-(\\d+)\"?").matcher(head.eTag());
        assertTrue(etag.matches(), "a multipart ETag: " + head.eTag());
        assertEquals(25, Integer.parseInt(etag.group(1)));
        assertEquals(size, head.contentLength());
        assertEquals("video/mp4", head.contentType());
        HttpResponse<InputStream> download =
                http.send(HttpRequest.newBuilder(url).build(), HttpResponse.BodyHandlers.ofInputStream());
        assertEquals(200, download.statusCode());
        try (InputStream in = download.body()) {
            assertEquals(source, sha256(in));
        }
    }

    @Test
    @DisplayName("A file under the threshold goes up in one PUT: its ETag has no part count")
    void smallOutputGoesInOnePut() throws Exception {
        Path file = randomFile("small.mp4", 100_000);
        S3Uploader s3 = uploader(mock.endpoint(), b -> b.publicBaseUrl(publicBase()));

        s3.upload(file, "single.mp4");

        String etag = direct.headObject(r -> r.bucket(BUCKET).key("merged/single.mp4"))
                .eTag();
        assertFalse(etag.contains("-"), etag);
    }

    @Test
    @DisplayName("Two 503 answers are retried: the third attempt stores the object")
    void transientFailureIsRetried() throws Exception {
        Path file = randomFile("small.mp4", 50_000);
        try (FlakyFront front = FlakyFront.failingFirst(mock.endpoint(), 2)) {
            S3Uploader s3 = uploader(front.endpoint(), b -> b.publicBaseUrl(publicBase()));

            s3.upload(file, "retried.mp4");

            assertEquals(2, front.refused());
            assertEquals(3, front.requests());
        }
        assertEquals(
                50_000L,
                direct.headObject(r -> r.bucket(BUCKET).key("merged/retried.mp4"))
                        .contentLength());
    }

    @Test
    @DisplayName(
            "When every attempt fails, upload throws an IOException naming the status and S3's error code, and no secret")
    void finalFailureNamesTheReason() throws Exception {
        Path file = randomFile("small.mp4", 50_000);
        try (FlakyFront front = FlakyFront.failing(mock.endpoint(), exchange -> true)) {
            S3Uploader s3 = uploader(
                    front.endpoint(), b -> b.presign(Duration.ofMinutes(5)).maxAttempts(3));

            IOException e = assertThrows(IOException.class, () -> s3.upload(file, "refused.mp4"));

            assertEquals(3, front.requests(), "the attempts are bounded");
            assertEquals(
                    "could not store s3://" + BUCKET + "/merged/refused.mp4: HTTP 503 ServiceUnavailable"
                            + " (Please try again.), after 3 attempts",
                    e.getMessage());
            assertFalse(e.getMessage().contains(SECRET_KEY));
            assertFalse(e.getMessage().contains("X-Amz-Signature"));
        }
        assertThrows(
                NoSuchKeyException.class,
                () -> direct.headObject(r -> r.bucket(BUCKET).key("merged/refused.mp4")));
    }

    @Test
    @DisplayName("A server that refuses connections fails the upload with an IOException that says so")
    void unreachableServerNamesTheReason() throws Exception {
        Path file = randomFile("small.mp4", 10_000);
        URI closed;
        try (java.net.ServerSocket socket =
                new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closed = URI.create("http://127.0.0.1:" + socket.getLocalPort());
        }
        S3Uploader s3 = uploader(closed, b -> b.publicBaseUrl(publicBase()).maxAttempts(2));

        IOException e = assertThrows(IOException.class, () -> s3.upload(file, "unreachable.mp4"));

        assertTrue(e.getMessage().startsWith("could not store s3://" + BUCKET + "/merged/unreachable.mp4: "));
        assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
        assertTrue(e.getMessage().endsWith("after 2 attempts"), e.getMessage());
    }

    @Test
    @DisplayName("A multipart upload whose parts are refused is aborted: no upload is left open in the bucket")
    void failedMultipartUploadIsAborted() throws Exception {
        Path file = randomFile("medium.mp4", 20L << 20);
        try (FlakyFront front = FlakyFront.failing(
                mock.endpoint(),
                exchange ->
                        String.valueOf(exchange.getRequestURI().getRawQuery()).contains("partNumber="))) {
            S3Uploader s3 = uploader(
                    front.endpoint(), b -> b.publicBaseUrl(publicBase()).maxAttempts(2));

            IOException e = assertThrows(IOException.class, () -> s3.upload(file, "aborted.mp4"));

            assertTrue(e.getMessage().contains("HTTP 503"), e.getMessage());
            assertEquals(2, front.refused(), "the first part, tried twice; no later part was sent");
        }
        assertTrue(
                direct.listMultipartUploads(r -> r.bucket(BUCKET)).uploads().stream()
                        .noneMatch(u -> u.key().equals("merged/aborted.mp4")),
                "the upload was aborted");
    }

    @Test
    @DisplayName("delete removes the object behind a URL it returned, in both URL modes; other URLs are left alone")
    void deleteRemovesTheObject() throws Exception {
        Path file = randomFile("small.mp4", 20_000);
        S3Uploader presigning = uploader(mock.endpoint(), b -> b.presign(Duration.ofHours(1)));
        URI signed = presigning.upload(file, "to-delete.mp4");

        assertFalse(presigning.delete(URI.create(publicBase() + "other/to-delete.mp4")), "another prefix");
        assertFalse(presigning.delete(URI.create("https://example.com/merged/to-delete.mp4")), "another host");
        assertTrue(presigning.delete(signed));
        assertThrows(
                NoSuchKeyException.class,
                () -> direct.headObject(r -> r.bucket(BUCKET).key("merged/to-delete.mp4")));
        assertEquals(404, get(signed).statusCode());
        assertFalse(presigning.delete(signed), "nothing left to delete");

        presigning.close();
        S3Uploader publicUrls = uploader(mock.endpoint(), b -> b.publicBaseUrl(publicBase()));
        URI plain = publicUrls.upload(file, "to-delete-too.mp4");
        assertTrue(publicUrls.delete(plain));
        assertEquals(404, get(plain).statusCode());
    }

    @Test
    @DisplayName("The builder refuses a missing bucket, both URL modes at once, and a presign longer than seven days")
    void builderChecksItsSettings() {
        assertThrows(
                IllegalStateException.class,
                () -> S3Uploader.builder().presign(Duration.ofHours(1)).build());
        assertThrows(
                IllegalStateException.class,
                () -> S3Uploader.builder()
                        .bucket(BUCKET)
                        .presign(Duration.ofHours(1))
                        .publicBaseUrl(publicBase())
                        .build());
        assertThrows(IllegalArgumentException.class, () -> S3Uploader.builder().presign(Duration.ofDays(8)));
        assertThrows(IllegalArgumentException.class, () -> S3Uploader.builder().keyPrefix("/abs"));
    }
}
