package io.videomerge.testing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.testing.SegmentedClipSpec.AudioCodec;
import io.videomerge.testing.SegmentedClipSpec.Container;
import io.videomerge.testing.SegmentedClipSpec.Segment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@DisplayName("Damaging one audio packet of a clip")
class ClipDamageTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("FFmpeg reports a decode error on exactly the overwritten AAC packet of an MP4, and on no other")
    void aacPacketInMp4FailsAlone() throws IOException {
        Path file = ClipGenerator.write(ClipSpec.defaults().withDuration(1).withBackgroundTone(true), dir, "aac");
        long size = Files.size(file);
        ClipAnalyzer clean = ClipAnalyzer.analyze(file);

        double damaged = ClipDamage.corruptAudioPacket(file, 2);
        ClipAnalyzer clip = ClipAnalyzer.analyze(file);

        assertAll(
                () -> assertTrue(clean.decodedCleanly()),
                () -> assertEquals(size, Files.size(file), "same size"),
                () -> assertEquals(List.of(damaged), clip.decodeErrorInstants()),
                () -> assertEquals(clean.frameCount(), clip.frameCount(), "the pictures are untouched"));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(AudioCodec.class)
    @DisplayName("in Matroska too, each codec's decoder rejects exactly the overwritten packet")
    void packetInMatroskaFailsAlone(AudioCodec codec) {
        SegmentedClip written = SegmentedClipWriter.write(
                SegmentedClipSpec.of(Container.MATROSKA, codec, Segment.of(1.0)), dir, "mkv-" + codec);

        double damaged = ClipDamage.corruptAudioPacket(written.file(), 1);
        ClipAnalyzer clip = ClipAnalyzer.analyze(written.file());

        assertEquals(List.of(damaged), clip.decodeErrorInstants());
    }
}
