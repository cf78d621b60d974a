package io.videomerge.testing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.testing.ClipAnalyzer.AudioFormat;
import io.videomerge.testing.ClipAnalyzer.VideoFormat;
import io.videomerge.testing.SegmentedClipSpec.Container;
import io.videomerge.testing.SegmentedClipSpec.Segment;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

@DisplayName("The segmented clip writer, checked by decoding with libavcodec")
class SegmentedClipTest {
    private static final double FRAME = 1.0 / 30;

    @TempDir
    Path dir;

    static Stream<Arguments> cases() {
        List<Arguments> all = new ArrayList<>();
        for (FormatChange change : FormatChange.values()) {
            for (Container container : Container.values()) {
                all.add(Arguments.of(change, container));
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    @DisplayName("the decoded stream changes format at the segment boundary and decodes without errors")
    void decodedFormatChangesAtTheBoundary(FormatChange change, Container container) {
        SegmentedClipSpec spec = change.spec(container);
        SegmentedClip written = SegmentedClipWriter.write(spec, dir, change.name());
        ClipAnalyzer clip = ClipAnalyzer.analyze(written.file());
        Segment before = spec.segments().get(0);
        Segment after = spec.segments().get(1);

        List<AudioFormat> audio = clip.audioFormats();
        List<VideoFormat> video = clip.videoFormats();
        assertAll(
                () -> assertTrue(clip.decodedCleanly(), "decode errors at " + clip.decodeErrorInstants()),
                () -> assertEquals(spec.frameCount(), clip.frameCount()),
                () -> assertEquals(1.5, written.videoChanges().get(0), 1e-9),
                () -> assertEquals(1.5, written.audioChanges().get(0), FRAME),
                () -> assertEquals(before.width(), clip.info().width(), "the header describes segment one"));
        if (container == Container.MP4) {
            // In Matroska, avformat_find_stream_info lets the AC-3 and MP3 parsers overwrite the track's
            // parameters with those of the last frame it read, so the probe there may report segment two.
            assertAll(
                    () -> assertEquals(before.channels(), clip.info().channels(), "the header describes segment one"),
                    () -> assertEquals(before.sampleRate(), clip.info().sampleRate(), "the header, segment one"));
        }
        if (change.audio()) {
            assertEquals(2, audio.size(), "audio formats " + audio);
            assertAll(
                    () -> assertEquals(
                            new AudioFormat(0, before.channels(), before.sampleRate()),
                            audio.get(0).withTime(0)),
                    () -> assertEquals(after.channels(), audio.get(1).channels(), "channels after " + audio),
                    () -> assertEquals(after.sampleRate(), audio.get(1).sampleRate(), "rate after " + audio),
                    () -> assertEquals(
                            written.audioChanges().get(0), audio.get(1).time(), FRAME, "change " + audio),
                    () -> assertEquals(1, video.size(), "video formats " + video));
        } else {
            assertEquals(2, video.size(), "video formats " + video);
            assertAll(
                    () -> assertEquals(
                            new VideoFormat(0, before.width(), before.height(), before.fullRange()), video.get(0)),
                    () -> assertEquals(
                            new VideoFormat(1.5, after.width(), after.height(), after.fullRange()),
                            video.get(1).withTime(1.5)),
                    () -> assertEquals(1.5, video.get(1).time(), FRAME, "change " + video),
                    () -> assertEquals(1, audio.size(), "audio formats " + audio));
        }
    }

    @ParameterizedTest(name = "{0} in {1}")
    @MethodSource("cases")
    @DisplayName("the sound and the pictures continue across the change: tone without gaps, beeps on their flashes")
    void contentContinuesAcrossTheChange(FormatChange change, Container container) {
        SegmentedClipSpec spec = change.spec(container);
        ClipAnalyzer clip = ClipAnalyzer.analyze(
                SegmentedClipWriter.write(spec, dir, change.name()).file());

        List<Double> expected = spec.events().stream().map(spec::eventInstant).toList();
        List<Double> flashes = clip.flashInstants();
        List<Double> beeps = clip.beepInstants();
        assertEquals(expected.size(), flashes.size(), "flashes " + flashes);
        assertEquals(expected.size(), beeps.size(), "beeps " + beeps);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), flashes.get(i), 1e-3, "flash " + i + " of " + flashes);
            assertEquals(expected.get(i), beeps.get(i), FRAME, "beep " + i + " of " + beeps);
        }
        assertEquals(0, clip.longestSilence(0.05, spec.durationSeconds() - 0.05), 0.010, "longest gap in the tone");
        Segment after = spec.segments().get(1);
        double t = 60.0 / spec.fps();
        Region block =
                ClipGenerator.movingBlock(60, after.width(), after.height()).inner(0.5);
        assertAll(
                () -> assertEquals(spec.durationSeconds(), clip.info().durationSeconds(), FRAME, "stated length"),
                () -> assertTrue(clip.meanLuma(t, ClipGenerator.MARKER.inner(0.8)) > 200, "marker after the change"),
                () -> assertEquals(
                        ClipGenerator.GREY,
                        clip.meanLuma(t, new Region(0.5, 0.1, 0.4, 0.3)),
                        6,
                        "background after the change"),
                () -> assertEquals(ClipGenerator.DARK, clip.meanLuma(t, block), 8, "moving block, range-sensitive"));
    }
}
