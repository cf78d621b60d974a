package io.videomerge.internal.encode;

import static java.util.Objects.requireNonNull;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import io.videomerge.Canvas;
import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.ProcessingException;
import io.videomerge.Speed;
import io.videomerge.internal.plan.ClipPlan;
import io.videomerge.internal.plan.Plan;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.BytePointer;

/**
 * The re-encode path: one pass through the clips in order, each rotated, scaled, padded or cropped to
 * the canvas and sampled at a constant {@link Plan#FRAME_RATE} fps (the decoded frame nearest each
 * output instant), audio resampled to stereo {@link Plan#SAMPLE_RATE} Hz with silence where a clip has
 * none; consecutive clips overlap by the plan's fade (video blended linearly, audio with an
 * equal-power cross-fade), so the output lasts {@link Plan#outputSeconds()}.
 *
 * <p>At most two clips are open at once (the two sides of a fade); nothing else is buffered beyond the
 * frames and samples the demuxer interleaves.
 */
public final class Transcoder {
    private static final double PROGRESS_STEP = 0.01;
    private static final int SAMPLES_PER_FRAME = Plan.SAMPLE_RATE / Plan.FRAME_RATE;

    private final ClipOpener opener;
    private final double maxUndecodableShare;
    private final Speed speed;
    private final int filterThreads;

    /**
     * A transcoder that encodes at {@link Speed#DEFAULT}.
     *
     * @param opener              opens each input for decoding under the media limits
     * @param maxUndecodableShare the share of a stream's packets that may be skipped as undecodable
     *                            ({@link io.videomerge.Limits#maxUndecodableShare()})
     */
    public Transcoder(ClipOpener opener, double maxUndecodableShare) {
        this(opener, maxUndecodableShare, Speed.DEFAULT);
    }

    /**
     * @param opener              opens each input for decoding under the media limits
     * @param maxUndecodableShare the share of a stream's packets that may be skipped as undecodable
     *                            ({@link io.videomerge.Limits#maxUndecodableShare()})
     * @param speed               how the H.264 encoder trades time for size
     */
    public Transcoder(ClipOpener opener, double maxUndecodableShare, Speed speed) {
        this.opener = requireNonNull(opener, "opener");
        this.maxUndecodableShare = maxUndecodableShare;
        this.speed = requireNonNull(speed, "speed");
        this.filterThreads = Math.max(1, Runtime.getRuntime().availableProcessors());
    }

    /**
     * Writes the merged MP4 to {@code output}. On any failure, when the thread is interrupted and when the
     * deadline passes (both checked between frames), the output file is deleted.
     *
     * @param inputs   the local input files, in the plan's clip order
     * @param deadline when the merge must be done
     * @throws MergeException {@link ErrorCode#CANCELLED} on interruption (the interrupt flag stays set),
     *         {@link ErrorCode#PROCESSING_TIMEOUT} once the deadline has passed,
     *         {@link ErrorCode#INVALID_MEDIA} naming the input that could not be decoded,
     *         {@link ErrorCode#STORAGE_FULL} when the disk has no room for the output,
     *         {@link ErrorCode#PROCESSING_FAILED} when encoding failed
     */
    public void transcode(Plan plan, List<Path> inputs, Path output, ProgressListener progress, Deadline deadline) {
        requireNonNull(deadline, "deadline");
        PartialOutput.write(plan, inputs, output, progress, (p, in, out, pr) -> new Run(p, in, out, pr, deadline));
    }

    /** The state of one transcode. */
    private final class Run implements PartialOutput.Pass {
        private final Plan plan;
        private final List<Path> inputs;
        private final Path output;
        private final ProgressListener progress;
        private final Deadline deadline;
        private final int n;
        private final double[] start;
        private final double[] end;
        private final long[] startSample;
        private final long[] endSample;
        private final ClipReader[] readers;
        private final boolean[] finished;
        private final float[] mixLeft = new float[SAMPLES_PER_FRAME];
        private final float[] mixRight = new float[SAMPLES_PER_FRAME];
        private final float[] clipLeft = new float[SAMPLES_PER_FRAME];
        private final float[] clipRight = new float[SAMPLES_PER_FRAME];
        private PipelinedWriter writer;
        private AVFrame blended;
        private double reported = -1;

