package io.videomerge.internal.encode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Isolation;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Speed;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.EncoderSettings;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The speed of a merge reaches the H.264 encoder, read back from the merged file: libx264's own option line
 * ({@code subme} tells the preset, {@code crf} the quality), or, with libopenh264, the profile the probe reports.
 */
@DisplayName("a merge's speed reaches the encoder")
class SpeedEncodeTest {
    /** x264's subpixel refinement per preset: the option of its line that tells the presets used here apart. */
    private static final Map<String, String> SUBME_OF_PRESET =
            Map.of("veryfast", "2", "faster", "4", "fast", "6", "medium", "7", "slow", "8", "slower", "9");

    @TempDir
    static Path served;

    private static ClipServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void serveClips() throws IOException {
        ClipGenerator.write(ClipSpec.of(640, 360).withFps(30).withDuration(1.5).withEvents(0.7), served, "a");
        ClipGenerator.write(ClipSpec.of(640, 360).withFps(30).withDuration(1.5).withEvents(0.3), served, "b");
        server = ClipServer.serve(served);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private MergeService service(Speed speed, Isolation isolation) {
        return MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/merged/")))
                .workDirectory(dir.resolve("work"))
                .isolation(isolation)
                .posters(false)
                .speed(speed)
                .build();
    }

    private static MergeRequest request() {
        return MergeRequest.of(List.of(server.url("a.mp4"), server.url("b.mp4")))
                .withQuality(Quality.P480);
    }

    private Path file(MergeResult result) {
        return dir.resolve("out")
                .resolve(Path.of(result.mergedUrl().getPath()).getFileName().toString());
    }

    /** Asserts that {@code file} was encoded with the settings {@code speed} maps to for the natives' encoder. */
    private static void assertEncodedAt(Speed speed, Path file) {
        String encoder = ClipGenerator.h264Encoder();
        VideoEncoding expected =
                VideoEncoding.of(encoder, Quality.P480.canvas(request().aspectRatio()), speed);
        EncoderSettings settings = EncoderSettings.of(file);
        if (encoder.equals(VideoEncoding.X264)) {
            assertEquals(
                    SUBME_OF_PRESET.get(expected.options().get("preset")), settings.x264("subme"), speed + " preset");
            assertEquals(expected.options().get("crf") + ".0", settings.x264("crf"), speed + " crf");
        } else {
            assertEquals(
                    expected.options().containsKey("profile")
                            ? EncoderSettings.HIGH
                            : EncoderSettings.CONSTRAINED_BASELINE,
                    settings.profile(),
                    speed + " profile");
        }
    }

    @Test
    @DisplayName("a request without a speed is encoded at the service's; a request's own speed wins, and small makes"
            + " a smaller file than fast")
    void serviceSpeedAndRequestSpeed() throws IOException {
        Path small;
        Path fast;
        try (MergeService service = service(Speed.SMALL, Isolation.inProcess())) {
            small = file(service.merge(request()));
            fast = file(service.merge(request().withSpeed(Speed.FAST)));
        }

        assertEncodedAt(Speed.SMALL, small);
        assertEncodedAt(Speed.FAST, fast);
        assertTrue(
                Files.size(small) < Files.size(fast),
                "small: " + Files.size(small) + " bytes, fast: " + Files.size(fast) + " bytes");
    }

    @Test
    @DisplayName("the library's default speed encodes with the settings of fast, the settings before speeds existed")
    void defaultIsFast() {
        try (MergeService service = MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/merged/")))
                .workDirectory(dir.resolve("work"))
                .posters(false)
                .build()) {
            assertEncodedAt(Speed.FAST, file(service.merge(request().withQuality(Quality.P480))));
        }
    }

    @Test
    @DisplayName("an isolated merge's child encodes at the speed the parent resolved for a request without one")
    void isolatedChildEncodesAtTheServiceSpeed() {
        try (MergeService service = service(Speed.BALANCED, Isolation.process().withWarmSpare(false))) {
            assertEncodedAt(Speed.BALANCED, file(service.merge(request())));
        }
    }
}
