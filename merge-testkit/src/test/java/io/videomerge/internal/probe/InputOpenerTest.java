package io.videomerge.internal.probe;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("InputOpener")
class InputOpenerTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("opens the probed streams with decoders set up from them")
    void opensAcceptedClip() {
        ClipSpec spec = ClipSpec.of(320, 240).withDuration(1);
        Path clip = ClipGenerator.write(spec, dir, "ok");
        try (DecodingInput input = new InputOpener(Limits.defaults()).open(clip, 0)) {
            assertAll(
                    () -> assertEquals(0, input.index()),
                    () -> assertEquals(320, input.videoDecoder().width()),
                    () -> assertEquals(240, input.videoDecoder().height()),
                    () -> assertNotNull(input.audioDecoder()),
                    () -> assertEquals(48_000, input.audioDecoder().sample_rate()),
                    () -> assertEquals(
                            avutil.AVMEDIA_TYPE_VIDEO,
                            input.stream(input.videoStream()).codecpar().codec_type()),
                    () -> assertEquals(
                            avutil.AVMEDIA_TYPE_AUDIO,
                            input.stream(input.audioStream()).codecpar().codec_type()));
        }
    }

    @Test
    @DisplayName("refuses what the prober refuses, with the code and the input index")
    void refusesLikeTheProber() throws Exception {
        Path page = Files.writeString(dir.resolve("clip-4.bin"), "<html><body>hello</body></html>");
        MediaException e = assertThrows(MediaException.class, () -> new InputOpener(Limits.defaults()).open(page, 4));
        assertAll(
                () -> assertEquals(ErrorCode.INVALID_MEDIA, e.code()),
                () -> assertEquals(4, e.inputIndex().orElseThrow()),
                () -> assertFalse(e.getMessage().contains(dir.toString())));
    }

    @Test
    @DisplayName("the merge's own video decoder enforces max_pixels (not only the probe)")
    void decoderEnforcesMaxPixels() {
        Path clip = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(0.4).withoutAudio(), dir, "big");
        InputOpener strict =
                new InputOpener(Limits.builder().maxPixels(320L * 200).build());
        // Skip the probe (which would refuse first) to show FFmpeg itself refuses: the decoder will not open on
        // a picture over max_pixels.
        MediaException e = assertThrows(MediaException.class, () -> strict.open(clip, 3, 0, -1));
        assertEquals(3, e.inputIndex().orElseThrow());
        try (DecodingInput lax =
                new InputOpener(Limits.builder().maxPixels(320L * 240).build()).open(clip, 0, 0, -1)) {
            assertEquals(320, lax.videoDecoder().width(), "control: the same clip opens at the limit");
        }
    }

    @Test
    @DisplayName("the merge's own decoders enforce the decoder whitelist (not only the probe)")
    void decoderEnforcesWhitelist() {
        Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "aac");
        Set<String> noAac = new HashSet<>(Limits.DEFAULT_DECODERS);
        noAac.remove("aac");
        InputOpener opener =
                new InputOpener(Limits.builder().allowedDecoders(noAac).build());
        MediaException e = assertThrows(MediaException.class, () -> opener.open(clip, 2, 0, 1));
        assertEquals(2, e.inputIndex().orElseThrow());
    }
}
