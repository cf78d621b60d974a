package io.videomerge.internal.probe;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeout;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.testing.ClipDamage;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipMutations;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.ClipSpec.Audio;
import io.videomerge.testing.ClipSpec.Format;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.ShortBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Prober")
class ProberTest {
    private static final Prober PROBER = new Prober(Limits.defaults());

    @TempDir
    Path dir;

    @Nested
    @DisplayName("reports the facts of")
    class Facts {

        @Test
        @DisplayName("an H.264/AAC MP4 with 48 kHz stereo")
        void h264AacStereo() {
            Path clip = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(2), dir, "stereo");
            ClipInfo info = PROBER.probe(clip, 3);
            assertAll(
                    () -> assertEquals(3, info.index()),
                    () -> assertEquals("mov,mp4,m4a,3gp,3g2,mj2", info.container()),
                    () -> assertEquals(2.0, info.durationSeconds(), 0.05),
                    () -> assertEquals(320, info.width()),
                    () -> assertEquals(240, info.height()),
                    () -> assertEquals(0, info.rotation()),
                    () -> assertEquals(1, info.sarNum()),
                    () -> assertEquals(1, info.sarDen()),
                    () -> assertEquals("yuv420p", info.pixelFormat()),
                    () -> assertEquals(25.0, info.frameRate(), 1e-9),
                    () -> assertFalse(info.variableFrameRate()),
                    () -> assertEquals("h264", info.videoCodec()),
                    () -> assertTrue(info.videoProfile() >= 0, "a known H.264 profile"),
                    () -> assertTrue(info.videoTimeBaseDen() > 0 && info.videoTimeBaseNum() > 0),
                    () -> assertTrue(info.hasAudio()),
                    () -> assertEquals("aac", info.audioCodec()),
                    () -> assertEquals(48_000, info.sampleRate()),
                    () -> assertEquals(2, info.channels()));
        }

        @Test
        @DisplayName("mono audio at 22050 Hz")
        void mono22050() {
            Path clip = ClipGenerator.write(
                    ClipSpec.defaults().withAudio(Audio.MONO, 22_050).withDuration(1), dir, "mono");
            ClipInfo info = PROBER.probe(clip, 0);
            assertAll(
                    () -> assertTrue(info.hasAudio()),
                    () -> assertEquals(22_050, info.sampleRate()),
                    () -> assertEquals(1, info.channels()));
        }

