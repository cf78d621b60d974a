package io.videomerge.internal.probe;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import java.util.Locale;

/**
 * What decoding one job's inputs may cost, charged input by input as each is probed, so that a job is refused before
 * a frame of it is decoded: an input whose pixel rate (width × height × frame rate) exceeds
 * {@link Limits#maxDecodedPixelRate()}, and the input at which the pixels of all inputs so far (width × height ×
 * frames, frames = frame rate × the length proven from the packets) exceed {@link Limits#maxDecodedPixelsPerJob()}.
 * Both refusals are {@link ErrorCode#INPUT_TOO_LARGE} naming that input.
 *
 * <p>The frame rate counted ({@link #frameRate}) is the stream's average rate ({@code avg_frame_rate}: frames over
 * time, what a decoder really produces, and right for a variable rate), raised to the rate the probe measured on the
 * packets it read when that is higher (a Matroska {@code DefaultDuration} or an MP4 header sets the average rate, and
 * may claim 1 fps for packets that come at 1000). {@code r_frame_rate} is no cost: for a variable rate it is the
 * grid the timestamps fit on, often just the time base (1000 for Matroska, 600 or 90000 for MP4), and counting it
 * would refuse ordinary phone and browser recordings; it counts only when the stream has neither an average rate nor
 * a measured one, and then as it stands: a stream declaring 1000 fps costs 1000 fps, never 0 (a stream with no
 * positive, finite rate at all is refused by the probe as having none).
 *
 * <p>What the probe cannot see (packets denser in the middle of a file than at the ends it reads) is bounded by the
 * processing deadline ({@link Limits#processingDeadline(double)}), which the encoder enforces while it works.
 *
 * <p>One instance per job; not thread-safe.
 */
public final class DecodeBudget {
    private final long maxRate;
    private final long maxPixels;
    private double pixels;

    /** An empty budget under {@link Limits#maxDecodedPixelRate()} and {@link Limits#maxDecodedPixelsPerJob()}. */
    public DecodeBudget(Limits limits) {
        requireNonNull(limits, "limits");
        this.maxRate = limits.maxDecodedPixelRate();
        this.maxPixels = limits.maxDecodedPixelsPerJob();
    }

    /**
     * Charges the probed input's decoding to the job.
     *
     * @throws MediaException {@link ErrorCode#INPUT_TOO_LARGE} naming the input when its pixel rate is over the
     *         limit, or when it brings the job's pixels over theirs
     */
    public void charge(Prober.Inspection inspection) {
        ClipInfo clip = inspection.info();
        double frameSize = (double) clip.width() * clip.height();
        double fps = inspection.decodedFrameRate();
        double rate = frameSize * fps;
        if (rate > maxRate) {
            throw new MediaException(
                    ErrorCode.INPUT_TOO_LARGE,
                    String.format(
                            Locale.ROOT,
                            "input %d decodes %d x %d pixels at %.1f fps, %s pixels per second, more than the %s"
                                    + " allowed",
                            clip.index(),
                            clip.width(),
                            clip.height(),
                            fps,
                            count(rate),
                            count(maxRate)),
                    clip.index());
        }
        pixels += rate * clip.durationSeconds();
        if (pixels > maxPixels) {
            throw new MediaException(
                    ErrorCode.INPUT_TOO_LARGE,
                    String.format(
                            Locale.ROOT,
                            "the inputs up to input %d decode %s pixels together (width x height x frames), more"
                                    + " than the %s allowed per job",
                            clip.index(),
                            count(pixels),
                            count(maxPixels)),
                    clip.index());
        }
    }

    /**
     * The frames per second a stream costs to decode, by the rule in the class comment.
     *
     * @param average  the stream's {@code avg_frame_rate}, NaN when it has none
     * @param declared the rate the probe reports ({@link ClipInfo#frameRate()}: the average rate, else
     *                 {@code r_frame_rate}, else FFmpeg's guess; positive and finite)
     * @param measured video packets per second among the packets the probe read, NaN when too few were read
     */
    static double frameRate(double average, double declared, double measured) {
        boolean hasMeasure = measured > 0 && !Double.isInfinite(measured);
        if (average > 0 && !Double.isInfinite(average)) {
            return hasMeasure ? Math.max(average, measured) : average;
        }
        return hasMeasure ? measured : declared;
    }

    /** {@code n} for a reader: "503.3 million", "1.2 billion". */
    private static String count(double n) {
        if (n >= 1e12) {
            return String.format(Locale.ROOT, "%.1f trillion", n / 1e12);
        }
        if (n >= 1e9) {
            return String.format(Locale.ROOT, "%.1f billion", n / 1e9);
        }
        if (n >= 1e6) {
            return String.format(Locale.ROOT, "%.1f million", n / 1e6);
        }
        return String.format(Locale.ROOT, "%.0f", n);
    }
}