        Run(Plan plan, List<Path> inputs, Path output, ProgressListener progress, Deadline deadline) {
            this.plan = plan;
            this.inputs = inputs;
            this.output = output;
            this.progress = progress;
            this.deadline = deadline;
            this.n = plan.clips().size();
            this.start = new double[n];
            this.end = new double[n];
            this.startSample = new long[n];
            this.endSample = new long[n];
            for (int i = 0; i < n; i++) {
                start[i] = plan.startSeconds(i);
                end[i] = start[i] + plan.clips().get(i).durationSeconds();
                startSample[i] = Math.round(start[i] * Plan.SAMPLE_RATE);
                endSample[i] = Math.round(end[i] * Plan.SAMPLE_RATE);
            }
            this.readers = new ClipReader[n];
            this.finished = new boolean[n];
        }

        @Override
        public void execute() {
            double total = plan.outputSeconds();
            long frames = Math.max(1, Math.round(total * Plan.FRAME_RATE));
            long samples = Math.round(total * Plan.SAMPLE_RATE);
            writer = new PipelinedWriter(
                    new Mp4Writer(output, plan.canvas(), VideoEncoding.forCanvas(plan.canvas(), speed)));
            long audioDone = 0;
            for (long k = 0; k < frames; k++) {
                deadline.check();
                double t = (double) k / Plan.FRAME_RATE;
                writeVideo(k, t);
                long audioTarget = k == frames - 1 ? samples : Math.min(samples, (k + 1) * SAMPLES_PER_FRAME);
                while (audioDone < audioTarget) {
                    int count = (int) Math.min(SAMPLES_PER_FRAME, audioTarget - audioDone);
                    mixAudio(audioDone, count);
                    writer.writeAudio(mixLeft, mixRight, count);
                    audioDone += count;
                }
                closeFinished((double) (k + 1) / Plan.FRAME_RATE, audioDone);
                report(t);
            }
            writer.finish();
            progress.progress(1.0);
        }

        private void writeVideo(long k, double t) {
            int i = 0;
            while (i + 1 < n && start[i + 1] <= t) {
                i++;
            }
            AVFrame frame = reader(i).videoAt(t - start[i]);
            if (i > 0 && t < end[i - 1] && plan.fadeSeconds() > 0) {
                AVFrame previous = reader(i - 1).videoAt(t - start[i - 1]);
                double x = (t - start[i]) / (end[i - 1] - start[i]);
                frame = blend(previous, frame, x);
            }
            writer.writeVideo(frame, k);
        }

        /** Linear blend of two yuv420p canvas frames: {@code (1 - x) * a + x * b}, plane by plane. */
        private AVFrame blend(AVFrame a, AVFrame b, double x) {
            Canvas canvas = plan.canvas();
            if (blended == null) {
                blended = av_frame_alloc();
                blended.width(canvas.width());
                blended.height(canvas.height());
                blended.format(AV_PIX_FMT_YUV420P);
                try (AVRational square = av_make_q(1, 1)) {
                    blended.sample_aspect_ratio(square);
                }
                if (av_frame_get_buffer(blended, 0) < 0) {
                    throw new ProcessingException("could not allocate a frame", null);
                }
            }
            if (av_frame_make_writable(blended) < 0) {
                throw new ProcessingException("could not allocate a frame", null);
            }
            blended.color_range(a.color_range());
            int weightB = (int) Math.round(Math.max(0, Math.min(1, x)) * 256);
            int weightA = 256 - weightB;
            byte[] rowA = new byte[canvas.width()];
            byte[] rowB = new byte[canvas.width()];
            for (int p = 0; p < 3; p++) {
                int width = p == 0 ? canvas.width() : canvas.width() / 2;
                int height = p == 0 ? canvas.height() : canvas.height() / 2;
                BytePointer pa = a.data(p);
                BytePointer pb = b.data(p);
                BytePointer pd = blended.data(p);
                int la = a.linesize(p);
                int lb = b.linesize(p);
                int ld = blended.linesize(p);
                for (int y = 0; y < height; y++) {
                    pa.position((long) y * la).get(rowA, 0, width);
                    pb.position((long) y * lb).get(rowB, 0, width);
                    for (int xx = 0; xx < width; xx++) {
                        rowA[xx] = (byte) (((rowA[xx] & 0xff) * weightA + (rowB[xx] & 0xff) * weightB + 128) >> 8);
                    }
                    pd.position((long) y * ld).put(rowA, 0, width);
                }
            }
            return blended;
        }

