package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;

import io.videomerge.ErrorCode;
import io.videomerge.MediaException;
import io.videomerge.ProcessingException;
import io.videomerge.internal.plan.Plan;
import java.util.ArrayDeque;
import java.util.function.BooleanSupplier;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * One clip's pictures on its own timeline: keeps the decoded frames that may still be shown and answers the
 * canvas-sized frame to show at an instant, filtering a decoded frame only when it is shown.
 */
final class VideoTrack implements AutoCloseable {
    private static final double HALF_OUTPUT_FRAME = 0.5 / Plan.FRAME_RATE;

    private final int index;
    private final VideoFilter filter;
    private final double frameSeconds;
    private final ArrayDeque<Decoded> queue = new ArrayDeque<>();
    private double lastSeconds = Double.NEGATIVE_INFINITY;
    private Decoded current;
    private Decoded pending;
    private AVFrame shown;

    private record Decoded(AVFrame frame, double seconds) {}

    /**
     * @param filter    shapes the decoded frames to the canvas; owned (closed) by this track
     * @param frameRate the clip's frame rate, which places a frame the decoder gave no timestamp
     */
    VideoTrack(int index, VideoFilter filter, double frameRate) {
        this.index = index;
        this.filter = filter;
        this.frameSeconds = 1.0 / Math.max(1, frameRate);
    }

    /** Keeps a reference to {@code frame}, decoded for {@code seconds} (NaN when unknown). */
    void add(AVFrame frame, double seconds) {
        double at = Double.isNaN(seconds) ? (Double.isInfinite(lastSeconds) ? 0 : lastSeconds + frameSeconds) : seconds;
        lastSeconds = Math.max(lastSeconds, at);
        queue.add(new Decoded(av_frame_clone(frame), at));
    }

    /** Whether decoded frames wait to be looked at. */
    boolean hasQueued() {
        return !queue.isEmpty();
    }

    /** Where the latest decoded frame ends (its instant plus one frame), -infinity before the first. */
    double endSeconds() {
        return lastSeconds + frameSeconds;
    }

    /**
     * The canvas-sized frame shown at {@code seconds}: the decoded frame whose timestamp is nearest (the first
     * before the clip's first frame, the last after its last). {@code more} decodes further and answers false at
     * the end of the file. The frame stays owned by this track and valid until the next call.
     */
    AVFrame at(double seconds, BooleanSupplier more) {
        double limit = seconds + HALF_OUTPUT_FRAME - 1e-9;
        while (true) {
            if (pending == null) {
                decodeUntilQueued(more);
                pending = queue.poll();
                if (pending == null) {
                    break;
                }
            }
            if (current != null && pending.seconds() > limit) {
                break;
            }
            if (current != null) {
                av_frame_free(current.frame());
            }
            current = pending;
            pending = null;
            if (shown != null) {
                av_frame_free(shown);
                shown = null;
            }
        }
        if (current == null) {
            throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " has no decodable video", index);
        }
        if (shown == null) {
            try {
                shown = filter.apply(current.frame());
            } catch (ProcessingException e) {
                throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " could not be decoded", index, e);
            }
        }
        return shown;
    }

    private void decodeUntilQueued(BooleanSupplier more) {
        boolean open = true;
        while (queue.isEmpty() && open) {
            open = more.getAsBoolean();
        }
    }

    @Override
    public void close() {
        if (shown != null) {
            av_frame_free(shown);
            shown = null;
        }
        for (Decoded d : new Decoded[] {current, pending}) {
            if (d != null) {
                av_frame_free(d.frame());
            }
        }
        current = null;
        pending = null;
        Decoded queued;
        while ((queued = queue.poll()) != null) {
            av_frame_free(queued.frame());
        }
        filter.close();
    }
}