        @Test
        @DisplayName("a clip without audio")
        void noAudio() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withoutAudio().withDuration(1), dir, "mute");
            ClipInfo info = PROBER.probe(clip, 0);
            assertAll(
                    () -> assertFalse(info.hasAudio()),
                    () -> assertEquals("", info.audioCodec()),
                    () -> assertEquals(0, info.sampleRate()),
                    () -> assertEquals(0, info.channels()),
                    () -> assertEquals(1.0, info.durationSeconds(), 0.05));
        }

        @Test
        @DisplayName("a VP9/Opus WebM")
        void vp9Webm() {
            Path clip = ClipGenerator.write(ClipSpec.of(320, 180).asWebm().withDuration(1), dir, "webm");
            ClipInfo info = PROBER.probe(clip, 1);
            assertAll(
                    () -> assertEquals("matroska,webm", info.container()),
                    () -> assertEquals("vp9", info.videoCodec()),
                    () -> assertEquals(320, info.width()),
                    () -> assertEquals(180, info.height()),
                    () -> assertEquals(25.0, info.frameRate(), 1e-9),
                    () -> assertFalse(info.variableFrameRate()),
                    () -> assertEquals(1.0, info.durationSeconds(), 0.06),
                    () -> assertEquals("opus", info.audioCodec()),
                    () -> assertEquals(48_000, info.sampleRate()),
                    () -> assertEquals(2, info.channels()));
        }

        @ParameterizedTest(name = "rotation {0}")
        @ValueSource(ints = {90, 180, 270})
        @DisplayName("a rotated clip: clockwise rotation from the display matrix, display size swapped")
        void rotated(int rotation) {
            Path clip = ClipGenerator.write(
                    ClipSpec.of(320, 240)
                            .withRotation(rotation)
                            .withDuration(0.4)
                            .withoutAudio(),
                    dir,
                    "rot" + rotation);
            ClipInfo info = PROBER.probe(clip, 0);
            boolean quarter = rotation % 180 != 0;
            assertAll(
                    () -> assertEquals(rotation, info.rotation()),
                    () -> assertEquals(320, info.width()),
                    () -> assertEquals(240, info.height()),
                    () -> assertEquals(quarter ? 240 : 320, info.displayWidth()),
                    () -> assertEquals(quarter ? 320 : 240, info.displayHeight()));
        }

        @Test
        @DisplayName("a variable frame rate (every third frame missing) as variable, with its average rate")
        void variableFrameRate() throws Exception {
            Path file = dir.resolve("vfr.mp4");
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), 160, 120, 0)) {
                recorder.setFormat("mp4");
                recorder.setVideoCodecName(ClipGenerator.h264Encoder());
                recorder.setFrameRate(30);
                recorder.start();
                Frame frame = new Frame(160, 120, Frame.DEPTH_UBYTE, 1);
                for (int slot = 0; slot < 60; slot++) {
                    if (slot % 3 != 2) {
                        recorder.setFrameNumber(slot);
                        recorder.record(frame, avutil.AV_PIX_FMT_GRAY8);
                    }
                }
                recorder.stop();
            }
            ClipInfo info = PROBER.probe(file, 0);
            assertAll(
                    () -> assertTrue(info.variableFrameRate(), "variable"),
                    () -> assertEquals(20.0, info.frameRate(), 0.5));
        }

        @ParameterizedTest(name = "{0} fps")
        @ValueSource(ints = {24, 25, 30})
        @DisplayName("the frame rate")
        void frameRate(int fps) {
            Path clip = ClipGenerator.write(
                    ClipSpec.defaults().withFps(fps).withDuration(1).withoutAudio(), dir, "fps" + fps);
            ClipInfo info = PROBER.probe(clip, 0);
            assertAll(() -> assertEquals(fps, info.frameRate(), 1e-9), () -> assertFalse(info.variableFrameRate()));
        }
    }

    @Nested
    @DisplayName("proves a clip's extent from its packets, not its header")
    class Extents {
        private static final double FRAME = 1.0 / 25;

        @ParameterizedTest(name = "{0}")
        @EnumSource(
                value = Format.class,
                names = {"MKV_H264_AAC", "WEBM_VP9_OPUS"})
        @DisplayName("a header claiming 600 s on 2 s of content is ignored: 2 s, within a frame")
        void overstatedHeader(Format format) {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withFormat(format), dir, "claims-600");
            ClipMutations.claimDuration(clip, 600);
            ClipInfo info = PROBER.probe(clip, 0);
            assertAll(
                    () -> assertEquals(2.0, info.durationSeconds(), FRAME),
                    () -> assertEquals(0.0, info.startSeconds(), FRAME));
        }

        @Test
        @DisplayName(
                "a header claiming 7,000 s, more than the limit, is neither trusted nor refused, and costs no time")
        void headerBeyondTheLimit() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withFormat(Format.MKV_H264_AAC), dir, "claims-7000");
            ClipMutations.claimDuration(clip, 7_000);
            Prober hour = new Prober(
                    Limits.builder().maxTotalDuration(Duration.ofHours(1)).build());
            ClipInfo info = assertTimeout(Duration.ofSeconds(10), () -> hour.probe(clip, 2));
            assertEquals(2.0, info.durationSeconds(), FRAME);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(
                value = Format.class,
                names = {"WEBM_VP8_OPUS", "WEBM_VP9_OPUS"})
        @DisplayName("a browser recording without a duration in its header is measured and accepted")
        void noHeaderDuration(Format format) {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(3).withFormat(format), dir, "live");
            ClipMutations.stripDuration(clip);
            ClipInfo info = PROBER.probe(clip, 1);
            assertAll(
                    () -> assertEquals(3.0, info.durationSeconds(), FRAME),
                    () -> assertEquals(format == Format.WEBM_VP8_OPUS ? "vp8" : "vp9", info.videoCodec()),
                    () -> assertEquals("opus", info.audioCodec()));
        }

        @Test
        @DisplayName("a longer recording without a header duration is measured from a seek near its end")
        void longRecordingWithoutHeaderDuration() throws IOException {
            Path clip = ClipGenerator.write(
                    ClipSpec.defaults().withDuration(40).withFormat(Format.WEBM_VP8_OPUS), dir, "long");
            ClipMutations.stripDuration(clip);
            assertTrue(Files.size(clip) > 96 * 1024, "larger than the first window (64 KiB): " + Files.size(clip));
            assertEquals(40.0, PROBER.probe(clip, 0).durationSeconds(), FRAME);
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(
                value = Format.class,
                names = {"MKV_H264_AAC", "WEBM_VP9_OPUS"})
        @DisplayName("a clip starting 3 s into its timeline reports that start and its own length")
        void lateStart(Format format) {
            Path clip =
                    ClipGenerator.write(ClipSpec.defaults().withFormat(format).withStart(3), dir, "late");
            ClipInfo info = PROBER.probe(clip, 0);
            assertAll(
                    () -> assertEquals(3.0, info.startSeconds(), FRAME),
                    () -> assertEquals(2.0, info.durationSeconds(), FRAME));
        }

        @ParameterizedTest(name = "{0}")
        @EnumSource(
                value = Format.class,
                names = {"MP4_AV1_AAC", "WEBM_AV1_OPUS"})
        @DisplayName("an AV1 clip (decoded by libaom) with its length")
        void av1(Format format) {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withFormat(format), dir, "av1");
            ClipInfo info = PROBER.probe(clip, 0);
            assertAll(
                    () -> assertEquals("av1", info.videoCodec()),
                    () -> assertEquals("yuv420p", info.pixelFormat()),
                    () -> assertEquals(2.0, info.durationSeconds(), FRAME));
        }

        @Test
        @DisplayName("a first audio packet that does not decode is skipped, as the CLI does")
        void undecodableFirstAudioPacket() {
            Path clip = ClipGenerator.write(ClipSpec.defaults(), dir, "bad-audio");
            ClipDamage.corruptAudioPacket(clip, 0);
            ClipInfo info = PROBER.probe(clip, 0);
            assertAll(() -> assertTrue(info.hasAudio()), () -> assertEquals(2.0, info.durationSeconds(), FRAME));
        }
    }

    @Nested
    @DisplayName("refuses")
    class Refusals {

        @Test
        @DisplayName("an HLS playlist saved as .mp4 (INVALID_MEDIA)")
        void hlsPlaylist() throws IOException {
            Path file = write("playlist.mp4", """
                    #EXTM3U
                    #EXT-X-VERSION:3
                    #EXT-X-TARGETDURATION:2
                    #EXTINF:2.0,
                    file:///etc/hostname
                    #EXT-X-ENDLIST
                    """);
            assertRefused(ErrorCode.INVALID_MEDIA, 4, () -> PROBER.probe(file, 4));
        }

        @Test
        @DisplayName("an ffconcat list saved as .mp4 (INVALID_MEDIA)")
        void concatList() throws IOException {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "inner");
            Path file = write("list.mp4", "ffconcat version 1.0\nfile '" + clip.toAbsolutePath() + "'\n");
            assertRefused(ErrorCode.INVALID_MEDIA, 1, () -> PROBER.probe(file, 1));
        }

        @Test
        @DisplayName("an HTML page (INVALID_MEDIA)")
        void htmlPage() throws IOException {
            Path file = write(
                    "page.mp4",
                    "<!DOCTYPE html>\n<html><head><title>Not found</title></head>"
                            + "<body><h1>404</h1></body></html>\n");
            assertRefused(ErrorCode.INVALID_MEDIA, 2, () -> PROBER.probe(file, 2));
        }

        @Test
        @DisplayName("a DASH manifest saved as .mp4 (INVALID_MEDIA)")
        void dashManifest() throws IOException {
            Path file = write("manifest.mp4", """
                    <?xml version="1.0" encoding="UTF-8"?>
                    <MPD xmlns="urn:mpeg:dash:schema:mpd:2011" type="static" mediaPresentationDuration="PT2S"
                         minBufferTime="PT1S" profiles="urn:mpeg:dash:profile:isoff-on-demand:2011">
                      <Period><AdaptationSet mimeType="video/mp4"><Representation id="1" bandwidth="1000">
                        <BaseURL>file:///etc/hostname</BaseURL>
                      </Representation></AdaptationSet></Period>
                    </MPD>
                    """);
            assertRefused(ErrorCode.INVALID_MEDIA, 0, () -> PROBER.probe(file, 0));
        }

        @Test
        @DisplayName("a still image saved as .mp4: no image demuxer (INVALID_MEDIA)")
        void imageAsMp4() throws IOException {
            BufferedImage image = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
            Path file = dir.resolve("photo.mp4");
            assertTrue(ImageIO.write(image, "png", file.toFile()));
            assertRefused(ErrorCode.INVALID_MEDIA, 1, () -> PROBER.probe(file, 1));
        }

        @Test
        @DisplayName("one clip longer than the total allowed (INPUT_TOO_LONG)")
        void clipTooLong() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(2).withoutAudio(), dir, "long");
            Prober short1 = new Prober(
                    Limits.builder().maxTotalDuration(Duration.ofSeconds(1)).build());
            assertRefused(ErrorCode.INPUT_TOO_LONG, 8, () -> short1.probe(clip, 8));
        }

        @Test
        @DisplayName("an empty file (INVALID_MEDIA)")
        void zeroBytes() throws IOException {
            Path file = Files.createFile(dir.resolve("clip-0.bin"));
            assertRefused(ErrorCode.INVALID_MEDIA, 0, () -> PROBER.probe(file, 0));
        }

        @Test
        @DisplayName("a missing file (INVALID_MEDIA)")
        void missingFile() {
            assertRefused(ErrorCode.INVALID_MEDIA, 0, () -> PROBER.probe(dir.resolve("nothing.mp4"), 0));
        }

        @Test
        @DisplayName("a truncated MP4 (INVALID_MEDIA)")
        void truncatedMp4() throws IOException {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(1), dir, "whole");
            byte[] bytes = Files.readAllBytes(clip);
            Path file = Files.write(dir.resolve("half.mp4"), Arrays.copyOf(bytes, bytes.length / 2));
            assertRefused(ErrorCode.INVALID_MEDIA, 5, () -> PROBER.probe(file, 5));
        }

        @Test
        @DisplayName("an MP4 whose media data is cut while the index survives (INVALID_MEDIA)")
        void mediaDataCut() throws IOException {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(1), dir, "whole");
            byte[] bytes = Files.readAllBytes(clip);
            int mdat = indexOf(bytes, "mdat".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            // Zero the media payload (after the index, which comes first): the index still points there, but no
            // picture can be decoded from it.
            Arrays.fill(bytes, mdat + 4, bytes.length, (byte) 0);
            Path file = Files.write(dir.resolve("blank.mp4"), bytes);
            assertRefused(ErrorCode.INVALID_MEDIA, 0, () -> PROBER.probe(file, 0));
        }

        @Test
        @DisplayName("an MP4 whose index lists 4 s and whose media data stops near 2.8 s (INVALID_MEDIA)")
        void mediaDataCutAfterIndex() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(4), dir, "cut");
            ClipMutations.truncateMediaData(clip, 0.7);
            MediaException e = assertThrows(MediaException.class, () -> PROBER.probe(clip, 3));
            assertTrue(e.getMessage().contains("truncated"), e.getMessage());
            assertRefused(ErrorCode.INVALID_MEDIA, 3, () -> PROBER.probe(clip, 3));
        }

        @Test
        @DisplayName("a picture over max_pixels (UNSUPPORTED_CODEC)")
        void overMaxPixels() {
            Path clip = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(0.4), dir, "big");
            Prober strict = new Prober(Limits.builder().maxPixels(320L * 239).build());
            assertRefused(ErrorCode.UNSUPPORTED_CODEC, 6, () -> strict.probe(clip, 6));
            assertEquals(
                    320,
                    new Prober(Limits.builder().maxPixels(320L * 240).build())
                            .probe(clip, 6)
                            .width());
        }

        @Test
        @DisplayName("a video decoder outside the whitelist (UNSUPPORTED_CODEC)")
        void videoDecoderNotAllowed() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "h264");
            Prober noH264 = new Prober(Limits.builder()
                    .allowedDecoders(without(Limits.DEFAULT_DECODERS, "h264"))
                    .build());
            assertRefused(ErrorCode.UNSUPPORTED_CODEC, 7, () -> noH264.probe(clip, 7));
        }

        @Test
        @DisplayName("an audio decoder outside the whitelist (UNSUPPORTED_CODEC)")
        void audioDecoderNotAllowed() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "aac");
            Prober noAac = new Prober(Limits.builder()
                    .allowedDecoders(without(Limits.DEFAULT_DECODERS, "aac"))
                    .build());
            assertRefused(ErrorCode.UNSUPPORTED_CODEC, 1, () -> noAac.probe(clip, 1));
        }

        @Test
        @DisplayName("a container outside the whitelist, even a real video (INVALID_MEDIA)")
        void containerNotAllowed() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "mp4");
            Prober webmOnly = new Prober(
                    Limits.builder().allowedContainers(Set.of("matroska,webm")).build());
            assertRefused(ErrorCode.INVALID_MEDIA, 0, () -> webmOnly.probe(clip, 0));
        }

        @Test
        @DisplayName("more streams than max_streams (INVALID_MEDIA)")
        void tooManyStreams() {
            Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "two-streams");
            Prober oneStream = new Prober(Limits.builder().maxStreams(1).build());
            assertRefused(ErrorCode.INVALID_MEDIA, 2, () -> oneStream.probe(clip, 2));
            assertTrue(new Prober(Limits.builder().maxStreams(2).build())
                    .probe(clip, 2)
                    .hasAudio());
        }

        @Test
        @DisplayName("audio without video (INVALID_MEDIA)")
        void audioOnly() throws Exception {
            Path file = dir.resolve("sound.m4a");
            try (FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(file.toFile(), 1)) {
                recorder.setFormat("mp4");
                recorder.setAudioCodecName("aac");
                recorder.setSampleRate(48_000);
                recorder.start();
                recorder.recordSamples(48_000, 1, ShortBuffer.allocate(48_000));
                recorder.stop();
            }
            assertRefused(ErrorCode.INVALID_MEDIA, 3, () -> PROBER.probe(file, 3));
        }

        @Test
        @DisplayName("a playlist pointing at a URL never makes FFmpeg connect, even with the HLS demuxer allowed")
        void playlistCannotReachNetwork() throws IOException {
            try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
                Path file = write("remote.mp4", """
                        #EXTM3U
                        #EXT-X-VERSION:3
                        #EXT-X-TARGETDURATION:2
                        #EXTINF:2.0,
                        http://127.0.0.1:%d/segment.ts
                        #EXT-X-ENDLIST
                        """.formatted(server.getLocalPort()));
                Set<String> withHls = new HashSet<>(Limits.DEFAULT_CONTAINERS);
                withHls.add("hls");
                Prober lax =
                        new Prober(Limits.builder().allowedContainers(withHls).build());
                assertRefused(ErrorCode.INVALID_MEDIA, 0, () -> lax.probe(file, 0));
                // The probe has returned: a connection it made would already wait in the backlog.
                server.setSoTimeout(100);
                assertThrows(SocketTimeoutException.class, server::accept, "FFmpeg connected to the URL");
            }
        }

        private Path write(String name, String text) throws IOException {
            return Files.writeString(dir.resolve(name), text);
        }
    }

    private void assertRefused(ErrorCode code, int index, org.junit.jupiter.api.function.Executable probe) {
        MediaException e = assertThrows(MediaException.class, probe);
        assertAll(
                () -> assertEquals(code, e.code(), e.getMessage()),
                () -> assertEquals(index, e.inputIndex().orElseThrow()),
                () -> assertFalse(e.isRetryable()),
                () -> assertFalse(e.getMessage().contains(dir.toString()), "path in: " + e.getMessage()),
                () -> assertFalse(e.getMessage().contains("/"), "path-like text in: " + e.getMessage()),
                () -> assertFalse(
                        e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("ffmpeg"), e.getMessage()),
                () -> assertFalse(e.getMessage().contains("Exception"), e.getMessage()));
    }

    private static Set<String> without(Set<String> names, String name) {
        Set<String> copy = new HashSet<>(names);
        copy.remove(name);
        return copy;
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