        /** Mixes output samples {@code [from, from + count)} into {@code mixLeft}/{@code mixRight}. */
        private void mixAudio(long from, int count) {
            Arrays.fill(mixLeft, 0, count, 0f);
            Arrays.fill(mixRight, 0, count, 0f);
            long to = from + count;
            for (int j = 0; j < n; j++) {
                long a = Math.max(from, startSample[j]);
                long b = Math.min(to, endSample[j]);
                if (a >= b || finished[j]) {
                    continue;
                }
                int len = (int) (b - a);
                reader(j).audio(a - startSample[j], len, clipLeft, clipRight);
                long fadeIn = j > 0 ? endSample[j - 1] - startSample[j] : 0;
                long fadeOut = j + 1 < n ? endSample[j] - startSample[j + 1] : 0;
                int offset = (int) (a - from);
                for (int s = 0; s < len; s++) {
                    long pos = a + s;
                    double gain = 1;
                    if (fadeIn > 0 && pos < startSample[j] + fadeIn) {
                        gain *= Math.sin(Math.PI / 2 * (pos - startSample[j] + 0.5) / fadeIn);
                    }
                    if (fadeOut > 0 && pos >= endSample[j] - fadeOut) {
                        gain *= Math.cos(Math.PI / 2 * (pos - (endSample[j] - fadeOut) + 0.5) / fadeOut);
                    }
                    mixLeft[offset + s] += (float) (clipLeft[s] * gain);
                    mixRight[offset + s] += (float) (clipRight[s] * gain);
                }
            }
        }

        private ClipReader reader(int i) {
            if (finished[i]) {
                throw new IllegalStateException("clip " + i + " was already closed");
            }
            if (readers[i] == null) {
                ClipPlan clip = plan.clips().get(i);
                readers[i] = new ClipReader(opener.open(inputs.get(i), i), clip, filterThreads, maxUndecodableShare);
            }
            return readers[i];
        }

        /** Closes the clips that neither the next video frame nor the next audio sample can reach. */
        private void closeFinished(double nextVideoTime, long nextSample) {
            for (int j = 0; j < n; j++) {
                if (readers[j] != null && end[j] <= nextVideoTime && endSample[j] <= nextSample) {
                    readers[j].close();
                    readers[j] = null;
                    finished[j] = true;
                    NativeMemory.release();
                }
            }
        }

        private void report(double t) {
            int joinsPassed = 0;
            for (int j = 1; j < n; j++) {
                if (start[j] <= t) {
                    joinsPassed++;
                }
            }
            double fraction = Math.min(1, (t + joinsPassed * plan.fadeSeconds()) / plan.inputSeconds());
            if (fraction - reported >= PROGRESS_STEP) {
                reported = fraction;
                progress.progress(fraction);
            }
        }

        @Override
        public void close() {
            for (int j = 0; j < n; j++) {
                if (readers[j] != null) {
                    readers[j].close();
                    readers[j] = null;
                }
            }
            if (blended != null) {
                av_frame_free(blended);
                blended = null;
            }
            if (writer != null) {
                writer.close();
            }
        }
    }
}
