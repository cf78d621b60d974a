package io.videomerge.internal.plan;

import static java.util.Objects.requireNonNull;

import io.videomerge.Canvas;
import java.util.List;

/**
 * What a merge does: the canvas, one {@link ClipPlan} per clip in order, the cross-fade length, and
 * whether the merge is a stream copy (packets remuxed, nothing decoded or encoded).
 *
 * <p>The re-encode output is H.264 yuv420p at a constant {@link #FRAME_RATE} fps with AAC stereo at
 * {@link #SAMPLE_RATE} Hz; it lasts {@link #outputSeconds()}.
 *
 * @param canvas      the output size
 * @param clips       the clips in order, at least one
 * @param fadeSeconds the overlap of consecutive clips; 0 for a hard cut
 * @param streamCopy  whether every clip already matches the canvas and the others, and clips join with a cut
 */
public record Plan(Canvas canvas, List<ClipPlan> clips, double fadeSeconds, boolean streamCopy) {
    /** Output frames per second of the re-encode path. */
    public static final int FRAME_RATE = 30;
    /** Output audio sample rate of the re-encode path. */
    public static final int SAMPLE_RATE = 48_000;
    /** Output audio channels of the re-encode path. */
    public static final int CHANNELS = 2;

    public Plan {
        requireNonNull(canvas, "canvas");
        clips = List.copyOf(requireNonNull(clips, "clips"));
        if (clips.isEmpty()) {
            throw new IllegalArgumentException("a plan needs at least one clip");
        }
        if (!(fadeSeconds >= 0) || Double.isInfinite(fadeSeconds)) {
            throw new IllegalArgumentException("fadeSeconds must be finite and >= 0: " + fadeSeconds);
        }
        if (streamCopy && fadeSeconds > 0) {
            throw new IllegalArgumentException("a stream copy cannot cross-fade");
        }
        for (int i = 0; i < clips.size(); i++) {
            ClipPlan clip = clips.get(i);
            if (clip.index() != i) {
                throw new IllegalArgumentException("clip " + i + " has index " + clip.index());
            }
            if (!clip.canvas().equals(canvas)) {
                throw new IllegalArgumentException("clip " + i + " targets another canvas");
            }
            boolean inner = i > 0 && i < clips.size() - 1;
            if (fadeSeconds > 0 && clip.durationSeconds() < (inner ? 2 : 1) * fadeSeconds) {
                throw new IllegalArgumentException("clip " + i + " is shorter than its fades");
            }
        }
    }

    /** The sum of the clips' durations. */
    public double inputSeconds() {
        return clips.stream().mapToDouble(ClipPlan::durationSeconds).sum();
    }

    /** The output's duration: the sum of the clips' durations minus one fade per join. */
    public double outputSeconds() {
        return inputSeconds() - (clips.size() - 1) * fadeSeconds;
    }

    /** Where clip {@code i} starts on the output timeline, in seconds. */
    public double startSeconds(int i) {
        double start = 0;
        for (int j = 0; j < i; j++) {
            start += clips.get(j).durationSeconds() - fadeSeconds;
        }
        return start;
    }
}
