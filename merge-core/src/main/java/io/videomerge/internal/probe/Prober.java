package io.videomerge.internal.probe;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avcodec.AVPacketSideData;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.IntPointer;

/**
 * Opens one downloaded input with libavformat under the {@link Limits} and reports what it holds, or refuses it.
 *
 * <p>The file is opened with {@code protocol_whitelist=file}, the container whitelist, {@code max_streams} and a
 * bounded probe; every decoder (those libavformat opens to find the stream parameters included) gets the decoder
 * whitelist and {@code max_pixels}; the first video frame and the first audio frame are decoded, so a file that
 * FFmpeg refuses to decode is refused here, before a merge starts (a single bad packet among the first is skipped,
 * as the CLI skips it). The clip's start and length are proven from its packets, never taken from the header
 * ({@link ClipInfo#startSeconds()}, {@link ClipInfo#durationSeconds()}): a header that claims hours for seconds of
 * content, or no length at all, changes nothing, and an input whose packets stop well before what its own index
 * lists is refused as truncated ({@link Completeness}). Refusals are {@link MediaException}s naming
 * the input index: {@link ErrorCode#INVALID_MEDIA} (not media, a container outside the whitelist, no video, too
 * many streams, truncated or undecodable), {@link ErrorCode#UNSUPPORTED_CODEC} (a decoder outside the whitelist,
 * a picture over {@code max_pixels}) or {@link ErrorCode#INPUT_TOO_LONG} (one clip's proven length alone longer than
 * the total allowed). Messages never carry paths or FFmpeg's log.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class Prober {
    /** Packets read at most while looking for the first decodable frames. */
    private static final int MAX_PACKETS = 2_000;
    /** Relative gap between the average and the base frame rate above which a stream counts as variable. */
    private static final double VFR_TOLERANCE = 0.01;

    private final SafeOptions options;
    private final Demuxer demuxer;
    private final long maxPixels;
    private final double maxSeconds;
    private final double maxUndecodableShare;

    public Prober(Limits limits) {
        this.options = new SafeOptions(requireNonNull(limits, "limits"));
        this.demuxer = new Demuxer(limits);
        this.maxPixels = limits.maxPixels();
        this.maxSeconds = limits.maxTotalDuration().toNanos() / 1e9;
        this.maxUndecodableShare = limits.maxUndecodableShare();
        NativeLog.init();
    }

    /**
     * Probes {@code file}, the input at {@code index} of a request.
     *
     * @throws MediaException when the file is not acceptable media
     */
    public ClipInfo probe(Path file, int index) {
        return inspect(file, index).info();
    }

    /**
     * Probes like {@link #probe}, also naming the streams a decoder must use: hand the result to
     * {@link InputOpener#open(Path, Inspection, java.util.function.Consumer)} so that the file is not probed twice.
     *
     * @throws MediaException when the file is not acceptable media
     */
    public Inspection inspect(Path file, int index) {
        requireNonNull(file, "file");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0: " + index);
        }
        AVFormatContext fmt = demuxer.open(file, index);
        try {
            return inspectOpen(fmt, index);
        } finally {
            avformat.avformat_close_input(fmt);
        }
    }

    private Inspection inspectOpen(AVFormatContext fmt, int index) {
        int video = avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
        // Cover art is a one-picture "video" stream: audio with a still image is not a video.
        if (video < 0 || (fmt.streams(video).disposition() & avformat.AV_DISPOSITION_ATTACHED_PIC) != 0) {
            throw invalid(index, "has no video stream", null);
        }
        int audio = avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_AUDIO, -1, video, (AVCodec) null, 0);
        AVStream vst = fmt.streams(video);
        AVStream ast = audio >= 0 ? fmt.streams(audio) : null;
        AVCodecContext vdec = openDecoder(vst, index, options.probeDecoder());
        AVCodecContext adec = null;
        try {
            adec = ast != null ? openDecoder(ast, index, options.probeDecoder()) : null;
            AVFrame first = avutil.av_frame_alloc();
            try {
                Extent extent = ast != null ? new Extent(fmt, video, audio) : new Extent(fmt, video);
                double indexed =
                        ast != null ? Completeness.indexedEnd(fmt, video, audio) : Completeness.indexedEnd(fmt, video);
                decodeFirstFrames(fmt, vst, vdec, ast, adec, first, extent, index);
                double start = extent.start();
                // The audio format as the file starts: reading on to the end lets parsers rewrite the stream's
                // parameters with those of its last frames (an AC-3 track that switched from 5.1 to stereo).
                int sampleRate = ast != null ? ast.codecpar().sample_rate() : 0;
                int channels = ast != null ? ast.codecpar().ch_layout().nb_channels() : 0;
                double end = extent.end();
                if (Double.isNaN(start) || Double.isNaN(end) || !(end - start > 0)) {
                    throw invalid(index, "has no known duration", null);
                }
                // The index lists packets the file claims to hold: data that stops well before them is damage.
                Completeness.requireWhole(index, end - start, indexed - start);
                ClipInfo info = facts(fmt, vst, ast, first, start, end - start, sampleRate, channels, index);
                // Early refusal on the proven length; the merge counts real decoded time as well.
                if (info.durationSeconds() > maxSeconds) {
                    throw new MediaException(
                            ErrorCode.INPUT_TOO_LONG,
                            "input " + index + " is longer than the " + Math.round(maxSeconds) + " s allowed in total",
                            index);
                }
                double average = positive(vst.avg_frame_rate()) ? avutil.av_q2d(vst.avg_frame_rate()) : Double.NaN;
                double decodedRate = DecodeBudget.frameRate(average, info.frameRate(), extent.videoPacketRate());
                return new Inspection(info, video, Math.max(audio, -1), decodedRate);
            } finally {
                avutil.av_frame_free(first);
            }
        } finally {
            avcodec.avcodec_free_context(vdec);
            if (adec != null) {
                avcodec.avcodec_free_context(adec);
            }
        }
    }

    /**
     * Opens a decoder for {@code stream} of input {@code index} with the safety options {@code safety} (the
     * probe's single-threaded set, or a merge's); the caller frees it.
     *
     * @throws MediaException when FFmpeg refuses the decoder or the picture, named as {@link #refusal} does
     */
    AVCodecContext openDecoder(AVStream stream, int index, Map<String, String> safety) {
        AVCodecParameters par = stream.codecpar();
        AVCodec codec = avcodec.avcodec_find_decoder(par.codec_id());
        if (codec == null || codec.isNull()) {
            throw unsupported(
                    index,
                    (par.codec_type() == avutil.AVMEDIA_TYPE_VIDEO ? "video" : "audio") + " codec is not supported");
        }
        AVCodecContext ctx = avcodec.avcodec_alloc_context3(codec);
        if (ctx == null || ctx.isNull()) {
            throw new OutOfMemoryError("avcodec_alloc_context3");
        }
        AVDictionary dict = SafeOptions.dictionary(safety);
        try {
            if (avcodec.avcodec_parameters_to_context(ctx, par) < 0) {
                throw invalid(index, "has unreadable stream parameters", null);
            }
            ctx.pkt_timebase(stream.time_base());
            // Whether the decoder and the picture size are allowed is FFmpeg's call (codec_whitelist,
            // max_pixels); we only name the refusal.
            if (avcodec.avcodec_open2(ctx, codec, dict) < 0) {
                throw refusal(stream, codec.name().getString(), index);
            }
            SafeOptions.requireConsumed(dict, safety, "avcodec_open2");
            return ctx;
        } catch (RuntimeException e) {
            avcodec.avcodec_free_context(ctx);
            throw e;
        } finally {
            avutil.av_dict_free(dict);
        }
    }

    /**
     * Decodes until the first video frame (kept in {@code first}) and, if there is audio, one audio frame; every
     * packet read also goes to {@code extent}, which proves the clip's start from them. A packet that does not
     * decode is skipped and counted, as the CLI does; the stream is refused when no frame decodes within the
     * packet bound, or when more of its packets failed than {@link Completeness} allows.
     */
    private void decodeFirstFrames(
            AVFormatContext fmt,
            AVStream vst,
            AVCodecContext vdec,
            AVStream ast,
            AVCodecContext adec,
            AVFrame first,
            Extent extent,
            int index) {
        AVPacket pkt = avcodec.av_packet_alloc();
        AVFrame scratch = avutil.av_frame_alloc();
        FirstFrame video = new FirstFrame(vst, vdec, first);
        FirstFrame audio = ast != null ? new FirstFrame(ast, adec, scratch) : null;
        try {
            for (int packets = 0;
                    packets < MAX_PACKETS && !(video.found && (audio == null || audio.found));
                    packets++) {
                if (avformat.av_read_frame(fmt, pkt) < 0) {
                    break;
                }
                try {
                    extent.atStart(pkt);
                    if (pkt.stream_index() == vst.index()) {
                        video.take(pkt, index);
                    } else if (audio != null && pkt.stream_index() == ast.index()) {
                        audio.take(pkt, index);
                    }
                } finally {
                    avcodec.av_packet_unref(pkt);
                }
            }
            // A decoder may hold its first picture back until it is drained (a very short or truncated file).
            if (!video.found && decode(vdec, null, first) != Decoded.FRAME) {
                throw refusal(vst, vdec.codec().name().getString(), index);
            }
        } finally {
            avcodec.av_packet_free(pkt);
            avutil.av_frame_free(scratch);
        }
    }

    /** One stream's search for its first decodable frame, counting the packets that fail on the way. */
    private final class FirstFrame {
        private final AVStream stream;
        private final AVCodecContext decoder;
        private final AVFrame frame;
        private long packets;
        private long undecodable;
        private boolean found;

        FirstFrame(AVStream stream, AVCodecContext decoder, AVFrame frame) {
            this.stream = stream;
            this.decoder = decoder;
            this.frame = frame;
        }

        void take(AVPacket pkt, int index) {
            if (found) {
                return;
            }
            packets++;
            Decoded d = decode(decoder, pkt, frame);
            if (d == Decoded.ERROR && Completeness.isTooDamaged(++undecodable, packets, maxUndecodableShare)) {
                throw refusal(stream, decoder.codec().name().getString(), index);
            }
            found = d == Decoded.FRAME;
        }
    }

    private enum Decoded {
        FRAME,
        NEED_MORE,
        ERROR
    }

    /** Sends {@code pkt} (null to drain) and tries to receive one frame. */
    private static Decoded decode(AVCodecContext ctx, AVPacket pkt, AVFrame frame) {
        int sent = avcodec.avcodec_send_packet(ctx, pkt);
        if (sent < 0 && sent != avutil.AVERROR_EAGAIN() && sent != avutil.AVERROR_EOF()) {
            return Decoded.ERROR;
        }
        int got = avcodec.avcodec_receive_frame(ctx, frame);
        if (got >= 0) {
            return Decoded.FRAME;
        }
        return got == avutil.AVERROR_EAGAIN() || got == avutil.AVERROR_EOF() ? Decoded.NEED_MORE : Decoded.ERROR;
    }

    /**
     * Names why FFmpeg refused to open or decode {@code stream}: a decoder outside the whitelist or a picture
     * over {@code max_pixels} is {@link ErrorCode#UNSUPPORTED_CODEC}; anything else is broken media.
     */
    private MediaException refusal(AVStream stream, String decoder, int index) {
        AVCodecParameters par = stream.codecpar();
        boolean video = par.codec_type() == avutil.AVMEDIA_TYPE_VIDEO;
        String kind = video ? "video" : "audio";
        if (!options.allows(decoder)) {
            return unsupported(
                    index,
                    kind + " codec " + avcodec.avcodec_get_name(par.codec_id()).getString() + " is not supported");
        }
        if (video && (long) par.width() * par.height() > maxPixels) {
            return unsupported(index, "video is larger than " + maxPixels + " pixels per frame");
        }
        return invalid(index, "has " + kind + " that cannot be decoded", null);
    }

    private static ClipInfo facts(
            AVFormatContext fmt,
            AVStream vst,
            AVStream ast,
            AVFrame first,
            double start,
            double duration,
            int sampleRate,
            int channels,
            int index) {
        AVCodecParameters vpar = vst.codecpar();
        int width = vpar.width() > 0 ? vpar.width() : first.width();
        int height = vpar.height() > 0 ? vpar.height() : first.height();
        int sarNum;
        int sarDen;
        // A rational returned by value is a native copy JavaCPP frees only when the collector finds it: freed here.
        try (AVRational sar = avformat.av_guess_sample_aspect_ratio(fmt, vst, first)) {
            sarNum = sar.num();
            sarDen = sar.den();
        }
        boolean sarKnown = sarNum > 0 && sarDen > 0;
        int pixFmt = first.format() >= 0 ? first.format() : vpar.format();
        BytePointer pixName = avutil.av_get_pix_fmt_name(pixFmt);
        AVRational avg = vst.avg_frame_rate();
        AVRational base = vst.r_frame_rate();
        double fps = positive(avg)
                ? avutil.av_q2d(avg)
                : positive(base) ? avutil.av_q2d(base) : guessedFrameRate(fmt, vst, first);
        boolean variable = positive(avg)
                && positive(base)
                && Math.abs(avutil.av_q2d(avg) - avutil.av_q2d(base)) > VFR_TOLERANCE * avutil.av_q2d(base);
        if (!(fps > 0) || Double.isInfinite(fps)) {
            throw invalid(index, "has no known frame rate", null);
        }
        AVCodecParameters apar = ast != null ? ast.codecpar() : null;
        return new ClipInfo(
                index,
                fmt.iformat().name().getString(),
                start,
                duration,
                width,
                height,
                rotation(vst),
                sarKnown ? sarNum : 1,
                sarKnown ? sarDen : 1,
                pixName == null || pixName.isNull() ? "unknown" : pixName.getString(),
                fps,
                variable,
                avcodec.avcodec_get_name(vpar.codec_id()).getString(),
                vpar.profile(),
                vst.time_base().num(),
                vst.time_base().den(),
                apar != null,
                apar != null ? avcodec.avcodec_get_name(apar.codec_id()).getString() : "",
                sampleRate,
                channels);
    }

    /**
     * The clockwise rotation a player applies, from the stream's display matrix, snapped to a quarter turn.
     * {@code av_display_rotation_get} answers counterclockwise, hence the sign.
     */
    static int rotation(AVStream st) {
        AVCodecParameters par = st.codecpar();
        AVPacketSideData sd = avcodec.av_packet_side_data_get(
                par.coded_side_data(), par.nb_coded_side_data(), avcodec.AV_PKT_DATA_DISPLAYMATRIX);
        if (sd == null || sd.isNull() || sd.size() < 9 * Integer.BYTES) {
            return 0;
        }
        double counterclockwise = avutil.av_display_rotation_get(new IntPointer(sd.data()));
        if (Double.isNaN(counterclockwise)) {
            return 0;
        }
        long quarterTurns = Math.round(-counterclockwise / 90.0);
        return (int) Math.floorMod(quarterTurns * 90, 360L);
    }

    private static double guessedFrameRate(AVFormatContext fmt, AVStream vst, AVFrame first) {
        try (AVRational guessed = avformat.av_guess_frame_rate(fmt, vst, first)) {
            return avutil.av_q2d(guessed);
        }
    }

    private static boolean positive(AVRational r) {
        return r != null && r.num() > 0 && r.den() > 0;
    }

    private static MediaException invalid(int index, String what, Throwable cause) {
        return new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " " + what, index, cause);
    }

    private static MediaException unsupported(int index, String what) {
        return new MediaException(ErrorCode.UNSUPPORTED_CODEC, "input " + index + ": " + what, index);
    }

    /**
     * What {@link #inspect} found: the facts, the stream numbers a decoder must use, and what decoding will cost.
     *
     * @param info             the facts
     * @param videoStream      the video stream's index in the file
     * @param audioStream      the audio stream's index in the file, -1 without audio
     * @param decodedFrameRate the frames per second {@link DecodeBudget} charges for the video (the declared rate,
     *                         or the rate measured on the packets when higher; see {@link DecodeBudget})
     */
    public record Inspection(ClipInfo info, int videoStream, int audioStream, double decodedFrameRate) {
        public Inspection {
            requireNonNull(info, "info");
            if (videoStream < 0 || audioStream < -1) {
                throw new IllegalArgumentException("bad stream numbers: " + videoStream + ", " + audioStream);
            }
            if (!(decodedFrameRate > 0) || Double.isInfinite(decodedFrameRate)) {
                throw new IllegalArgumentException("decodedFrameRate must be positive and finite: " + decodedFrameRate);
            }
        }
    }
}
