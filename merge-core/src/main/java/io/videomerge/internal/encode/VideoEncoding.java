package io.videomerge.internal.encode;

import static java.util.Objects.requireNonNull;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;

import io.videomerge.Canvas;
import io.videomerge.Speed;
import java.util.Map;

/**
 * The H.264 encoder and its settings for a canvas and a {@link Speed}: libx264 (a preset and a constant quality)
 * when the GPL build of the natives is on the classpath, otherwise libopenh264 at a bit rate that grows with the
 * canvas. {@link Speed#FAST} is what every merge used before speeds existed: libx264 preset veryfast, or
 * libopenh264 Constrained Baseline at the full bit rate.
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

    /** The settings for {@code canvas} at {@code speed} with the best H.264 encoder the natives offer. */
    static VideoEncoding forCanvas(Canvas canvas, Speed speed) {
        if (avcodec_find_encoder_by_name(X264) != null) {
            return of(X264, canvas, speed);
        }
        if (avcodec_find_encoder_by_name(OPENH264) != null) {
            return of(OPENH264, canvas, speed);
        }
        throw new IllegalStateException("the FFmpeg natives have no H.264 encoder (libx264 or libopenh264)");
    }

    /**
     * The settings of {@code encoder} ({@link #X264} or {@link #OPENH264}) for {@code canvas} at {@code speed},
     * whether or not the natives have it.
     */
    static VideoEncoding of(String encoder, Canvas canvas, Speed speed) {
        requireNonNull(speed, "speed");
        int shortSide = Math.min(canvas.width(), canvas.height());
        return switch (encoder) {
            case X264 -> new VideoEncoding(X264, 0, Map.of("preset", preset(speed), "crf", crf(shortSide, speed)));
            case OPENH264 -> new VideoEncoding(OPENH264, bitRate(shortSide, speed), openh264Options(speed));
            default -> throw new IllegalArgumentException("not an H.264 encoder of this library: " + encoder);
        };
    }

    /** Slower presets search harder for the same picture in fewer bits. */
    private static String preset(Speed speed) {
        return switch (speed) {
            case FAST -> "veryfast";
            case BALANCED -> "faster";
            case SMALL -> "slow";
        };
    }

    private static String crf(int shortSide, Speed speed) {
        int base;
        if (shortSide <= 720) {
            base = 23;
        } else {
            base = shortSide <= 1080 ? 22 : 21;
        }
        // Measured on the benchmark corpus (benchmarks/NOTES.md): a slower preset at the same CRF spends its time on
        // a better picture in more bits, so balanced and small raise the CRF to turn that time into smaller files at
        // about fast's picture quality (SSIM).
        return Integer.toString(
                switch (speed) {
                    case FAST -> base;
                    case BALANCED -> base + 1;
                    case SMALL -> base + 2;
                });
    }

    private static long bitRate(int shortSide, Speed speed) {
        long full;
        if (shortSide <= 480) {
            full = 1_500_000;
        } else if (shortSide <= 720) {
            full = 3_000_000;
        } else {
            full = shortSide <= 1080 ? 6_000_000 : 20_000_000;
        }
        return switch (speed) {
            case FAST -> full;
            case BALANCED -> full * 4 / 5;
            case SMALL -> full * 3 / 5;
        };
    }

    /**
     * openh264 has no preset: FFmpeg's wrapper exposes no complexity mode. What it offers that spends time for bits
     * is the High profile, whose CABAC entropy coding carries the same picture in fewer bits than Constrained
     * Baseline's CAVLC, so the lower bit rates below keep most of the picture quality.
     */
    private static Map<String, String> openh264Options(Speed speed) {
        return speed == Speed.FAST ? Map.of() : Map.of("profile", "high");
    }
}
