package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import io.videomerge.ErrorCode;
import io.videomerge.MediaException;
import io.videomerge.internal.plan.ClipPlan;
import io.videomerge.internal.plan.Plan;
import java.util.ArrayDeque;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameGrabber;

/**
 * Reads one clip on its own timeline (seconds from the container's start): the canvas-sized frame to
 * show at a time, and its audio as stereo float samples at the output rate, silence where it has none.
 *
 * <p>Frames are decoded in the decoder's pixel format and filtered only when they are shown; audio and
 * video are demuxed together, so whichever is asked for first buffers the other until it is read
 * (bounded by the file's interleaving).
 */
final class ClipReader implements AutoCloseable {
    private static final double HALF_OUTPUT_FRAME = 0.5 / Plan.FRAME_RATE;
    private static final double TRUNCATION_TOLERANCE_SECONDS = 1.0;
    private static final double TRUNCATION_TOLERANCE_SHARE = 0.1;

    private final int index;
    private final FFmpegFrameGrabber grabber;
    private final VideoFilter filter;
    private final boolean useAudio;
    private final long originMicros;
    private final ArrayDeque<Decoded> videoQueue = new ArrayDeque<>();
    private boolean endOfFile;
    private int videoStream = -1;
    private double lastVideoSeconds = Double.NEGATIVE_INFINITY;

    private Decoded current;
    private Decoded pending;
    private AVFrame shown;

    private SwrContext resampler;
    private FloatPointer[] resampled;
    private int resampledCapacity;
    private float[][] fifo = new float[Plan.CHANNELS][Plan.SAMPLE_RATE];
    private long fifoStart;
    private int fifoLength;
    private boolean audioStarted;

    private record Decoded(AVFrame frame, double seconds) {
    }

    ClipReader(FFmpegFrameGrabber grabber, ClipPlan plan, int filterThreads) {
        this.index = plan.index();
        this.grabber = grabber;
        this.filter = new VideoFilter(plan.videoFilter(), filterThreads);
        this.useAudio = plan.hasAudio() && grabber.hasAudio();
        // Decoded frames as the decoder made them: no conversion to BGR behind our back.
        grabber.setImageMode(FrameGrabber.ImageMode.RAW);
        long start = grabber.getFormatContext().start_time();
        this.originMicros = start == AV_NOPTS_VALUE ? 0 : start;
    }

