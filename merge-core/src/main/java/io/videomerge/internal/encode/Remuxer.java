package io.videomerge.internal.encode;

import static java.util.Objects.requireNonNull;
import static org.bytedeco.ffmpeg.global.avcodec.AV_PKT_FLAG_CORRUPT;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_copy;
import static org.bytedeco.ffmpeg.global.avformat.av_find_best_stream;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avformat.avformat_close_input;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_AUDIO;
import static org.bytedeco.ffmpeg.global.avutil.AVMEDIA_TYPE_VIDEO;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;
import static org.bytedeco.ffmpeg.global.avutil.av_rescale_q;

import io.videomerge.ErrorCode;
import io.videomerge.MediaException;
import io.videomerge.internal.plan.ClipPlan;
import io.videomerge.internal.plan.Plan;
import io.videomerge.internal.probe.Completeness;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * The stream-copy path: the packets of every clip's video and audio stream written one clip after the
 * other into one MP4 (index at the front), nothing decoded or encoded.
 *
 * <p>Each clip's timestamps are rescaled from its own time bases and shifted by the running end of the
 * output so far (the longer of video and audio); audio and video of a clip keep their relation, so sync
 * holds at every join and errors do not add up. AAC priming packets (before a clip's start) of clips
 * after the first are dropped: they would overlap the previous clip's last audio packet, which MP4
 * cannot store (the muxer refuses non-increasing timestamps).
 *
 * <p>Inputs are opened demux-only (no decoder runs while copying); the total length is counted from the
 * packets' timestamps as they are copied, so the duration limit holds on the data, not on what headers claim.
 * Each clip is shifted by its proven start ({@link io.videomerge.internal.plan.ClipPlan#startSeconds()}), so a clip
 * that starts late on its container's timeline gets no gap before it.
 *
 * <p>Copying cannot tell a damaged packet from a good one, so a clip that shows any sign of damage is not copied
 * at all: a read error other than the end of the file, a packet flagged corrupt, timestamps that go back, or
 * data that stops short of what the clip's index lists or its probe proved ({@link Completeness}). Then
 * {@link NotCopyableException} hands the merge to the re-encode path, whose decoding rules decide, so both paths
 * refuse the same inputs.
 */
public final class Remuxer {
    private static final AVRational MICROSECONDS = av_make_q(1, 1_000_000);

    private final DemuxOpener opener;
    private final double maxSeconds;

    /**
     * Thrown when a clip's streams cannot be joined to the first's (before anything of it is written) or when the
     * clip turns out damaged while it is copied; the partial output is deleted either way.
     */
    public static final class NotCopyableException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotCopyableException(String message) {
            super(message);
        }
    }

    /**
     * @param opener         opens each input under the media limits
     * @param maxTotalSeconds the longest output allowed, counted from the copied packets' timestamps
     */
    public Remuxer(DemuxOpener opener, double maxTotalSeconds) {
        this.opener = requireNonNull(opener, "opener");
        if (!(maxTotalSeconds > 0)) {
            throw new IllegalArgumentException("maxTotalSeconds must be > 0: " + maxTotalSeconds);
        }
        this.maxSeconds = maxTotalSeconds;
    }

    /**
     * Writes the clips' packets into {@code output}; deletes it on any failure or interruption.
     *
     * @throws NotCopyableException when a clip's codec parameters (extradata included) differ from the
     *         first clip's, or a clip is damaged, so that the caller can re-encode instead
     * @param deadline when the merge must be done, checked between packets
     * @throws io.videomerge.MergeException {@link ErrorCode#CANCELLED} on interruption,
     *         {@link ErrorCode#PROCESSING_TIMEOUT} once the deadline has passed,
     *         {@link ErrorCode#INVALID_MEDIA} naming an unreadable input, {@link ErrorCode#INPUT_TOO_LONG} when the
     *         copied packets last longer than allowed, {@link ErrorCode#STORAGE_FULL} when the disk has no room for
     *         the output, {@link ErrorCode#PROCESSING_FAILED}
     */
    public void remux(Plan plan, List<Path> inputs, Path output, ProgressListener progress, Deadline deadline) {
        requireNonNull(deadline, "deadline");
        PartialOutput.write(plan, inputs, output, progress, (p, in, out, pr) -> new Run(p, in, out, pr, deadline));
    }

    private final class Run implements PartialOutput.Pass {
        private final Plan plan;
        private final List<Path> inputs;
        private final Path output;
        private final ProgressListener progress;
        private final Deadline deadline;
        private final AVPacket packet = av_packet_alloc();
        private Mp4Output out;
        private AVStream outVideo;
        private AVStream outAudio;
        private AVCodecParameters firstVideo;
        private AVCodecParameters firstAudio;
        private AVFormatContext in;
        private long lastVideoDts = Long.MIN_VALUE;
        private long lastAudioDts = Long.MIN_VALUE;

        Run(Plan plan, List<Path> inputs, Path output, ProgressListener progress, Deadline deadline) {
            this.plan = plan;
            this.inputs = inputs;
            this.output = output;
            this.progress = progress;
            this.deadline = deadline;
        }

        @Override
        public void execute() {
            long offset = 0; // in the output video time base
            double inputDone = 0;
            for (int i = 0; i < inputs.size(); i++) {
                deadline.check();
                in = opener.open(inputs.get(i), i);
                int video = av_find_best_stream(in, AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
                int audio = av_find_best_stream(in, AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
                if (video < 0 || audio < 0) {
                    throw new NotCopyableException("input " + i + " lacks a video or an audio stream");
                }
                if (i == 0) {
                    openOutput(in.streams(video), in.streams(audio));
                } else {
                    requireSame(firstVideo, in.streams(video).codecpar(), i);
                    requireSame(firstAudio, in.streams(audio).codecpar(), i);
                }
                offset += copyClip(plan.clips().get(i), video, audio, offset);
                closeInput();
                inputDone += plan.clips().get(i).durationSeconds();
                progress.progress(Math.min(1, inputDone / plan.inputSeconds()));
            }
            out.finish();
        }

        private void openOutput(AVStream video, AVStream audio) {
            out = new Mp4Output(output);
            outVideo = newStream(video);
            outAudio = newStream(audio);
            firstVideo = outVideo.codecpar();
            firstAudio = outAudio.codecpar();
            out.start();
        }

        private AVStream newStream(AVStream in) {
            AVStream stream = out.addStream();
            NativeCall.check(avcodec_parameters_copy(stream.codecpar(), in.codecpar()), "copy stream parameters");
            stream.codecpar().codec_tag(0);
            stream.time_base(in.time_base());
            return stream;
        }

        /** Copies one clip's packets; returns the clip's length (its longer stream) in the output video time base. */
        private long copyClip(ClipPlan clip, int video, int audio, long offset) {
            int index = clip.index();
            AVRational videoBase = in.streams(video).time_base();
            AVRational audioBase = in.streams(audio).time_base();
            double indexed = Completeness.indexedEnd(in, video, audio) - clip.startSeconds();
            long start = Math.round(clip.startSeconds() * 1e6);
            long lastInVideoDts = AV_NOPTS_VALUE;
            long lastInAudioDts = AV_NOPTS_VALUE;
            long videoOrigin = av_rescale_q(start, MICROSECONDS, videoBase);
            long audioOrigin = av_rescale_q(start, MICROSECONDS, audioBase);
            AVRational outVideoBase = outVideo.time_base();
            AVRational outAudioBase = outAudio.time_base();
            long audioOffset = av_rescale_q(offset, outVideoBase, outAudioBase);
            long frameTicks;
            try (AVRational frame = av_make_q(
                    in.streams(video).avg_frame_rate().den(),
                    Math.max(1, in.streams(video).avg_frame_rate().num()))) {
                frameTicks = av_rescale_q(1, frame, outVideoBase);
            }
            // The output may reach this (in the output video time base) before the limit is exceeded.
            long limit = (long) Math.floor(maxSeconds / av_q2d(outVideoBase));
            long clipEnd = 0;
            long audioEnd = 0;
            while (true) {
                deadline.check();
                int ret = av_read_frame(in, packet);
                if (ret == AVERROR_EAGAIN()) {
                    continue;
                }
                if (ret == AVERROR_EOF()) {
                    break;
                }
                if (ret < 0) {
                    throw damaged(index, "a packet could not be read");
                }
                int stream = packet.stream_index();
                if (stream != video && stream != audio) {
                    av_packet_unref(packet);
                    continue;
                }
                if ((packet.flags() & AV_PKT_FLAG_CORRUPT) != 0) {
                    throw damaged(index, "a packet is flagged corrupt");
                }
                boolean isVideo = stream == video;
                long origin = isVideo ? videoOrigin : audioOrigin;
                AVRational from = isVideo ? videoBase : audioBase;
                AVRational to = isVideo ? outVideoBase : outAudioBase;
                long pts = packet.pts() == AV_NOPTS_VALUE ? packet.dts() : packet.pts();
                long dts = packet.dts() == AV_NOPTS_VALUE ? pts : packet.dts();
                if (pts == AV_NOPTS_VALUE) {
                    av_packet_unref(packet);
                    continue;
                }
                long previous = isVideo ? lastInVideoDts : lastInAudioDts;
                if (previous != AV_NOPTS_VALUE && dts <= previous) {
                    throw damaged(index, "timestamps go back");
                }
                if (isVideo) {
                    lastInVideoDts = dts;
                } else {
                    lastInAudioDts = dts;
                }
                long localPts = av_rescale_q(pts - origin, from, to);
                long localDts = av_rescale_q(dts - origin, from, to);
                long duration = av_rescale_q(packet.duration(), from, to);
                if (isVideo) {
                    long outDts = Math.max(
                            localDts + offset, lastVideoDts == Long.MIN_VALUE ? Long.MIN_VALUE : lastVideoDts + 1);
                    long outPts = Math.max(localPts + offset, outDts);
                    lastVideoDts = outDts;
                    clipEnd = Math.max(clipEnd, localPts + (duration > 0 ? duration : frameTicks));
                    if (offset + clipEnd > limit) {
                        throw tooLong(index);
                    }
                    write(outVideo, outPts, outDts, duration);
                } else {
                    long outDts = localDts + audioOffset;
                    // Priming of a later clip would overlap the previous clip's last packet.
                    if ((index > 0 && localPts < 0) || (lastAudioDts != Long.MIN_VALUE && outDts <= lastAudioDts)) {
                        av_packet_unref(packet);
                        continue;
                    }
                    lastAudioDts = outDts;
                    audioEnd = Math.max(audioEnd, localPts + duration);
                    if (offset + av_rescale_q(audioEnd, outAudioBase, outVideoBase) > limit) {
                        throw tooLong(index);
                    }
                    write(outAudio, localPts + audioOffset, outDts, duration);
                }
            }
            // A clip whose audio outlasts its video pushes the next clip back, so that its audio is not cut.
            long length = Math.max(clipEnd, av_rescale_q(audioEnd, outAudioBase, outVideoBase));
            double reached = length * av_q2d(outVideoBase);
            double promised =
                    Double.isNaN(indexed) ? clip.durationSeconds() : Math.max(indexed, clip.durationSeconds());
            if (Completeness.isCutShort(reached, promised)) {
                throw damaged(index, "its data stops short");
            }
            return length;
        }

        private NotCopyableException damaged(int index, String why) {
            av_packet_unref(packet);
            return new NotCopyableException("input " + index + " is damaged (" + why + ")");
        }

        private MediaException tooLong(int index) {
            return new MediaException(
                    ErrorCode.INPUT_TOO_LONG,
                    "the inputs last longer than the " + Math.round(maxSeconds) + " s allowed in total",
                    index);
        }

        /** Writes the packet just read, retimed; the muxer takes its data over (no copy) and resets it. */
        private void write(AVStream stream, long pts, long dts, long duration) {
            packet.pts(pts);
            packet.dts(dts);
            packet.duration(duration);
            packet.pos(-1);
            packet.stream_index(stream.index());
            out.write(packet);
        }

        private static void requireSame(AVCodecParameters first, AVCodecParameters other, int index) {
            boolean same = first.codec_id() == other.codec_id()
                    && first.width() == other.width()
                    && first.height() == other.height()
                    && first.format() == other.format()
                    && first.sample_rate() == other.sample_rate()
                    && first.ch_layout().nb_channels() == other.ch_layout().nb_channels()
                    && extradata(first).equals(extradata(other));
            if (!same) {
                throw new NotCopyableException("input " + index + " has other codec parameters than input 0");
            }
        }

        private static ByteBuffer extradata(AVCodecParameters parameters) {
            int size = parameters.extradata_size();
            if (size <= 0 || parameters.extradata() == null) {
                return ByteBuffer.allocate(0);
            }
            byte[] bytes = new byte[size];
            parameters.extradata().get(bytes);
            return ByteBuffer.wrap(bytes);
        }

        private void closeInput() {
            if (in != null) {
                avformat_close_input(in);
                in = null;
            }
        }

        @Override
        public void close() {
            closeInput();
            av_packet_free(packet);
            if (out != null) {
                out.close();
                out = null;
            }
        }
    }
}
