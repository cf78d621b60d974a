package io.videomerge.internal.media;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.ErrorCode;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.media.MediaStep.MediaOutcome;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The in-process media step on generated clips: what a job may cost, how long it may take, and a full disk. */
@DisplayName("LocalMediaStep")
class LocalMediaStepTest {
    /** 320 x 240 at 25 fps: 1.92 million pixels per second, about as many per clip of 1 s. */
    private static final ClipSpec SMALL = ClipSpec.of(320, 240).withFps(25).withDuration(1);

    @TempDir
    static Path clips;

    private static Path small;
    private static Path slow;
    private static Path large;
    private static Path canvasSized;

    @TempDir
    Path dir;

    @BeforeAll
    static void generateClips() {
        small = ClipGenerator.write(SMALL, clips, "small");
        slow = ClipGenerator.write(SMALL.withFps(10), clips, "slow");
        large = ClipGenerator.write(ClipSpec.of(640, 480).withFps(30).withDuration(1), clips, "large");
        canvasSized = ClipGenerator.write(ClipSpec.of(1280, 720).withFps(30).withDuration(1), clips, "canvas");
    }

    private static MergeRequest request(int clips, Quality quality, Transition transition) {
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < clips; i++) {
            urls.add(URI.create("https://example.com/" + i + ".mp4"));
        }
        return new MergeRequest(urls, quality, AspectRatio.LANDSCAPE_16_9, Fit.PAD, transition);
    }

    private static MergeRequest request(int clips) {
        return request(clips, Quality.P480, Transition.none());
    }

    private static MediaOutcome run(Limits limits, MergeRequest request, List<Path> files, Path output) {
        try (MediaStep step = MediaStep.local(limits)) {
            return step.run(request, files, output, fraction -> {});
        }
    }

    @Nested
    @DisplayName("charges every input to the job's decode budget as it is probed")
    class Budget {
        @Test
        @DisplayName(
                "an input decoding more pixels per second than allowed is INPUT_TOO_LARGE, naming it and the figures")
        void inputOverThePixelRate() {
            Limits limits = Limits.builder().maxDecodedPixelRate(2_500_000).build();
            Path output = dir.resolve("merged.mp4");
            MediaException e =
                    assertThrows(MediaException.class, () -> run(limits, request(2), List.of(slow, large), output));
            assertAll(
                    () -> assertEquals(ErrorCode.INPUT_TOO_LARGE, e.code()),
                    () -> assertEquals(1, e.inputIndex().orElseThrow()),
                    () -> assertFalse(e.isRetryable()),
                    () -> assertEquals(
                            "input 1 decodes 640 x 480 pixels at 30.0 fps, 9.2 million pixels per second, more than"
                                    + " the 2.5 million allowed",
                            e.getMessage()),
                    () -> assertFalse(Files.exists(output)));
        }

        @Test
        @DisplayName("a job whose inputs together decode more pixels than allowed is INPUT_TOO_LARGE at the input that"
                + " crosses the cap, before a later input is opened")
        void jobOverThePixelTotal() {
            // Each clip: 1.92 million pixels per second (under the rate cap) for about 1 s.
            Limits limits = Limits.builder()
                    .maxDecodedPixelRate(2_500_000)
                    .maxDecodedPixelsPerJob(3_000_000)
                    .build();
            List<Integer> probed = new CopyOnWriteArrayList<>();
            MediaException e;
            try (MediaStep step = MediaStep.local(limits)) {
                e = assertThrows(
                        MediaException.class,
                        () -> step.run(
                                request(3),
                                List.of(small, small, small),
                                dir.resolve("merged.mp4"),
                                new Probed(probed)));
            }
            assertAll(
                    () -> assertEquals(ErrorCode.INPUT_TOO_LARGE, e.code()),
                    () -> assertEquals(1, e.inputIndex().orElseThrow()),
                    () -> assertTrue(
                            e.getMessage().startsWith("the inputs up to input 1 decode 3.")
                                    && e.getMessage()
                                            .endsWith(" million pixels together (width x height x frames),"
                                                    + " more than the 3.0 million allowed per job"),
                            e.getMessage()),
                    () -> assertEquals(List.of(0, 1), probed, "input 2 was never opened"));
        }

        @Test
        @DisplayName("a job under both caps merges")
        void underBothCapsMerges() {
            Limits limits = Limits.builder()
                    .maxDecodedPixelRate(2_500_000)
                    .maxDecodedPixelsPerJob(5_000_000)
                    .build();
            Path output = dir.resolve("merged.mp4");
            MediaOutcome outcome = run(limits, request(2), List.of(small, slow), output);
            assertAll(
                    () -> assertEquals(2, outcome.clipsMerged()),
                    () -> assertEquals(2.0, outcome.durationSeconds(), 0.1),
                    () -> assertTrue(Files.size(output) > 0));
        }
    }

    /** Records the inputs the step says it works on. */
    private record Probed(List<Integer> inputs) implements MediaStep.Observer {
        @Override
        public void input(int index) {
            if (index >= 0 && !inputs.contains(index)) {
                inputs.add(index);
            }
        }

        @Override
        public void progress(double fraction) {}
    }

    @Nested
    @DisplayName("holds the merge to the deadline its output earns")
    class ProcessingDeadline {
        private final Limits instant = Limits.builder()
                .processingDeadline(Duration.ofNanos(1), Duration.ofNanos(1))
                .build();

        @ParameterizedTest(name = "stream copy: {0}")
        @ValueSource(booleans = {true, false})
        @DisplayName("a merge over its deadline fails PROCESSING_TIMEOUT, not retryable, and leaves no output")
        void overTheDeadline(boolean copy) {
            List<Path> files = copy ? List.of(canvasSized, canvasSized) : List.of(small, slow);
            MergeRequest request =
                    copy ? request(2, Quality.P720, Transition.none()) : request(2, Quality.P480, Transition.DEFAULT);
            assertEquals(
                    copy,
                    run(Limits.defaults(), request, files, dir.resolve("control.mp4"))
                            .streamCopied(),
                    "control: the path this case means to cover");
            Path output = dir.resolve("merged.mp4");
            MergeException e = assertThrows(MergeException.class, () -> run(instant, request, files, output));
            assertAll(
                    () -> assertEquals(ErrorCode.PROCESSING_TIMEOUT, e.code()),
                    () -> assertFalse(e.isRetryable()),
                    () -> assertTrue(
                            e.getMessage().startsWith("the merge took longer than the <1ms deadline its ")
                                    && e.getMessage().endsWith(" s of output allow"),
                            e.getMessage()),
                    () -> assertFalse(Files.exists(output), "the partial output is deleted"));
        }
    }

    @Nested
    @DisplayName("tells a full disk from a failed merge")
    class DiskFull {
        private static final Path DEV_FULL = Path.of("/dev/full");

        @ParameterizedTest(name = "stream copy: {0}")
        @ValueSource(booleans = {true, false})
        @DisplayName("writing the merged file where every write fails ENOSPC is STORAGE_FULL, retryable")
        void noSpaceLeft(boolean copy) throws IOException {
            assertTrue(
                    Files.isWritable(DEV_FULL),
                    "this test needs Linux's /dev/full, where every write fails with ENOSPC");
            // The step writes through the link; the partial output it deletes on failure is the link, never the device.
            Path output = Files.createSymbolicLink(dir.resolve("merged.mp4"), DEV_FULL);
            List<Path> files = copy ? List.of(canvasSized, canvasSized) : List.of(small, slow);
            MergeRequest request =
                    copy ? request(2, Quality.P720, Transition.none()) : request(2, Quality.P480, Transition.DEFAULT);
            MergeException e = assertThrows(MergeException.class, () -> run(Limits.defaults(), request, files, output));
            assertAll(
                    () -> assertEquals(ErrorCode.STORAGE_FULL, e.code()),
                    () -> assertTrue(e.isRetryable()),
                    () -> assertEquals(
                            "the merged file could not be written: no space left on the disk", e.getMessage()),
                    () -> assertFalse(Files.exists(output, LinkOption.NOFOLLOW_LINKS), "the link is removed"),
                    () -> assertTrue(Files.exists(DEV_FULL), "the device stays"));
        }
    }
}
