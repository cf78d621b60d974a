package io.videomerge.testing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.testing.ClipSpec.Audio;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The test clip generator, checked by the clip analyzer")
class ClipGeneratorTest {
    @TempDir
    Path dir;

    @ParameterizedTest(name = "{0}")
    @EnumSource(ClipSpec.Format.class)
    @DisplayName("flashes and beeps are found where they were asked for, within one frame")
    void flashesAndBeepsAreFoundWhereAsked(ClipSpec.Format format) {
        ClipSpec spec = ClipSpec.defaults().withFormat(format).withDuration(3).withEvents(0.5, 1.3, 2.42);
        ClipAnalyzer clip = ClipAnalyzer.analyze(ClipGenerator.write(spec, dir, "events"));

        double frame = 1.0 / spec.fps();
        assertInstants(List.of(0.5, 1.3, 2.44), clip.flashInstants(), frame);
        assertInstants(List.of(0.5, 1.3, 2.44), clip.beepInstants(), frame);
        assertAll(
                () -> assertEquals(spec.frameCount(), clip.frameCount()),
                () -> assertTrue(clip.decodedCleanly(), "decode errors: " + clip.decodeErrors()),
                () -> assertTrue(clip.isSilent(0.7, 1.2), "silent between beeps"),
                () -> assertFalse(clip.isSilent(1.3, 1.35), "loud during a beep"));
    }

    @ParameterizedTest(name = "rotation {0}")
    @ValueSource(ints = {0, 90, 180, 270})
    @DisplayName("the marker is in the top-left corner of the upright picture whatever the rotation")
    void markerIsTopLeftWhenUpright(int rotation) {
        ClipSpec spec =
                ClipSpec.of(320, 180).withRotation(rotation).withoutAudio().withDuration(0.4);
        ClipAnalyzer clip = ClipAnalyzer.analyze(ClipGenerator.write(spec, dir, "rot" + rotation));

        assertEquals(rotation, clip.info().rotation());
        double t = 0.1;
        double marker = clip.meanLuma(t, ClipGenerator.MARKER.inner(0.8));
        double topRight = clip.meanLuma(t, new Region(0.75, 0, 0.25, 0.25).inner(0.8));
        double bottomLeft = clip.meanLuma(t, new Region(0, 0.5, 0.25, 0.2).inner(0.8));
        assertAll(
                () -> assertEquals(ClipGenerator.WHITE, marker, 12, "top-left marker"),
                () -> assertEquals(ClipGenerator.GREY, topRight, 12, "top-right background"),
                () -> assertEquals(ClipGenerator.GREY, bottomLeft, 12, "left background"));
    }

    @Test
    @DisplayName("a background tone is not silence, and a clip without audio has none")
    void backgroundToneAndNoAudio() {
        ClipAnalyzer toned = ClipAnalyzer.analyze(ClipGenerator.write(
                ClipSpec.defaults()
                        .withAudio(Audio.MONO, 22_050)
                        .withBackgroundTone(true)
                        .withDuration(1),
                dir,
                "tone"));
        ClipAnalyzer mute = ClipAnalyzer.analyze(
                ClipGenerator.write(ClipSpec.defaults().withoutAudio().withDuration(1), dir, "mute"));

        assertAll(
                () -> assertFalse(toned.isSilent(0.2, 0.8)),
                () -> assertEquals(ClipGenerator.TONE_AMPLITUDE, toned.audioPeak(0.2, 0.8), 0.004),
                () -> assertTrue(toned.beepInstants().isEmpty()),
                () -> assertFalse(mute.hasAudio()),
                () -> assertEquals(25, mute.frameCount()));
    }

    private static void assertInstants(List<Double> expected, List<Double> actual, double tolerance) {
        assertEquals(expected.size(), actual.size(), () -> "expected " + expected + " but found " + actual);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), tolerance, "instant " + i + " of " + actual);
        }
    }
}
