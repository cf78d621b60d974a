package io.videomerge.internal;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.Canvas;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.encode.ProgressListener;
import io.videomerge.testing.ClipAnalyzer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.FormatChange;
import io.videomerge.testing.Region;
import io.videomerge.testing.SegmentedClip;
import io.videomerge.testing.SegmentedClipSpec.Container;
import io.videomerge.testing.SegmentedClipSpec.Segment;
import io.videomerge.testing.SegmentedClipWriter;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Clips whose audio channel layout or sample rate, or whose picture size or colour range, changes part-way
 * (see {@link FormatChange}), merged between two ordinary clips: each merge must finish, last as long as its
 * parts, keep the tone unbroken across the change, keep every beep on its flash and scale the new pictures right.
 */
class FormatChangeMergeTest {
    private static final double FRAME = 1.0 / 30;
    private static final double ORDINARY_SECONDS = 1.6;
    private static final double ORDINARY_EVENT = 0.8;
    /** Longest stretch below the silence level allowed where the sources carry their tone. */
    private static final double MAX_GAP = 0.030;
    /** Flash and beep may be a frame apart, plus the rounding of the audio frame edges. */
    private static final double SYNC = 0.034;

    private static final Canvas CANVAS = Quality.P480.canvas(AspectRatio.LANDSCAPE_16_9);

    @TempDir
    static Path clips;

    private static Path before;
    private static Path after;

    @TempDir
    Path work;

