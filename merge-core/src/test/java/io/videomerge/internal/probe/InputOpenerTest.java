package io.videomerge.internal.probe;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("InputOpener")
class InputOpenerTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("returns a started grabber that decodes every frame and the audio of an accepted clip")
    void opensAcceptedClip() throws Exception {
        ClipSpec spec = ClipSpec.of(320, 240).withDuration(1);
        Path clip = ClipGenerator.write(spec, dir, "ok");
        int images = 0;
        int samples = 0;
        try (FFmpegFrameGrabber grabber = new InputOpener(Limits.defaults()).open(clip, 0,
                g -> g.setPixelFormat(avutil.AV_PIX_FMT_GRAY8))) {
            assertEquals(320, grabber.getImageWidth());
            assertEquals(48_000, grabber.getSampleRate());
            for (Frame f = grabber.grab(); f != null; f = grabber.grab()) {
                if (f.image != null) {
                    images++;
                }
                if (f.samples != null) {
                    samples += f.samples[0].limit();
                }
            }
        }
        assertEquals(spec.frameCount(), images);
        assertTrue(samples >= 48_000 * 0.95, "samples " + samples);
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
    @DisplayName("the grabber's own video decoder enforces max_pixels (not only the probe)")
    void grabberDecoderEnforcesMaxPixels() throws Exception {
        Path clip = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(0.4).withoutAudio(), dir, "big");
        InputOpener strict = new InputOpener(Limits.builder().maxPixels(320L * 200).build());
        // Skip the probe (which would refuse first) to show FFmpeg itself refuses inside the grabber: the
        // decoder will not open on a picture over max_pixels.
        MediaException e = assertThrows(MediaException.class, () -> strict.start(clip, 3, 0, -1, g -> { }));
        assertEquals(3, e.inputIndex().orElseThrow());
        try (FFmpegFrameGrabber lax = new InputOpener(Limits.builder().maxPixels(320L * 240).build())
                .start(clip, 0, 0, -1, g -> { })) {
            assertNotNull(lax.grabImage(), "control: the same clip decodes at the limit");
        }
    }

    @Test
    @DisplayName("the grabber's own decoders enforce the decoder whitelist (not only the probe)")
    void grabberDecoderEnforcesWhitelist() {
        Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "aac");
        Set<String> noAac = new HashSet<>(Limits.DEFAULT_DECODERS);
        noAac.remove("aac");
        InputOpener opener = new InputOpener(Limits.builder().allowedDecoders(noAac).build());
        MediaException e = assertThrows(MediaException.class, () -> opener.start(clip, 2, 0, 1, g -> { }));
        assertEquals(2, e.inputIndex().orElseThrow());
    }
}
