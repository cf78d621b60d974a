package io.videomerge.internal.probe;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Limits;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("SafeOptions")
class SafeOptionsTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("every format-level limit is the value libavformat actually holds after opening")
    void formatOptionsReachTheFormatContext() {
        Limits limits = Limits.builder()
                .maxStreams(7)
                .probeSizeBytes(123_456)
                .analyzeDuration(Duration.ofSeconds(3))
                .allowedContainers(Set.of("mov,mp4,m4a,3gp,3g2,mj2"))
                .allowedDecoders(Set.of("h264", "aac"))
                .build();
        SafeOptions options = new SafeOptions(limits);
        Path clip = ClipGenerator.write(ClipSpec.defaults().withDuration(0.4), dir, "clip");
        AVFormatContext fmt = avformat.avformat_alloc_context();
        AVDictionary dict = SafeOptions.dictionary(options.format());
        try {
            assertEquals(0, avformat.avformat_open_input(fmt, "file:" + clip, null, dict));
            assertAll(
                    () -> assertEquals(0, avutil.av_dict_count(dict), "options FFmpeg did not take"),
                    () -> assertEquals("file", fmt.protocol_whitelist().getString()),
                    () -> assertEquals(
                            "mov,mp4,m4a,3gp,3g2,mj2", fmt.format_whitelist().getString()),
                    () -> assertEquals("aac,h264", fmt.codec_whitelist().getString()),
                    () -> assertEquals(7, fmt.max_streams()),
                    () -> assertEquals(123_456, fmt.probesize()),
                    () -> assertEquals(3_000_000, fmt.max_analyze_duration()));
        } finally {
            avutil.av_dict_free(dict);
            avformat.avformat_close_input(fmt);
        }
    }

    @Test
    @DisplayName("the decoder options carry the whitelist and max_pixels")
    void decoderOptions() {
        SafeOptions options = new SafeOptions(Limits.builder()
                .maxPixels(1920L * 1080)
                .allowedDecoders(Set.of("vp9", "h264"))
                .build());
        assertAll(
                () -> assertEquals("h264,vp9", options.decoder().get("codec_whitelist")),
                () -> assertEquals(
                        Long.toString(1920L * 1080), options.decoder().get("max_pixels")),
                () -> assertTrue(options.allows("vp9")),
                () -> assertTrue(!options.allows("hevc")));
    }
}
