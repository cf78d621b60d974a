package io.videomerge.internal.plan;

import static java.util.Objects.requireNonNull;

import io.videomerge.Canvas;
import io.videomerge.Fit;
import io.videomerge.MergeRequest;
import io.videomerge.Transition;
import io.videomerge.internal.probe.ClipInfo;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns probed clips and a request into a {@link Plan}.
 *
 * <p>A merge is a stream copy when the transition is a cut and every clip is H.264 yuv420p at exactly
 * the canvas size with square pixels, no rotation and a constant frame rate, with AAC stereo audio, and
 * all clips agree on codec profile, frame rate, time base and audio sample rate. Anything else is
 * re-encoded: the packets of clips that differ in any of these cannot be joined into one valid stream.
 *
 * <p>A fade longer than half the shortest clip would make three clips overlap; it is shortened to that
 * half (and the output duration follows from the shortened fade).
 */
public final class Planner {
    private static final double FRAME_RATE_TOLERANCE = 0.01;

    private Planner() {}

    /** The plan for {@code clips} (in request order) under {@code request}. */
    public static Plan plan(List<ClipInfo> clips, MergeRequest request) {
        requireNonNull(clips, "clips");
        requireNonNull(request, "request");
        if (clips.isEmpty()) {
            throw new IllegalArgumentException("no clips to plan");
        }
        Canvas canvas = request.canvas();
        double fade = fadeSeconds(clips, request.transition());
        boolean copy = fade == 0 && streamCopyPossible(clips, canvas);
        List<ClipPlan> plans = new ArrayList<>(clips.size());
        for (int i = 0; i < clips.size(); i++) {
            ClipInfo clip = clips.get(i);
            if (clip.index() != i) {
                throw new IllegalArgumentException("clip " + i + " has index " + clip.index());
            }
            plans.add(clipPlan(clip, canvas, request.fit()));
        }
        return new Plan(canvas, plans, fade, copy);
    }

    static double fadeSeconds(List<ClipInfo> clips, Transition transition) {
        if (transition.kind() == Transition.Kind.NONE || clips.size() < 2) {
            return 0;
        }
        double shortest =
                clips.stream().mapToDouble(ClipInfo::durationSeconds).min().orElseThrow();
        return Math.min(transition.seconds(), shortest / 2);
    }

    static ClipPlan clipPlan(ClipInfo clip, Canvas canvas, Fit fit) {
        int rotation = ((clip.rotation() % 360) + 360) % 360;
        int[] size = scaledSize(clip.width(), clip.height(), clip.sarNum(), clip.sarDen(), rotation, canvas, fit);
        return new ClipPlan(
                clip.index(),
                clip.startSeconds(),
                clip.durationSeconds(),
                rotation,
                size[0],
                size[1],
                canvas,
                fit,
                clip.hasAudio());
    }

    /**
     * The even size a picture of {@code width x height} coded pixels with sample aspect ratio {@code sarNum:sarDen}
     * (unknown when not positive: square) is scaled to, upright after {@code rotation}, to fit or cover the canvas.
     */
    static int[] scaledSize(int width, int height, int sarNum, int sarDen, int rotation, Canvas canvas, Fit fit) {
        double sar = sarNum > 0 && sarDen > 0 ? (double) sarNum / sarDen : 1.0;
        // The sample aspect ratio stretches the coded width; rotation then swaps the displayed sides.
        double codedDisplayWidth = width * sar;
        double displayWidth = rotation % 180 == 0 ? codedDisplayWidth : height;
        double displayHeight = rotation % 180 == 0 ? height : codedDisplayWidth;
        double scaleX = canvas.width() / displayWidth;
        double scaleY = canvas.height() / displayHeight;
        int w;
        int h;
        if (fit == Fit.PAD) {
            double s = Math.min(scaleX, scaleY);
            w = Math.min(canvas.width(), even(displayWidth * s));
            h = Math.min(canvas.height(), even(displayHeight * s));
        } else {
            double s = Math.max(scaleX, scaleY);
            w = Math.max(canvas.width(), even(displayWidth * s));
            h = Math.max(canvas.height(), even(displayHeight * s));
        }
        return new int[] {w, h};
    }

    private static int even(double value) {
        return Math.max(2, 2 * (int) Math.round(value / 2));
    }

    static boolean streamCopyPossible(List<ClipInfo> clips, Canvas canvas) {
        ClipInfo first = clips.get(0);
        for (ClipInfo clip : clips) {
            if (!matchesTarget(clip, canvas) || !sameParameters(first, clip)) {
                return false;
            }
        }
        return true;
    }

    private static boolean matchesTarget(ClipInfo clip, Canvas canvas) {
        return "h264".equals(clip.videoCodec())
                && "yuv420p".equals(clip.pixelFormat())
                && clip.width() == canvas.width()
                && clip.height() == canvas.height()
                && clip.rotation() % 360 == 0
                && clip.sarNum() == clip.sarDen()
                && !clip.variableFrameRate()
                && clip.hasAudio()
                && "aac".equals(clip.audioCodec())
                && clip.channels() == Plan.CHANNELS;
    }

    private static boolean sameParameters(ClipInfo a, ClipInfo b) {
        return a.videoProfile() == b.videoProfile()
                && Math.abs(a.frameRate() - b.frameRate()) < FRAME_RATE_TOLERANCE
                && (long) a.videoTimeBaseNum() * b.videoTimeBaseDen()
                        == (long) b.videoTimeBaseNum() * a.videoTimeBaseDen()
                && a.sampleRate() == b.sampleRate();
    }
}
