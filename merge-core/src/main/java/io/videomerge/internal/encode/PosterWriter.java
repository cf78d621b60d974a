package io.videomerge.internal.encode;

import static java.util.Objects.requireNonNull;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_BITEXACT;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_QSCALE;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_MJPEG;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_flush_buffers;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avformat.AVSEEK_FLAG_BACKWARD;
import static org.bytedeco.ffmpeg.global.avformat.av_seek_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUVJ420P;
import static org.bytedeco.ffmpeg.global.avutil.FF_QP2LAMBDA;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import io.videomerge.ErrorCode;
import io.videomerge.ProcessingException;
import io.videomerge.internal.disk.DiskSpace;
import io.videomerge.internal.probe.DecodingInput;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;

/**
 * The poster of a merge: seeks the merged file to an instant, decodes the frame shown there with the project's own
 * decoding loop ({@link ClipDecoder}, on a file opened under the media limits), converts it to full-range
 * YUV 4:2:0 at its own size (the canvas) and encodes it with FFmpeg's MJPEG encoder into a baseline JFIF file
 * (no EXIF, no encoder comment).
 *
 * <p>An instant at or past the end of the file stands for its middle: a short output still gets a poster, of a
 * frame that lies well inside it.
 */
public final class PosterWriter {
    /**
     * The MJPEG quantiser scale, as {@code ffmpeg -q:v} takes it (2 best, 31 worst): 3 looks like the frame and
     * weighs about a tenth of a PNG.
     */
    static final int QUALITY = 3;

    private final double maxUndecodableShare;

    /**
     * @param maxUndecodableShare the share of the merged file's packets that may be skipped as undecodable
     *                            ({@link io.videomerge.Limits#maxUndecodableShare()})
     */
    public PosterWriter(double maxUndecodableShare) {
        this.maxUndecodableShare = maxUndecodableShare;
    }

    /**
     * The instant a poster for {@code at} seconds shows in a file lasting {@code durationSeconds}: {@code at}
     * itself when the file is longer, its middle otherwise.
     */
    public static double instant(double at, double durationSeconds) {
        return at < durationSeconds ? Math.max(0, at) : Math.max(0, durationSeconds / 2);
    }

    /**
     * Writes the frame of {@code input} shown at {@code seconds} (on the file's timeline, which begins at
     * {@code originSeconds} of the container's) to {@code jpeg}, and closes {@code input}.
     *
     * @return the size of the JPEG file in bytes
     * @throws io.videomerge.MergeException {@link ErrorCode#CANCELLED} when the thread was interrupted,
     *         {@link ErrorCode#STORAGE_FULL} when the disk has no room for the poster,
     *         {@link ErrorCode#PROCESSING_FAILED} when no frame could be decoded or encoded
     */
    public long write(DecodingInput input, double originSeconds, double seconds, Path jpeg) {
        requireNonNull(input, "input");
        requireNonNull(jpeg, "jpeg");
        AVFrame frame = frameAt(input, originSeconds, seconds); // closes the input
        try (VideoFilter filter = new VideoFilter(f -> "scale=out_range=full,format=yuvj420p", 1)) {
            AVFrame full = filter.apply(frame);
            try {
                byte[] bytes = encode(full);
                store(bytes, jpeg);
                return bytes.length;
            } finally {
                av_frame_free(full);
            }
        } finally {
            av_frame_free(frame);
        }
    }

