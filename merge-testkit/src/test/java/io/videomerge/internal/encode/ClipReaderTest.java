package io.videomerge.internal.encode;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Canvas;
import io.videomerge.ErrorCode;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.internal.plan.ClipPlan;
import io.videomerge.internal.plan.Plan;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.InputOpener;
import io.videomerge.internal.probe.Prober;
import io.videomerge.testing.ClipDamage;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("ClipReader")
class ClipReaderTest {
    private static final ClipSpec SPEC = ClipSpec.of(320, 240).withDuration(2.0).withEvents(1.5);
    /** The beep's instant: events are snapped to the next frame boundary. */
    private static final double BEEP_AT = SPEC.eventInstant(1.5);

    private static final int CHUNK = 1024;

    @TempDir
    Path dir;

    @Test
    @DisplayName("skips and counts one undecodable audio packet, and the audio after it stays in place")
    void skipsOneBadAudioPacket() {
        Path clip = beepingClip("one-bad");
        double damagedAt = ClipDamage.corruptAudioPacket(clip, 10);
        assertTrue(damagedAt < BEEP_AT - 0.2, "the damage is well before the beep: " + damagedAt);

        try (ClipReader reader = open(clip, Limits.defaults())) {
            double beep = firstLoudSecond(reader, 2.0);
            assertAll(
                    () -> assertEquals(1, reader.undecodableAudioPackets()),
                    () -> assertEquals(0, reader.undecodableVideoPackets()),
                    () -> assertEquals(BEEP_AT, beep, 0.005, "the beep after the skipped packet kept its instant"));
        }
    }

    @Test
    @DisplayName("refuses an input that loses more than the allowed share of its audio packets, naming it")
    void refusesTooManyBadPackets() {
        Path clip = beepingClip("many-bad");
        // One packet in ten: about 10 % of the audio, spread over the clip.
        int damaged = 0;
        for (int packet = 5; packet < 90; packet += 10) {
            ClipDamage.corruptAudioPacket(clip, packet);
            damaged++;
        }
        int expected = damaged;

        MediaException e = assertThrows(MediaException.class, () -> {
            try (ClipReader reader = open(clip, Limits.defaults())) {
                firstLoudSecond(reader, 2.0);
            }
        });
        assertAll(
                () -> assertEquals(ErrorCode.INVALID_MEDIA, e.code()),
                () -> assertEquals(0, e.inputIndex().orElseThrow()),
                () -> assertTrue(e.getMessage().contains("partly undecodable"), e.getMessage()));

        try (ClipReader lenient =
                open(clip, Limits.builder().maxUndecodableShare(0.2).build())) {
            assertEquals(BEEP_AT, firstLoudSecond(lenient, 2.0), 0.005, "a larger share lets the same input through");
            assertEquals(expected, lenient.undecodableAudioPackets());
        }
    }

    private Path beepingClip(String name) {
        return ClipGenerator.write(SPEC, dir, name);
    }

    private static ClipReader open(Path clip, Limits limits) {
        Prober.Inspection inspection = new Prober(limits).inspect(clip, 0);
        ClipInfo info = inspection.info();
        ClipPlan plan = new ClipPlan(
                0, info.startSeconds(), info.durationSeconds(), 0, 320, 240, new Canvas(320, 240), Fit.PAD, true);
        return new ClipReader(new InputOpener(limits).open(clip, inspection), plan, 1, limits.maxUndecodableShare());
    }

    /** Reads the clip's audio from its start and answers the first instant louder than half the beep's level. */
    private static double firstLoudSecond(ClipReader reader, double seconds) {
        float[] left = new float[CHUNK];
        float[] right = new float[CHUNK];
        long total = Math.round(seconds * Plan.SAMPLE_RATE);
        double found = Double.NaN;
        for (long from = 0; from < total; from += CHUNK) {
            int count = (int) Math.min(CHUNK, total - from);
            reader.audio(from, count, left, right);
            for (int i = 0; i < count && Double.isNaN(found); i++) {
                if (Math.abs(left[i]) > ClipGenerator.BEEP_AMPLITUDE / 2) {
                    found = (from + i) / (double) Plan.SAMPLE_RATE;
                }
            }
        }
        return found;
    }
}
