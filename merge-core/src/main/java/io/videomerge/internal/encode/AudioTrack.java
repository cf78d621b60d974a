package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_compare;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_copy;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_uninit;
import static org.bytedeco.ffmpeg.global.swresample.swr_alloc_set_opts2;
import static org.bytedeco.ffmpeg.global.swresample.swr_convert;
import static org.bytedeco.ffmpeg.global.swresample.swr_free;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_delay;
import static org.bytedeco.ffmpeg.global.swresample.swr_get_out_samples;
import static org.bytedeco.ffmpeg.global.swresample.swr_init;

import io.videomerge.ErrorCode;
import io.videomerge.MediaException;
import io.videomerge.internal.plan.Plan;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avutil.AVChannelLayout;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.swresample.SwrContext;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One clip's audio on its own timeline, as stereo float samples at {@link Plan#SAMPLE_RATE}: decoded frames are
 * resampled into a FIFO that reads consume in order.
 *
 * <p>The resampler is set up for the format of the frame in front of it: when a frame arrives with another
 * channel layout, sample rate or sample format (a TV recording switching from 5.1 to stereo, a stream changing
 * rate), the old resampler is drained into the FIFO and a new one is made. Handing a resampler frames of a
 * format it was not made for reads past their buffers. Each frame is placed at its timestamp: a gap (a packet
 * skipped as undecodable) becomes silence and an overlap is dropped, so the audio never drifts from the video.
 */
final class AudioTrack implements AutoCloseable {
    /** Timestamp disagreement, in output samples, below which samples simply follow one another (5 ms). */
    private static final int ALIGN_TOLERANCE = Plan.SAMPLE_RATE / 200;

    private final int index;
    private SwrContext resampler;
    private final AVChannelLayout inLayout = new AVChannelLayout();
    private int inRate;
    private int inFormat = -1;
    private FloatPointer[] resampled;
    private int resampledCapacity;
    private float[][] fifo = new float[Plan.CHANNELS][Plan.SAMPLE_RATE];
    private long fifoStart;
    private int fifoLength;
    private boolean started;
    private int skip;

    AudioTrack(int index) {
        this.index = index;
    }

    /** Whether a frame has arrived yet. */
    boolean started() {
        return started;
    }

    /** The sample position just past the last one buffered. */
    long end() {
        return fifoStart + fifoLength;
    }

    /** Resamples {@code frame}, decoded for {@code seconds} on the clip's timeline (NaN when unknown), into the FIFO. */
    void add(AVFrame frame, double seconds) {
        if (resampler == null || !sameFormat(frame)) {
            drain();
            open(frame);
        }
        if (!Double.isNaN(seconds)) {
            long at = Math.round(seconds * Plan.SAMPLE_RATE);
            if (!started) {
                fifoStart = at;
                fifoLength = 0;
            } else {
                align(at);
            }
        }
        started = true;
        convert(frame);
    }

    /** Drains the resampler at the end of the clip. */
    void finish() {
        drain();
    }

    /**
     * Writes samples {@code [from, from + count)} of the clip's timeline into {@code left} and {@code right} from
     * offset 0, silence where nothing was decoded, then forgets everything before {@code from + count}.
     */
    void read(long from, int count, float[] left, float[] right) {
        Arrays.fill(left, 0, count, 0f);
        Arrays.fill(right, 0, count, 0f);
        long end = from + count;
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

    /** Places the next frame's first sample at {@code at}: silence fills a gap, an overlap is skipped. */
    private void align(long at) {
        long expected = end() + (resampler == null ? 0 : swr_get_delay(resampler, Plan.SAMPLE_RATE)) - skip;
        long gap = at - expected;
        if (gap > ALIGN_TOLERANCE) {
            int silence = (int) Math.min(gap, Plan.SAMPLE_RATE * 10L);
            ensureFifo(fifoLength + silence);
            Arrays.fill(fifo[0], fifoLength, fifoLength + silence, 0f);
            Arrays.fill(fifo[1], fifoLength, fifoLength + silence, 0f);
            fifoLength += silence;
        } else if (-gap > ALIGN_TOLERANCE) {
            skip += (int) Math.min(-gap, Plan.SAMPLE_RATE * 10L);
        }
    }

    private boolean sameFormat(AVFrame frame) {
        return frame.sample_rate() == inRate
                && frame.format() == inFormat
                && av_channel_layout_compare(frame.ch_layout(), inLayout) == 0;
    }

    private void open(AVFrame frame) {
        closeResampler();
        av_channel_layout_uninit(inLayout);
        if (av_channel_layout_copy(inLayout, frame.ch_layout()) < 0) {
            throw unreadable();
        }
        inRate = frame.sample_rate();
        inFormat = frame.format();
        AVChannelLayout outLayout = new AVChannelLayout();
        av_channel_layout_default(outLayout, Plan.CHANNELS);
        AVChannelLayout source = inLayout;
        AVChannelLayout fallback = null;
        if (inLayout.order() == 0 /* AV_CHANNEL_ORDER_UNSPEC */) {
            // An unordered layout names no speakers: mix it as the default layout of its channel count.
            fallback = new AVChannelLayout();
            av_channel_layout_default(fallback, inLayout.nb_channels());
            source = fallback;
        }
        resampler = new SwrContext(null);
        int ret = swr_alloc_set_opts2(
                resampler, outLayout, AV_SAMPLE_FMT_FLTP, Plan.SAMPLE_RATE, source, inFormat, inRate, 0, null);
        av_channel_layout_uninit(outLayout);
        outLayout.close();
        if (fallback != null) {
            av_channel_layout_uninit(fallback);
            fallback.close();
        }
        if (ret < 0 || swr_init(resampler) < 0) {
            throw unreadable();
        }
    }

    /** Flushes what the resampler still holds (its filter delay) into the FIFO. */
    private void drain() {
        if (resampler != null) {
            convert(null);
        }
    }

    private void convert(AVFrame in) {
        int inSamples = in == null ? 0 : in.nb_samples();
        int capacity = swr_get_out_samples(resampler, inSamples);
        if (capacity <= 0) {
            return;
        }
        if (capacity > resampledCapacity) {
            closeBuffers();
            resampledCapacity = capacity;
            resampled = new FloatPointer[] {new FloatPointer(capacity), new FloatPointer(capacity)};
        }
        int produced;
        try (PointerPointer<FloatPointer> out = new PointerPointer<>(resampled[0], resampled[1])) {
            produced = in == null
                    ? swr_convert(resampler, out, capacity, null, 0)
                    : swr_convert(resampler, out, capacity, in.extended_data(), inSamples);
        }
        if (produced < 0) {
            throw unreadable();
        }
        int dropped = Math.min(skip, produced);
        skip -= dropped;
        int kept = produced - dropped;
        ensureFifo(fifoLength + kept);
        resampled[0].position(dropped).get(fifo[0], fifoLength, kept);
        resampled[1].position(dropped).get(fifo[1], fifoLength, kept);
        fifoLength += kept;
    }

    private MediaException unreadable() {
        return new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " has unreadable audio", index);
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

    private void closeResampler() {
        if (resampler != null) {
            swr_free(resampler);
            resampler = null;
        }
    }

    private void closeBuffers() {
        if (resampled != null) {
            for (FloatPointer p : resampled) {
                p.close();
            }
            resampled = null;
            resampledCapacity = 0;
        }
    }

    @Override
    public void close() {
        closeResampler();
        closeBuffers();
        av_channel_layout_uninit(inLayout);
        inLayout.close();
    }
}
