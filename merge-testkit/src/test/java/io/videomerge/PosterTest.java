package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.testing.ClipAnalyzer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.WorkFolders;
import io.videomerge.upload.FileSystemUploader;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Posters ({@link MergeService.Builder#posterAt}): every merge publishes a JPEG of the merged file's frame at an
 * instant, canvas-sized, named in {@link MergeResult#thumbnailUrl()}.
 *
 * <p>The merges put a landscape clip before a portrait one on a landscape canvas: the portrait clip is padded with
 * black bars at the sides, the landscape one fills the canvas with the generator's grey. A poster's left edge thus
 * tells which clip it was taken from, hence at about which instant.
 */
class PosterTest {
    /** The left edge of the canvas at mid-height: the portrait clip's black bar, the landscape clip's grey. */
    private static final double EDGE_LEFT = 0.0;

    private static final double EDGE_WIDTH = 0.08;
    private static final double EDGE_TOP = 0.35;
    private static final double EDGE_HEIGHT = 0.3;
    /** Between the padding's black (about 0) and the generator's grey (128). */
    private static final double DARK_BELOW = 40;

    private static final double GREY_ABOVE = 100;

    @TempDir
    static Path served;

    private static ClipServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void serveClips() {
        ClipGenerator.write(ClipSpec.of(640, 360).withFps(30).withDuration(1.0), served, "wide");
        ClipGenerator.write(ClipSpec.of(360, 640).withFps(30).withDuration(2.0), served, "tall");
        ClipGenerator.write(ClipSpec.of(640, 360).withFps(30).withDuration(0.4), served, "wide-short");
        ClipGenerator.write(ClipSpec.of(360, 640).withFps(30).withDuration(0.8), served, "tall-short");
        server = ClipServer.serve(served);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private MergeService service(Isolation isolation, UnaryOperator<MergeService.Builder> options) {
        return options.apply(MergeService.builder()
                        .limits(Limits.builder().allowLoopbackUrls(true).build())
                        .uploader(new FileSystemUploader(
                                dir.resolve("out"), URI.create("https://cdn.example.com/merged/")))
                        .workDirectory(dir.resolve("work"))
                        .isolation(isolation))
                .build();
    }

    private static MergeRequest request(String first, String second) {
        return MergeRequest.of(List.of(server.url(first), server.url(second))).withQuality(Quality.P480);
    }

    private Path published(URI url) {
        return dir.resolve("out").resolve(Path.of(url.getPath()).getFileName().toString());
    }

    /** The poster of {@code result}, checked to be a JPEG of exactly the merged video's size. */
    private BufferedImage poster(MergeResult result) throws IOException {
        URI url = result.thumbnailUrl().orElseThrow(() -> new AssertionError("no thumbnail_url: " + result));
        Path video = published(result.mergedUrl());
        Path jpeg = published(url);
        assertEquals(
                video.getFileName().toString().replace(".mp4", "-poster.jpg"),
                jpeg.getFileName().toString(),
                "the poster is named after the task");
        byte[] bytes = Files.readAllBytes(jpeg);
        assertTrue(bytes.length > 4, "the poster has bytes");
        assertEquals(0xFF, bytes[0] & 0xFF, "SOI");
        assertEquals(0xD8, bytes[1] & 0xFF, "SOI");
        assertEquals(0xFF, bytes[bytes.length - 2] & 0xFF, "EOI");
        assertEquals(0xD9, bytes[bytes.length - 1] & 0xFF, "EOI");
        assertFalse(new String(bytes, StandardCharsets.ISO_8859_1).contains("Exif\0"), "the poster carries no EXIF");
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(bytes));
        assertNotNull(image, "ImageIO decodes the poster");
        ClipAnalyzer merged = ClipAnalyzer.analyze(video);
        assertEquals(merged.info().width(), image.getWidth(), "the poster is as wide as the canvas");
        assertEquals(merged.info().height(), image.getHeight(), "the poster is as high as the canvas");
        return image;
    }

    /** The mean luma (BT.601, full range) of the poster's left edge at mid-height. */
    private static double leftEdgeLuma(BufferedImage image) {
        int x0 = (int) (EDGE_LEFT * image.getWidth());
        int x1 = Math.max(x0 + 1, (int) ((EDGE_LEFT + EDGE_WIDTH) * image.getWidth()));
        int y0 = (int) (EDGE_TOP * image.getHeight());
        int y1 = (int) ((EDGE_TOP + EDGE_HEIGHT) * image.getHeight());
        double sum = 0;
        for (int y = y0; y < y1; y++) {
            for (int x = x0; x < x1; x++) {
                int rgb = image.getRGB(x, y);
                sum += 0.299 * ((rgb >> 16) & 0xFF) + 0.587 * ((rgb >> 8) & 0xFF) + 0.114 * (rgb & 0xFF);
            }
        }
        return sum / ((double) (x1 - x0) * (y1 - y0));
    }

    private void assertNoPosterLeft() throws IOException {
        WorkFolders.assertNothingLeft(dir.resolve("work"), "job-", "hs_err");
    }

    @Nested
    @DisplayName("in this JVM")
    class InProcess {
        @Test
        @DisplayName("the poster is the frame at the configured instant: 1.5 s shows the second clip, 0.5 s the first")
        void posterShowsTheFrameAtTheInstant() throws IOException {
            MergeResult late;
            try (MergeService service = service(Isolation.inProcess(), b -> b.posterAt(Duration.ofMillis(1500)))) {
                late = service.merge(request("wide.mp4", "tall.mp4"));
            }
            double lateEdge = leftEdgeLuma(poster(late));
            assertTrue(lateEdge < DARK_BELOW, "1.5 s is in the padded portrait clip: " + lateEdge);

            MergeResult early;
            try (MergeService service = service(Isolation.inProcess(), b -> b.posterAt(Duration.ofMillis(500)))) {
                early = service.merge(request("wide.mp4", "tall.mp4"));
            }
            double earlyEdge = leftEdgeLuma(poster(early));
            assertTrue(earlyEdge > GREY_ABOVE, "0.5 s is in the landscape clip: " + earlyEdge);
            assertNoPosterLeft();
        }

        @Test
        @DisplayName("by default a merge publishes a poster, one second in")
        void postersAreOnByDefault() throws IOException {
            MergeResult result;
            try (MergeService service = service(Isolation.inProcess(), b -> b)) {
                result = service.merge(request("tall.mp4", "wide.mp4"));
            }
            // The portrait clip lasts 2 s: one second in is padded.
            double edge = leftEdgeLuma(poster(result));
            assertTrue(edge < DARK_BELOW, "1 s is in the padded portrait clip: " + edge);
        }

        @Test
        @DisplayName("an output shorter than the instant still gets a poster: its middle frame")
        void shortOutputGetsItsMiddleFrame() throws IOException {
            MergeResult result;
            try (MergeService service = service(Isolation.inProcess(), b -> b.posterAt(Duration.ofSeconds(10)))) {
                result = service.merge(request("wide-short.mp4", "tall-short.mp4"));
            }
            assertTrue(result.durationSeconds() < 10, "the output is shorter than the instant");
            // 0.4 s + 0.8 s: the middle, 0.6 s, lies in the padded portrait clip.
            double edge = leftEdgeLuma(poster(result));
            assertTrue(edge < DARK_BELOW, "the middle frame is the portrait clip's: " + edge);
        }

        @Test
        @DisplayName("with posters off, a merge publishes the video alone and its result has no thumbnail_url")
        void postersOff() throws IOException {
            MergeResult result;
            try (MergeService service = service(Isolation.inProcess(), b -> b.posters(false))) {
                result = service.merge(request("wide.mp4", "tall.mp4"));
            }
            assertTrue(result.thumbnailUrl().isEmpty(), "no thumbnail_url: " + result);
            try (Stream<Path> files = Files.list(dir.resolve("out"))) {
                assertEquals(
                        List.of(published(result.mergedUrl()).getFileName().toString()),
                        files.map(p -> p.getFileName().toString()).toList());
            }
        }
    }

    @Nested
    @DisplayName("in a child JVM")
    class Isolated {
        @Test
        @DisplayName("the child makes the poster and hands its file back: the frame at 1.5 s, canvas-sized")
        void childMakesThePoster() throws IOException {
            MergeResult result;
            try (MergeService service =
                    service(Isolation.process().withWarmSpare(false), b -> b.posterAt(Duration.ofMillis(1500)))) {
                result = service.merge(request("wide.mp4", "tall.mp4"));
            }
            double edge = leftEdgeLuma(poster(result));
            assertTrue(edge < DARK_BELOW, "1.5 s is in the padded portrait clip: " + edge);
            assertNoPosterLeft();
        }

        @Test
        @DisplayName("a short output merged in a child gets its middle frame as its poster")
        void shortOutputInAChild() throws IOException {
            MergeResult result;
            try (MergeService service =
                    service(Isolation.process().withWarmSpare(false), b -> b.posterAt(Duration.ofSeconds(10)))) {
                result = service.merge(request("wide-short.mp4", "tall-short.mp4"));
            }
            double edge = leftEdgeLuma(poster(result));
            assertTrue(edge < DARK_BELOW, "the middle frame is the portrait clip's: " + edge);
        }
    }
}