    /**
     * The canvas-sized frame shown at {@code seconds} on this clip's timeline: the decoded frame whose
     * timestamp is nearest (the first before the clip's first frame, the last after its last). The
     * frame stays owned by this reader and valid until the next call.
     */
    AVFrame videoAt(double seconds) {
        double limit = seconds + HALF_OUTPUT_FRAME - 1e-9;
        while (true) {
            if (pending == null) {
                pending = nextVideo();
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
            } catch (IllegalStateException e) {
                throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " could not be decoded", index, e);
            }
        }
        return shown;
    }

    /**
     * Writes this clip's audio for samples {@code [from, from + count)} of its timeline (at the output
     * rate) into {@code left} and {@code right} from offset 0; silence where the clip has no audio. Reads
     * must move forward: samples before the last read's end are gone.
     */
    void audio(long from, int count, float[] left, float[] right) {
        Arrays.fill(left, 0, count, 0f);
        Arrays.fill(right, 0, count, 0f);
        if (!useAudio) {
            return;
        }
        long end = from + count;
        while (!endOfFile && (!audioStarted || fifoStart + fifoLength < end)) {
            pump();
        }
        long copyFrom = Math.max(from, fifoStart);
        long copyTo = Math.min(end, fifoStart + fifoLength);
        if (copyTo > copyFrom) {
            int src = (int) (copyFrom - fifoStart);
            int dst = (int) (copyFrom - from);
            int n = (int) (copyTo - copyFrom);
            System.arraycopy(fifo[0], src, left, dst, n);
            System.arraycopy(fifo[1], src, right, dst, n);
        }
        discardBefore(end);
    }

    private Decoded nextVideo() {
        while (videoQueue.isEmpty() && !endOfFile) {
            pump();
        }
        return videoQueue.poll();
    }

    /** Demuxes and decodes one frame of either kind; at the end of the file, drains the resampler. */
    private void pump() {
        Frame frame;
        try {
            frame = grabber.grabFrame(useAudio, true, true, false, false);
        } catch (FrameGrabber.Exception e) {
            throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " could not be decoded", index, e);
        }
        if (frame == null) {
            endOfFile = true;
            if (resampler != null) {
                resample(null);
            }
            requireComplete();
            return;
        }
        if (!(frame.opaque instanceof AVFrame decoded)) {
            return;
        }
        AVFormatContext format = grabber.getFormatContext();
        AVRational timeBase = format.streams(frame.streamIndex).time_base();
        long pts = decoded.best_effort_timestamp();
        if (frame.type == Frame.Type.VIDEO) {
            double seconds;
            if (pts == AV_NOPTS_VALUE) {
                Decoded last = videoQueue.peekLast() != null ? videoQueue.peekLast() : pending != null ? pending : current;
                seconds = last == null ? 0 : last.seconds() + 1.0 / Math.max(1, grabber.getVideoFrameRate());
            } else {
                seconds = pts * (double) timeBase.num() / timeBase.den() - originMicros / 1e6;
            }
            videoStream = frame.streamIndex;
            lastVideoSeconds = Math.max(lastVideoSeconds, seconds);
            videoQueue.add(new Decoded(av_frame_clone(decoded), seconds));
        } else if (frame.type == Frame.Type.AUDIO && useAudio) {
            if (!audioStarted) {
                double seconds = pts == AV_NOPTS_VALUE ? 0
                        : pts * (double) timeBase.num() / timeBase.den() - originMicros / 1e6;
                fifoStart = Math.round(seconds * Plan.SAMPLE_RATE);
                fifoLength = 0;
                audioStarted = true;
            }
            resample(decoded);
        }
    }

    /**
     * JavaCV ends a stream quietly when packets stop decoding; a video that stops well before the length
     * its own header states is a truncated or damaged input, not a shorter clip.
     */
    private void requireComplete() {
        if (videoStream < 0) {
            return;
        }
        AVStream stream = grabber.getFormatContext().streams(videoStream);
        if (stream.duration() == AV_NOPTS_VALUE || stream.duration() <= 0) {
            return;
        }
        double stated = (stream.start_time() == AV_NOPTS_VALUE ? 0 : stream.start_time()) * av_q2d(stream.time_base())
                + stream.duration() * av_q2d(stream.time_base()) - originMicros / 1e6;
        double tolerance = Math.max(TRUNCATION_TOLERANCE_SECONDS, stated * TRUNCATION_TOLERANCE_SHARE);
        if (lastVideoSeconds + tolerance < stated) {
            throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " is truncated or partly undecodable",
                    index);
        }
    }

    private void resample(AVFrame in) {
        if (resampler == null) {
            if (in == null) {
                return;
            }
            openResampler(in);
        }
        int inSamples = in == null ? 0 : in.nb_samples();
        int capacity = swr_get_out_samples(resampler, inSamples);
        if (capacity <= 0) {
            return;
        }
        if (capacity > resampledCapacity) {
            resampledCapacity = capacity;
            resampled = new FloatPointer[] {new FloatPointer(capacity), new FloatPointer(capacity)};
        }
        int produced;
        try (PointerPointer<FloatPointer> out = new PointerPointer<>(resampled[0], resampled[1])) {
            if (in == null) {
                produced = swr_convert(resampler, out, capacity, null, 0);
            } else {
                produced = swr_convert(resampler, out, capacity, in.extended_data(), inSamples);
            }
        }
        if (produced < 0) {
            throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " has unreadable audio", index);
        }
        ensureFifo(fifoLength + produced);
        resampled[0].position(0).get(fifo[0], fifoLength, produced);
        resampled[1].position(0).get(fifo[1], fifoLength, produced);
        fifoLength += produced;
    }

    private void openResampler(AVFrame in) {
        AVChannelLayout outLayout = new AVChannelLayout();
        av_channel_layout_default(outLayout, Plan.CHANNELS);
        AVChannelLayout inLayout = in.ch_layout();
        AVChannelLayout fallback = null;
        if (inLayout.nb_channels() <= 0 || inLayout.order() == 0 /* AV_CHANNEL_ORDER_UNSPEC */) {
            fallback = new AVChannelLayout();
            av_channel_layout_default(fallback, Math.max(1, inLayout.nb_channels()));
            inLayout = fallback;
        }
        resampler = new SwrContext(null);
        int ret = swr_alloc_set_opts2(resampler, outLayout, AV_SAMPLE_FMT_FLTP, Plan.SAMPLE_RATE,
                inLayout, in.format(), in.sample_rate(), 0, null);
        av_channel_layout_uninit(outLayout);
        if (fallback != null) {
            av_channel_layout_uninit(fallback);
        }
        if (ret < 0 || swr_init(resampler) < 0) {
            throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " has unreadable audio", index);
        }
    }

    private void ensureFifo(int length) {
        if (length > fifo[0].length) {
            int size = Math.max(length, fifo[0].length * 2);
            fifo[0] = Arrays.copyOf(fifo[0], size);
            fifo[1] = Arrays.copyOf(fifo[1], size);
        }
    }

    private void discardBefore(long position) {
        int drop = (int) Math.min(fifoLength, Math.max(0, position - fifoStart));
        if (drop > 0) {
            System.arraycopy(fifo[0], drop, fifo[0], 0, fifoLength - drop);
            System.arraycopy(fifo[1], drop, fifo[1], 0, fifoLength - drop);
            fifoLength -= drop;
            fifoStart += drop;
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
        while ((queued = videoQueue.poll()) != null) {
            av_frame_free(queued.frame());
        }
        filter.close();
        if (resampler != null) {
            swr_free(resampler);
            resampler = null;
        }
        if (resampled != null) {
            for (FloatPointer p : resampled) {
                p.close();
            }
            resampled = null;
        }
        try {
            grabber.close();
        } catch (FrameGrabber.Exception e) {
            // Closing a file we only read cannot lose data; nothing left to do.
        }
    }
}