    /** The decoded frame shown at {@code seconds}: the last one that starts by then (or the first, if none does). */
    private AVFrame frameAt(DecodingInput input, double originSeconds, double seconds) {
        int stream = input.videoStream();
        double timeBase = av_q2d(input.stream(stream).time_base());
        long target = (long) Math.floor((originSeconds + seconds) / timeBase);
        // From the key frame before the instant; a file that cannot seek is read from its start, where it is.
        if (av_seek_frame(input.format(), stream, target, AVSEEK_FLAG_BACKWARD) >= 0) {
            avcodec_flush_buffers(input.videoDecoder());
            if (input.audioDecoder() != null) {
                avcodec_flush_buffers(input.audioDecoder());
            }
        }
        Picker picker = new Picker(seconds + 1e-6);
        try (ClipDecoder decoder = new ClipDecoder(input, maxUndecodableShare, originSeconds)) {
            while (!picker.done && decoder.pump(picker)) {
                Interruption.check();
            }
        } catch (RuntimeException e) {
            picker.release();
            throw e;
        }
        if (picker.chosen == null) {
            throw new ProcessingException("the merged file has no frame for a poster", null);
        }
        return picker.chosen;
    }

    /** Keeps the latest frame that starts by the instant; done at the first frame after it. */
    private static final class Picker implements ClipDecoder.Sink {
        private final double limit;
        AVFrame chosen;
        boolean done;

        Picker(double limit) {
            this.limit = limit;
        }

        @Override
        public void video(AVFrame frame, double seconds) {
            if (done) {
                return;
            }
            boolean after = seconds > limit;
            if (after && chosen != null) {
                done = true;
                return;
            }
            release();
            chosen = av_frame_clone(frame);
            done = after;
        }

        @Override
        public void audio(AVFrame frame, double seconds) {
            // A poster has no sound.
        }

        void release() {
            if (chosen != null) {
                av_frame_free(chosen);
                chosen = null;
            }
        }
    }

    private static byte[] encode(AVFrame frame) {
        AVCodec mjpeg = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
        if (mjpeg == null) {
            throw new ProcessingException("the FFmpeg natives have no MJPEG encoder", null);
        }
        AVCodecContext encoder = avcodec_alloc_context3(mjpeg);
        AVPacket packet = av_packet_alloc();
        try {
            encoder.width(frame.width());
            encoder.height(frame.height());
            encoder.pix_fmt(AV_PIX_FMT_YUVJ420P);
            encoder.color_range(AVCOL_RANGE_JPEG);
            try (AVRational timeBase = av_make_q(1, 25);
                    AVRational square = av_make_q(1, 1)) {
                encoder.time_base(timeBase);
                encoder.sample_aspect_ratio(square);
                frame.sample_aspect_ratio(square);
            }
            // A fixed quantiser, and no "Lavc" comment in the file.
            encoder.flags(encoder.flags() | AV_CODEC_FLAG_QSCALE | AV_CODEC_FLAG_BITEXACT);
            encoder.global_quality(QUALITY * FF_QP2LAMBDA);
            NativeCall.check(avcodec_open2(encoder, mjpeg, (AVDictionary) null), "open the JPEG encoder");
            frame.quality(QUALITY * FF_QP2LAMBDA);
            frame.pts(0);
            NativeCall.check(avcodec_send_frame(encoder, frame), "encode the poster");
            NativeCall.check(avcodec_send_frame(encoder, null), "flush the JPEG encoder");
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            while (true) {
                int ret = avcodec_receive_packet(encoder, packet);
                if (ret == AVERROR_EOF() || ret == AVERROR_EAGAIN()) {
                    break;
                }
                NativeCall.check(ret, "encode the poster");
                try {
                    byte[] data = new byte[packet.size()];
                    packet.data().get(data);
                    out.writeBytes(data);
                } finally {
                    av_packet_unref(packet);
                }
            }
            if (out.size() == 0) {
                throw new ProcessingException("the JPEG encoder gave no picture", null);
            }
            return out.toByteArray();
        } finally {
            av_packet_free(packet);
            avcodec_free_context(encoder);
        }
    }

    private static void store(byte[] bytes, Path jpeg) {
        try {
            Files.write(jpeg, bytes, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        } catch (IOException e) {
            if (DiskSpace.isFull(e)) {
                throw DiskSpace.full("the poster", e);
            }
            throw new ProcessingException(ErrorCode.PROCESSING_FAILED, "the poster could not be written", -1, true, e);
        }
    }
}
