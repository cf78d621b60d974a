package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_frame;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_packet;
import static org.bytedeco.ffmpeg.global.avformat.av_read_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_NOPTS_VALUE;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import io.videomerge.ErrorCode;
import io.videomerge.MediaException;
import io.videomerge.internal.probe.Completeness;
import io.videomerge.internal.probe.DecodingInput;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Demuxes one input and decodes its video and audio stream with our own libavcodec loop, handing every
 * decoded frame to a {@link Sink} with its time in seconds on the clip's timeline.
 *
 * <p>A packet the decoder refuses is skipped and counted, per stream; once a stream has lost more than its
 * allowance (the larger of one packet and {@code maxUndecodableShare} of its packets) the input is refused as
 * partly undecodable, naming it. At the end of the file both decoders are drained.
 */
final class ClipDecoder implements AutoCloseable {
    /**
     * Packets of a stream seen before the share of bad ones is judged at every packet (a merge may stop reading
     * before the end of the file); the end judges them all.
     */
    private static final int MIN_PACKETS_FOR_SHARE = 20;

    /** Receives decoded frames; a frame is valid only during the call (clone it to keep it). */
    interface Sink {
        void video(AVFrame frame, double seconds);

        void audio(AVFrame frame, double seconds);
    }

    private final DecodingInput input;
    private final double maxUndecodableShare;
    private final double originSeconds;
    private final AVPacket packet = av_packet_alloc();
    private final AVFrame frame = av_frame_alloc();
    private final Counts videoCounts = new Counts();
    private final Counts audioCounts = new Counts();
    private boolean ended;

    /** Packets seen and refused of one stream. */
    private static final class Counts {
        long packets;
        long undecodable;
    }

    /**
     * @param originSeconds the instant of the container's timeline that is 0 on the clip's timeline
     */
    ClipDecoder(DecodingInput input, double maxUndecodableShare, double originSeconds) {
        this.input = input;
        this.maxUndecodableShare = maxUndecodableShare;
        this.originSeconds = originSeconds;
    }

    /**
     * Reads one packet of a used stream and delivers the frames it completes; at the end of the file, drains
     * both decoders and returns false (and false ever after).
     *
     * @throws MediaException when the input turns out to be partly undecodable
     */
    boolean pump(Sink sink) {
        if (ended) {
            return false;
        }
        while (true) {
            int ret = av_read_frame(input.format(), packet);
            if (ret < 0) {
                // EOF or a read error: both end what can be read; the completeness check judges the rest.
                drain(input.videoDecoder(), true, sink);
                if (input.audioDecoder() != null) {
                    drain(input.audioDecoder(), false, sink);
                }
                ended = true;
                requireDecodable(videoCounts, "video", true);
                requireDecodable(audioCounts, "audio", true);
                return false;
            }
            try {
                int stream = packet.stream_index();
                if (stream == input.videoStream()) {
                    decode(input.videoDecoder(), true, sink);
                    return true;
                }
                if (stream == input.audioStream()) {
                    decode(input.audioDecoder(), false, sink);
                    return true;
                }
            } finally {
                av_packet_unref(packet);
            }
        }
    }

    /** Packets of the video stream refused by its decoder so far. */
    long undecodableVideoPackets() {
        return videoCounts.undecodable;
    }

    /** Packets of the audio stream refused by its decoder so far. */
    long undecodableAudioPackets() {
        return audioCounts.undecodable;
    }

    private void decode(AVCodecContext decoder, boolean video, Sink sink) {
        Counts counts = video ? videoCounts : audioCounts;
        counts.packets++;
        if (counts.undecodable > 0) {
            requireDecodable(counts, video ? "video" : "audio", false);
        }
        int sent = avcodec_send_packet(decoder, packet);
        if (sent == AVERROR_EAGAIN()) {
            // The decoder holds frames it wants taken first; then it takes the packet.
            receive(decoder, video, sink);
            sent = avcodec_send_packet(decoder, packet);
        }
        if (sent < 0 && sent != AVERROR_EOF()) {
            refused(counts, video);
            return;
        }
        receive(decoder, video, sink);
    }

    private void drain(AVCodecContext decoder, boolean video, Sink sink) {
        avcodec_send_packet(decoder, null);
        receive(decoder, video, sink);
    }

    private void receive(AVCodecContext decoder, boolean video, Sink sink) {
        Counts counts = video ? videoCounts : audioCounts;
        while (true) {
            int got = avcodec_receive_frame(decoder, frame);
            if (got == AVERROR_EAGAIN() || got == AVERROR_EOF()) {
                return;
            }
            if (got < 0) {
                refused(counts, video);
                continue;
            }
            try {
                if (video
                        ? frame.width() > 0 && frame.height() > 0 && frame.format() >= 0
                        : frame.nb_samples() > 0
                                && frame.sample_rate() > 0
                                && frame.ch_layout().nb_channels() > 0) {
                    double seconds = seconds(frame, video);
                    if (video) {
                        sink.video(frame, seconds);
                    } else {
                        sink.audio(frame, seconds);
                    }
                }
            } finally {
                av_frame_unref(frame);
            }
        }
    }

    /** The frame's time on the clip's timeline, or NaN when the decoder could not tell. */
    private double seconds(AVFrame decoded, boolean video) {
        long pts = decoded.best_effort_timestamp();
        if (pts == AV_NOPTS_VALUE) {
            return Double.NaN;
        }
        int stream = video ? input.videoStream() : input.audioStream();
        return pts * av_q2d(input.stream(stream).time_base()) - originSeconds;
    }

    private void refused(Counts counts, boolean video) {
        counts.undecodable++;
        requireDecodable(counts, video ? "video" : "audio", false);
    }

    private void requireDecodable(Counts counts, String kind, boolean atEnd) {
        if (!atEnd && counts.packets < MIN_PACKETS_FOR_SHARE) {
            return;
        }
        if (Completeness.isTooDamaged(counts.undecodable, counts.packets, maxUndecodableShare)) {
            int index = input.index();
            throw new MediaException(
                    ErrorCode.INVALID_MEDIA,
                    "input " + index + " is partly undecodable (" + counts.undecodable + " of " + counts.packets + " "
                            + kind + " packets)",
                    index);
        }
    }

    @Override
    public void close() {
        av_packet_free(packet);
        av_frame_free(frame);
        input.close();
    }
}
