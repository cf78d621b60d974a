package io.videomerge.internal.encode;

import static java.util.Objects.requireNonNull;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;

import io.videomerge.Canvas;
import java.util.Map;

/**
 * The H.264 encoder and its settings for a canvas: libx264 (preset veryfast, constant quality) when the
 * GPL build of the natives is on the classpath, otherwise libopenh264 at a bitrate that grows with the
 * canvas.
 *
 * @param encoder libavcodec encoder name
 * @param bitRate target bits per second, 0 for constant quality
 * @param options encoder private options
 */
record VideoEncoding(String encoder, long bitRate, Map<String, String> options) {
    static final String X264 = "libx264";
    static final String OPENH264 = "libopenh264";

    VideoEncoding {
        requireNonNull(encoder, "encoder");
        options = Map.copyOf(requireNonNull(options, "options"));
    }

    /** The settings for {@code canvas} with the best H.264 encoder the natives offer. */
    static VideoEncoding forCanvas(Canvas canvas) {
        int shortSide = Math.min(canvas.width(), canvas.height());
        if (avcodec_find_encoder_by_name(X264) != null) {
            return new VideoEncoding(X264, 0, Map.of("preset", "veryfast", "crf", crf(shortSide)));
        }
        if (avcodec_find_encoder_by_name(OPENH264) != null) {
            return new VideoEncoding(OPENH264, bitRate(shortSide), Map.of());
        }
        throw new IllegalStateException("the FFmpeg natives have no H.264 encoder (libx264 or libopenh264)");
    }

    private static String crf(int shortSide) {
        if (shortSide <= 720) {
            return "23";
        }
        return shortSide <= 1080 ? "22" : "21";
    }

    private static long bitRate(int shortSide) {
        if (shortSide <= 480) {
            return 1_500_000;
        }
        if (shortSide <= 720) {
            return 3_000_000;
        }
        return shortSide <= 1080 ? 6_000_000 : 20_000_000;
    }
}
