package io.videomerge.testing;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.PointerPointer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each mutation, and each new kind of generated clip, checked by opening the file with libavformat. */
@DisplayName("Mutated and unusual test clips are what they claim")
class ClipMutationsTest {
    @TempDir
    Path dir;

    /** What libavformat says about a file: its header duration and start, and where its packets end. */
    private record Opened(
            long headerMicros, double startSeconds, double lastPacketEnd, double indexedSeconds, boolean readError) {
        static Opened of(Path file) {
            AVFormatContext fmt = avformat.avformat_alloc_context();
            assertTrue(avformat.avformat_open_input(fmt, "file:" + file.toAbsolutePath(), null, null) >= 0);
            AVPacket pkt = avcodec.av_packet_alloc();
            try {
                assertTrue(avformat.avformat_find_stream_info(fmt, (PointerPointer<?>) null) >= 0);
                int video = avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
                AVStream st = fmt.streams(video);
                double indexed = st.duration() == avutil.AV_NOPTS_VALUE()
                        ? Double.NaN
                        : (st.start_time() + st.duration()) * avutil.av_q2d(st.time_base());
                double end = Double.NaN;
                int ret;
                while ((ret = avformat.av_read_frame(fmt, pkt)) >= 0) {
                    if (pkt.stream_index() == video) {
                        end = (pkt.pts() + pkt.duration()) * avutil.av_q2d(st.time_base());
                    }
                    avcodec.av_packet_unref(pkt);
                }
                return new Opened(fmt.duration(), fmt.start_time() / 1e6, end, indexed, ret != avutil.AVERROR_EOF());
            } finally {
                avcodec.av_packet_free(pkt);
                avformat.avformat_close_input(fmt);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = ClipSpec.Format.class,
            names = {"MKV_H264_AAC", "WEBM_VP8_OPUS"})
    @DisplayName("a Matroska header claims the duration written, while the packets still end at 2 s")
    void claimedDuration(ClipSpec.Format format) {
        Path file = ClipGenerator.write(ClipSpec.defaults().withFormat(format), dir, "claim");
        ClipMutations.claimDuration(file, 600);
        Opened opened = Opened.of(file);
        assertAll(
                () -> assertEquals(600_000_000L, opened.headerMicros()),
                () -> assertEquals(2.0, opened.lastPacketEnd(), 0.05));
    }

    @Test
    @DisplayName("a Matroska header without its Duration states no length, and the file still plays to its end")
    void strippedDuration() {
        Path file = ClipGenerator.write(ClipSpec.defaults().withFormat(ClipSpec.Format.WEBM_VP8_OPUS), dir, "live");
        ClipMutations.stripDuration(file);
        Opened opened = Opened.of(file);
        assertAll(
                () -> assertEquals(avutil.AV_NOPTS_VALUE(), opened.headerMicros()),
                () -> assertEquals(2.0, opened.lastPacketEnd(), 0.05));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = ClipSpec.Format.class,
            names = {"MKV_H264_AAC", "WEBM_VP9_OPUS"})
    @DisplayName("a clip with a start offset starts 3 s into its container's timeline")
    void startOffset(ClipSpec.Format format) {
        Path file = ClipGenerator.write(ClipSpec.defaults().withFormat(format).withStart(3), dir, "late");
        Opened opened = Opened.of(file);
        assertAll(
                () -> assertEquals(3.0, opened.startSeconds(), 0.03),
                () -> assertEquals(5.0, opened.lastPacketEnd(), 0.05));
    }

    @Test
    @DisplayName("a cut MP4 keeps an index listing 4 s while its packets stop at the share kept")
    void truncatedMp4() throws IOException {
        Path file = ClipGenerator.write(ClipSpec.defaults().withDuration(4), dir, "cut");
        long whole = Files.size(file);
        ClipMutations.truncateMediaData(file, 0.7);
        Opened opened = Opened.of(file);
        assertAll(
                () -> assertTrue(Files.size(file) < whole),
                () -> assertEquals(4.0, opened.indexedSeconds(), 0.05),
                () -> assertTrue(opened.lastPacketEnd() < 3.3, "packets end at " + opened.lastPacketEnd()),
                () -> assertTrue(opened.lastPacketEnd() > 2.0, "packets end at " + opened.lastPacketEnd()));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(
            value = ClipSpec.Format.class,
            names = {"MP4_AV1_AAC", "WEBM_AV1_OPUS"})
    @DisplayName("an AV1 clip is AV1 and decodes cleanly with its flash and beep in place")
    void av1(ClipSpec.Format format) {
        ClipSpec spec = ClipSpec.defaults().withFormat(format).withEvents(0.8);
        ClipAnalyzer clip = ClipAnalyzer.analyze(ClipGenerator.write(spec, dir, "av1"));
        assertAll(
                () -> assertEquals("av1", clip.info().videoCodec()),
                () -> assertEquals(spec.frameCount(), clip.frameCount()),
                () -> assertTrue(clip.decodedCleanly()),
                () -> assertEquals(0.8, clip.flashInstants().get(0), 0.04),
                () -> assertEquals(0.8, clip.beepInstants().get(0), 0.04));
    }
}
