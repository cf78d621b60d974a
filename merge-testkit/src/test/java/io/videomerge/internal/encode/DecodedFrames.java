package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.swscale.SWS_POINT;
import static org.bytedeco.ffmpeg.global.swscale.sws_freeContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_getContext;
import static org.bytedeco.ffmpeg.global.swscale.sws_scale;

import io.videomerge.Limits;
import io.videomerge.internal.probe.InputOpener;
import io.videomerge.internal.probe.Prober;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swscale.SwsContext;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.PointerPointer;

/** The video frames of a clip as the merge's own decoder delivers them, each a reference the holder frees. */
final class DecodedFrames implements AutoCloseable {
    private final List<AVFrame> frames = new ArrayList<>();

    private DecodedFrames() {}

    /** Decodes the first {@code max} video frames of {@code clip} with {@link ClipDecoder}. */
    static DecodedFrames of(Path clip, int max) {
        Limits limits = Limits.defaults();
        Prober.Inspection inspection = new Prober(limits).inspect(clip, 0);
        DecodedFrames decoded = new DecodedFrames();
        try (ClipDecoder decoder = new ClipDecoder(
                new InputOpener(limits).open(clip, inspection),
                limits.maxUndecodableShare(),
                inspection.info().startSeconds())) {
            ClipDecoder.Sink sink = new ClipDecoder.Sink() {
                @Override
                public void video(AVFrame frame, double seconds) {
                    if (decoded.frames.size() < max) {
                        decoded.frames.add(av_frame_clone(frame));
                    }
                }

                @Override
                public void audio(AVFrame frame, double seconds) {}
            };
            while (decoded.frames.size() < max && decoder.pump(sink)) {
                // decode on
            }
        }
        return decoded;
    }

    List<AVFrame> frames() {
        return frames;
    }

    AVFrame get(int i) {
        return frames.get(i);
    }

    /** A new frame with {@code frame}'s pictures converted to {@code pixelFormat}, same size; the caller frees it. */
    static AVFrame converted(AVFrame frame, int pixelFormat) {
        AVFrame out = av_frame_alloc();
        out.width(frame.width());
        out.height(frame.height());
        out.format(pixelFormat);
        out.sample_aspect_ratio(frame.sample_aspect_ratio());
        out.color_range(frame.color_range());
        if (av_frame_get_buffer(out, 0) < 0) {
            throw new IllegalStateException("no buffer");
        }
        SwsContext sws = sws_getContext(
                frame.width(),
                frame.height(),
                frame.format(),
                out.width(),
                out.height(),
                pixelFormat,
                SWS_POINT,
                null,
                null,
                (DoublePointer) null);
        try {
            sws_scale(
                    sws,
                    new PointerPointer<>(frame.data(0), frame.data(1), frame.data(2)),
                    frame.linesize(),
                    0,
                    frame.height(),
                    new PointerPointer<>(out.data(0), out.data(1), out.data(2)),
                    out.linesize());
        } finally {
            sws_freeContext(sws);
        }
        return out;
    }

    /** The sample at column {@code x}, row {@code y} of plane {@code plane}. */
    static int sample(AVFrame frame, int plane, int x, int y) {
        BytePointer data = frame.data(plane);
        return data.get((long) y * frame.linesize(plane) + x) & 0xff;
    }

    /** Whether planes 0 to 2 of two frames of {@code width x height} (4:2:0 chroma) hold the same samples. */
    static boolean samePixels(AVFrame a, AVFrame b, int width, int height) {
        for (int p = 0; p < 3; p++) {
            int w = p == 0 ? width : width / 2;
            int h = p == 0 ? height : height / 2;
            byte[] rowA = new byte[w];
            byte[] rowB = new byte[w];
            for (int y = 0; y < h; y++) {
                a.data(p).position((long) y * a.linesize(p)).get(rowA, 0, w);
                b.data(p).position((long) y * b.linesize(p)).get(rowB, 0, w);
                a.data(p).position(0);
                b.data(p).position(0);
                if (!java.util.Arrays.equals(rowA, rowB)) {
                    return false;
                }
            }
        }
        return true;
    }

    @Override
    public void close() {
        for (AVFrame f : frames) {
            av_frame_free(f);
        }
        frames.clear();
    }
}