    @BeforeAll
    static void generateOrdinaryClips() {
        ClipSpec ordinary = ClipSpec.of(640, 360)
                .withFps(30)
                .withDuration(ORDINARY_SECONDS)
                .withEvents(ORDINARY_EVENT)
                .withBackgroundTone(true);
        before = ClipGenerator.write(ordinary, clips, "before");
        after = ClipGenerator.write(ordinary, clips, "after");
    }

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (FormatChange change : FormatChange.values()) {
            for (Container container : Container.values()) {
                all.add(Arguments.of(change, container, Transition.none()));
                all.add(Arguments.of(change, container, Transition.DEFAULT));
            }
        }
        return all.stream();
    }

    /** A pipeline whose downloads copy the local files the test's URLs name. */
    private MergePipeline pipeline() {
        MergePipeline.Download local = (url, index, jobDir, budget) -> {
            try {
                return Files.copy(Path.of(url), jobDir.resolve("clip-" + index + ".bin"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return new MergePipeline(
                Limits.defaults(),
                new FileSystemUploader(work.resolve("uploads"), URI.create("http://files.invalid/")),
                work.resolve("jobs"),
                Clock.systemUTC(),
                local);
    }

    @ParameterizedTest(name = "{0} in {1}, {2}")
    @MethodSource("cases")
    @DisplayName("a clip changing format part-way merges between two others: right length, unbroken tone, "
            + "beeps on their flashes, pictures scaled and in range after the change")
    void clipChangingFormatMerges(FormatChange change, Container container, Transition transition) {
        SegmentedClip changing = SegmentedClipWriter.write(change.spec(container), clips, change + "-" + container);
        MergeRequest request = new MergeRequest(
                List.of(before.toUri(), changing.file().toUri(), after.toUri()),
                Quality.P480,
                AspectRatio.LANDSCAPE_16_9,
                Fit.PAD,
                transition);

        MergeResult result = pipeline().run(request, "out", ProgressListener.NONE);
        ClipAnalyzer out = ClipAnalyzer.analyze(work.resolve("uploads").resolve("out.mp4"));

        double fade = transition.seconds();
        double middleStart = ORDINARY_SECONDS - fade;
        double lastStart = middleStart + changing.durationSeconds() - fade;
        double expectedDuration = lastStart + ORDINARY_SECONDS;
        List<Double> events = new ArrayList<>();
        events.add(ORDINARY_EVENT);
        changing.spec()
                .events()
                .forEach(t -> events.add(middleStart + changing.spec().eventInstant(t)));
        events.add(lastStart + ORDINARY_EVENT);

        assertAll(
                () -> assertEquals(expectedDuration, result.durationSeconds(), FRAME, "stated duration"),
                () -> assertEquals(expectedDuration, out.frameCount() * FRAME, FRAME, "frames written"),
                () -> assertEquals(expectedDuration, out.audioDuration(), 2 * FRAME, "audio lasts the whole output"),
                () -> assertTrue(out.decodedCleanly(), "output decode errors at " + out.decodeErrorInstants()),
                () -> assertEquals(
                        0,
                        out.longestSilence(
                                middleStart + fade + 0.05, middleStart + changing.durationSeconds() - fade - 0.05),
                        MAX_GAP,
                        "longest gap in the tone of the changing clip (change at "
                                + (middleStart + changing.audioChanges().get(0)) + ")"),
                () -> assertInSync(out, events),
                () -> assertPicture(out, changing, middleStart, 1),
                () -> assertPicture(out, changing, middleStart, 0));
    }

    /** Each expected event has one flash within 1.5 frames of it, and one beep within {@link #SYNC} of that flash. */
    private static void assertInSync(ClipAnalyzer out, List<Double> events) {
        List<Double> flashes = out.flashInstants();
        List<Double> beeps = out.beepInstants();
        assertEquals(events.size(), flashes.size(), () -> "flashes " + flashes + ", expected " + events);
        assertEquals(events.size(), beeps.size(), () -> "beeps " + beeps + ", expected " + events);
        for (int i = 0; i < events.size(); i++) {
            assertEquals(events.get(i), flashes.get(i), 1.5 * FRAME, "flash " + i + " of " + flashes);
            assertEquals(flashes.get(i), beeps.get(i), SYNC, "beep " + i + " against its flash: " + beeps);
        }
    }

    /**
     * Half a second into segment {@code index} of the changing clip: the marker is bright where the padded
     * picture puts it, the background grey, and the moving dark block dark (not black: the colour range is right).
     */
    private static void assertPicture(ClipAnalyzer out, SegmentedClip changing, double start, int index) {
        Segment segment = changing.spec().segments().get(index);
        int frame = changing.spec().segmentStartFrame(index) + 15;
        double t = start + (frame + 0.5) * FRAME;
        String where = "segment " + index + " (" + segment.width() + "x" + segment.height() + ") at " + t;
        double marker = out.meanLuma(t, placed(ClipGenerator.MARKER, segment).inner(0.6));
        double background = out.meanLuma(t, placed(new Region(0.5, 0.1, 0.4, 0.3), segment));
        // The encoder may shift the picture by a frame; the block is in one of three neighbouring places.
        double block = Double.MAX_VALUE;
        for (int f = frame - 1; f <= frame + 1; f++) {
            Region r = ClipGenerator.movingBlock(f, segment.width(), segment.height())
                    .inner(0.5);
            block = Math.min(block, out.meanLuma(t, placed(r, segment)));
        }
        double dark = block;
        assertAll(
                () -> assertTrue(marker > 200, "marker of " + where + ": " + marker),
                () -> assertEquals(ClipGenerator.GREY, background, 12, "background of " + where),
                () -> assertEquals(ClipGenerator.DARK, dark, 10, "moving block of " + where));
    }

    /** Where {@code region} of a segment's picture lands on the canvas once fitted with padding. */
    private static Region placed(Region region, Segment segment) {
        double scale = Math.min(CANVAS.width() / (double) segment.width(), CANVAS.height() / (double) segment.height());
        double w = segment.width() * scale / CANVAS.width();
        double h = segment.height() * scale / CANVAS.height();
        double left = (1 - w) / 2;
        double top = (1 - h) / 2;
        return new Region(left + region.left() * w, top + region.top() * h, region.width() * w, region.height() * h);
    }
}
