package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import io.videomerge.testing.SegmentedClipSpec.AudioCodec;
import io.videomerge.testing.SegmentedClipSpec.Segment;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVCodecParameters;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/**
 * Writes one file whose video and audio streams change format part-way, as broadcast recordings do: each
 * {@link Segment} is encoded by an encoder of its own and the packets go into the same two streams with
 * continuous timestamps, while the container header describes the first segment only.
 *
 * <p>How each codec carries the change in-band:
 * <ul>
 *   <li>H.264 (libopenh264): every segment starts with an IDR frame preceded by its own SPS/PPS, which give the
 *       new size and the {@code video_full_range_flag};</li>
 *   <li>AC-3 and MP3: every frame header states its channel mode and sample rate;</li>
 *   <li>AAC: the first segment's packets are raw (described by the header's AudioSpecificConfig); every later
 *       segment's packets start with an ADTS header, which FFmpeg's AAC decoder reads wherever it finds one.
 *       The muxers' automatic {@code aac_adtstoasc} filter is turned off so the headers stay.</li>
 * </ul>
 *
 * <p>Audio frames never straddle a change: a segment's audio starts on the previous segment's last frame
 * boundary. Each encoder is primed with the signal from before its segment and its priming frames are dropped,
 * so the sound continues across the change without a gap.
 */
public final class SegmentedClipWriter {
    /** libavformat's AVFMT_FLAG_AUTO_BSF (avformat.h), which the presets do not export. */
    private static final int AVFMT_FLAG_AUTO_BSF = 0x200000;

    private static final int[] AAC_RATES = {
        96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350
    };

    static {
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private SegmentedClipWriter() {}

    /**
     * Encodes {@code spec} into {@code target} (replacing it).
     *
     * @throws UncheckedIOException when an encoder or the muxer fails
     */
    public static SegmentedClip write(SegmentedClipSpec spec, Path target) {
        requireNonNull(spec, "spec");
        requireNonNull(target, "target");
        try {
            Files.deleteIfExists(target);
            return new Encoding(spec, target).run();
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + spec, e);
        }
    }

    /** Writes {@code spec} into {@code dir} under {@code name} plus the container's extension. */
    public static SegmentedClip write(SegmentedClipSpec spec, Path dir, String name) {
        return write(spec, dir.resolve(name + spec.container().extension()));
    }

    /** An encoded packet waiting to be muxed, its place given in seconds. */
    private record Packet(byte[] data, double start, double end, boolean key, boolean video) {}

    /** One run of the writer. */
    private static final class Encoding {
        private final SegmentedClipSpec spec;
        private final Path target;
        private final TestPattern.Sound sound;
        private final boolean[] flash;
        private final List<Packet> packets = new ArrayList<>();
        private final List<Double> videoChanges = new ArrayList<>();
        private final List<Double> audioChanges = new ArrayList<>();
        private AVCodecParameters videoParameters;
        private AVCodecParameters audioParameters;
        private byte[] parameterSets;

        Encoding(SegmentedClipSpec spec, Path target) {
            this.spec = spec;
            this.target = target;
            this.sound = new TestPattern.Sound(
                    spec.events().stream().map(spec::eventInstant).toList(), spec.backgroundTone());
            this.flash = new boolean[spec.frameCount()];
            for (double t : spec.events()) {
                flash[spec.eventFrame(t)] = true;
            }
        }

        SegmentedClip run() throws IOException {
            try {
                for (int i = 0; i < spec.segments().size(); i++) {
                    encodeVideo(i);
                }
                double audioEnd = 0;
                for (int i = 0; i < spec.segments().size(); i++) {
                    if (i > 0) {
                        audioChanges.add(audioEnd);
                    }
                    audioEnd = encodeAudio(i, audioEnd);
                }
                mux();
                return new SegmentedClip(target, spec, videoChanges, audioChanges, audioEnd);
            } finally {
                if (videoParameters != null) {
                    avcodec.avcodec_parameters_free(videoParameters);
                }
                if (audioParameters != null) {
                    avcodec.avcodec_parameters_free(audioParameters);
                }
            }
        }

        private void encodeVideo(int index) throws IOException {
            Segment segment = spec.segments().get(index);
            int first = spec.segmentStartFrame(index);
            int end = spec.segmentStartFrame(index + 1);
            if (index > 0) {
                videoChanges.add(first / (double) spec.fps());
            }
            AVCodec codec = avcodec.avcodec_find_encoder_by_name("libopenh264");
            AVCodecContext ctx = avcodec.avcodec_alloc_context3(codec);
            AVFrame frame = avutil.av_frame_alloc();
            AVPacket pkt = avcodec.av_packet_alloc();
            try {
                ctx.width(segment.width());
                ctx.height(segment.height());
                ctx.time_base(avutil.av_make_q(1, spec.fps()));
                ctx.framerate(avutil.av_make_q(spec.fps(), 1));
                ctx.gop_size(spec.fps());
                ctx.max_b_frames(0);
                // libopenh264 signals full range from the pixel format; the range field keeps the frames honest.
                ctx.pix_fmt(segment.fullRange() ? avutil.AV_PIX_FMT_YUVJ420P : avutil.AV_PIX_FMT_YUV420P);
                ctx.color_range(segment.fullRange() ? avutil.AVCOL_RANGE_JPEG : avutil.AVCOL_RANGE_MPEG);
                long pixelsPerSecond = (long) segment.width() * segment.height() * spec.fps();
                // Generous enough that a flash frame after grey frames is still coded close to white.
                ctx.bit_rate(Math.min(8_000_000L, Math.max(400_000L, pixelsPerSecond / 3)));
                check(avcodec.avcodec_open2(ctx, codec, (AVDictionary) null), "open libopenh264");
                if (index == 0) {
                    videoParameters = avcodec.avcodec_parameters_alloc();
                    check(avcodec.avcodec_parameters_from_context(videoParameters, ctx), "video parameters");
                }
                frame.format(ctx.pix_fmt());
                frame.width(segment.width());
                frame.height(segment.height());
                frame.color_range(ctx.color_range());
                check(avutil.av_frame_get_buffer(frame, 0), "picture buffer");
                ByteBuffer luma = ByteBuffer.allocate(segment.width() * segment.height());
                for (int f = first; f < end; f++) {
                    check(avutil.av_frame_make_writable(frame), "writable picture");
                    TestPattern.paint(luma, segment.width(), segment.width(), segment.height(), 0, f, flash[f]);
                    fillPicture(frame, luma, segment);
                    frame.pts(f);
                    check(avcodec.avcodec_send_frame(ctx, frame), "encode picture");
                    drainVideo(ctx, pkt);
                }
                check(avcodec.avcodec_send_frame(ctx, null), "flush libopenh264");
                drainVideo(ctx, pkt);
            } finally {
                avcodec.av_packet_free(pkt);
                avutil.av_frame_free(frame);
                avcodec.avcodec_free_context(ctx);
            }
        }

        private static void fillPicture(AVFrame frame, ByteBuffer luma, Segment segment) {
            int w = segment.width();
            int h = segment.height();
            byte[] row = new byte[w];
            BytePointer y = frame.data(0);
            for (int r = 0; r < h; r++) {
                for (int x = 0; x < w; x++) {
                    int l = luma.get(r * w + x) & 0xff;
                    row[x] = (byte) (segment.fullRange() ? l : 16 + Math.round(l * 219 / 255.0f));
                }
                y.position((long) r * frame.linesize(0)).put(row, 0, w);
            }
            y.position(0);
            byte[] grey = new byte[w / 2];
            java.util.Arrays.fill(grey, (byte) 128);
            for (int plane = 1; plane <= 2; plane++) {
                BytePointer p = frame.data(plane);
                for (int r = 0; r < h / 2; r++) {
                    p.position((long) r * frame.linesize(plane)).put(grey, 0, grey.length);
                }
                p.position(0);
            }
        }

        private void drainVideo(AVCodecContext ctx, AVPacket pkt) throws IOException {
            while (true) {
                int got = avcodec.avcodec_receive_packet(ctx, pkt);
                if (got == avutil.AVERROR_EAGAIN() || got == avutil.AVERROR_EOF()) {
                    return;
                }
                check(got, "receive picture packet");
                byte[] data = bytes(pkt);
                if (parameterSets == null) {
                    parameterSets = parameterSets(data);
                }
                double start = pkt.pts() / (double) spec.fps();
                packets.add(new Packet(
                        data, start, start + 1.0 / spec.fps(), (pkt.flags() & avcodec.AV_PKT_FLAG_KEY) != 0, true));
                avcodec.av_packet_unref(pkt);
            }
        }

        /** The SPS and PPS NAL units (Annex B, start codes kept) of the first IDR access unit. */
        private static byte[] parameterSets(byte[] accessUnit) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            List<Integer> starts = new ArrayList<>();
            for (int i = 0; i + 3 <= accessUnit.length; i++) {
                if (accessUnit[i] == 0 && accessUnit[i + 1] == 0 && accessUnit[i + 2] == 1) {
                    starts.add(i + 3);
                }
            }
            for (int k = 0; k < starts.size(); k++) {
                int begin = starts.get(k);
                int end = k + 1 < starts.size() ? starts.get(k + 1) - 3 : accessUnit.length;
                while (k + 1 < starts.size() && end > begin && accessUnit[end - 1] == 0) {
                    end--;
                }
                int type = accessUnit[begin] & 0x1f;
                if (type == 7 || type == 8) {
                    out.write(new byte[] {0, 0, 0, 1});
                    out.write(accessUnit, begin, end - begin);
                }
            }
            if (out.size() == 0) {
                throw new IOException("the first H.264 packet carries no SPS/PPS");
            }
            return out.toByteArray();
        }

        /** Encodes the audio of segment {@code index} from {@code start} seconds on and returns where it ends. */
        private double encodeAudio(int index, double start) throws IOException {
            Segment segment = spec.segments().get(index);
            boolean last = index == spec.segments().size() - 1;
            double until = last ? spec.durationSeconds() : spec.segmentStartFrame(index + 1) / (double) spec.fps();
            AudioCodec audioCodec = spec.audioCodec();
            AVCodec codec = avcodec.avcodec_find_encoder_by_name(audioCodec.encoder());
            AVCodecContext ctx = avcodec.avcodec_alloc_context3(codec);
            AVFrame frame = avutil.av_frame_alloc();
            AVPacket pkt = avcodec.av_packet_alloc();
            AVDictionary options = new AVDictionary(null);
            try {
                int rate = segment.sampleRate();
                ctx.sample_rate(rate);
                ctx.sample_fmt(avutil.AV_SAMPLE_FMT_FLTP);
                avutil.av_channel_layout_default(ctx.ch_layout(), segment.channels());
                ctx.bit_rate(bitRate(audioCodec, segment.channels()));
                ctx.time_base(avutil.av_make_q(1, rate));
                if (audioCodec == AudioCodec.AAC) {
                    // Raw frames plus an AudioSpecificConfig: the header needs the first, ADTS wraps the rest.
                    ctx.flags(ctx.flags() | avcodec.AV_CODEC_FLAG_GLOBAL_HEADER);
                }
                if (audioCodec == AudioCodec.MP3) {
                    // Without the bit reservoir no frame borrows bits from the dropped priming frame.
                    avutil.av_dict_set(options, "reservoir", "0", 0);
                }
                check(avcodec.avcodec_open2(ctx, codec, options), "open " + audioCodec.encoder());
                int frameSize = ctx.frame_size();
                int padding = ctx.initial_padding();
                // Feed 'lead' samples from before the segment so that the priming delay plus the lead fill whole
                // frames, which are dropped: the first kept frame then starts exactly at the segment start.
                int lead = (frameSize - padding % frameSize) % frameSize;
                long dropped = (padding + lead) / frameSize;
                long kept = Math.max(1, (long) Math.ceil((until - start) * rate / frameSize - 1e-6));
                if (index == 0) {
                    audioParameters = avcodec.avcodec_parameters_alloc();
                    check(avcodec.avcodec_parameters_from_context(audioParameters, ctx), "audio parameters");
                    audioParameters.initial_padding(0);
                }
                long origin = Math.round(start * rate) - lead;
                // Two frames of signal past the end, so the last kept frame is coded from real sound, not zeros.
                long total = lead + (kept + 2) * frameSize;
                frame.format(ctx.sample_fmt());
                frame.nb_samples(frameSize);
                frame.sample_rate(rate);
                check(avutil.av_channel_layout_copy(frame.ch_layout(), ctx.ch_layout()), "layout");
                check(avutil.av_frame_get_buffer(frame, 0), "sound buffer");
                int channels = segment.channels();
                float[] plane = new float[frameSize];
                for (long written = 0; written < total; written += frameSize) {
                    check(avutil.av_frame_make_writable(frame), "writable sound");
                    for (int i = 0; i < frameSize; i++) {
                        plane[i] = (float) sound.sample(origin + written + i, rate);
                    }
                    for (int c = 0; c < channels; c++) {
                        // 5.1 in FFmpeg's order is FL FR FC LFE SL SR: a 1 kHz beep has no place in the LFE.
                        boolean lfe = channels == 6 && c == 3;
                        frame.data(c)
                                .capacity(4L * frameSize)
                                .asByteBuffer()
                                .asFloatBuffer()
                                .put(lfe ? new float[frameSize] : plane);
                    }
                    frame.pts(written);
                    check(avcodec.avcodec_send_frame(ctx, frame), "encode sound");
                    drainAudio(ctx, pkt, segment, index, start, dropped, kept, padding, frameSize);
                }
                check(avcodec.avcodec_send_frame(ctx, null), "flush " + audioCodec.encoder());
                drainAudio(ctx, pkt, segment, index, start, dropped, kept, padding, frameSize);
                return start + kept * frameSize / (double) rate;
            } finally {
                avutil.av_dict_free(options);
                avcodec.av_packet_free(pkt);
                avutil.av_frame_free(frame);
                avcodec.avcodec_free_context(ctx);
            }
        }

        private static long bitRate(AudioCodec codec, int channels) {
            return switch (codec) {
                case AC3 -> channels == 6 ? 448_000 : 192_000;
                case AAC, MP3 -> channels == 1 ? 64_000 : 128_000;
            };
        }

        private void drainAudio(
                AVCodecContext ctx,
                AVPacket pkt,
                Segment segment,
                int index,
                double start,
                long dropped,
                long kept,
                int padding,
                int frameSize)
                throws IOException {
            while (true) {
                int got = avcodec.avcodec_receive_packet(ctx, pkt);
                if (got == avutil.AVERROR_EAGAIN() || got == avutil.AVERROR_EOF()) {
                    return;
                }
                check(got, "receive sound packet");
                long number = (pkt.pts() + padding) / frameSize - dropped;
                if (number >= 0 && number < kept) {
                    byte[] data = bytes(pkt);
                    if (spec.audioCodec() == AudioCodec.AAC && index > 0) {
                        data = adts(data, segment);
                    }
                    double rate = segment.sampleRate();
                    double end = start + (number + 1) * frameSize / rate;
                    if (index == spec.segments().size() - 1 && number == kept - 1) {
                        // The last frame decodes whole, but the container says the audio ends with the video,
                        // so that the clip's stated length is the video's, as for ClipGenerator's clips.
                        end = Math.min(end, Math.max(spec.durationSeconds(), start + number * frameSize / rate));
                    }
                    packets.add(new Packet(data, start + number * frameSize / rate, end, true, false));
                }
                avcodec.av_packet_unref(pkt);
            }
        }

        /** Prefixes a raw AAC-LC frame with an ADTS header (ISO/IEC 13818-7) stating rate and channels. */
        private static byte[] adts(byte[] raw, Segment segment) {
            int rateIndex = -1;
            for (int i = 0; i < AAC_RATES.length; i++) {
                if (AAC_RATES[i] == segment.sampleRate()) {
                    rateIndex = i;
                }
            }
            int channelConfig = segment.channels() == 6 ? 6 : segment.channels();
            int length = raw.length + 7;
            int profile = 1; // AAC-LC, object type 2, minus one
            byte[] out = new byte[length];
            out[0] = (byte) 0xFF;
            out[1] = (byte) 0xF1; // MPEG-4, layer 0, no CRC
            out[2] = (byte) ((profile << 6) | (rateIndex << 2) | (channelConfig >> 2));
            out[3] = (byte) (((channelConfig & 3) << 6) | (length >> 11));
            out[4] = (byte) ((length >> 3) & 0xFF);
            out[5] = (byte) (((length & 7) << 5) | 0x1F);
            out[6] = (byte) 0xFC; // buffer fullness 0x7FF (variable), one raw data block
            System.arraycopy(raw, 0, out, 7, raw.length);
            return out;
        }

        private void mux() throws IOException {
            AVFormatContext out = new AVFormatContext(null);
            check(
                    avformat.avformat_alloc_output_context2(
                            out,
                            null,
                            spec.container().muxer(),
                            target.toAbsolutePath().toString()),
                    "output context");
            try {
                // The muxers would turn the ADTS-framed AAC back into raw frames, losing the in-band config.
                out.flags(out.flags() & ~AVFMT_FLAG_AUTO_BSF);
                AVStream video = avformat.avformat_new_stream(out, null);
                check(avcodec.avcodec_parameters_copy(video.codecpar(), videoParameters), "video stream");
                setExtradata(video.codecpar(), parameterSets);
                video.codecpar().codec_tag(0);
                video.time_base(avutil.av_make_q(1, spec.fps()));
                AVStream audio = avformat.avformat_new_stream(out, null);
                check(avcodec.avcodec_parameters_copy(audio.codecpar(), audioParameters), "audio stream");
                audio.codecpar().codec_tag(0);
                audio.time_base(avutil.av_make_q(1, audioParameters.sample_rate()));
                AVIOContext io = new AVIOContext(null);
                check(avformat.avio_open(io, target.toAbsolutePath().toString(), avformat.AVIO_FLAG_WRITE), "open");
                out.pb(io);
                check(avformat.avformat_write_header(out, (AVDictionary) null), "write header");
                packets.sort(Comparator.comparingDouble(Packet::start));
                AVPacket pkt = avcodec.av_packet_alloc();
                try {
                    for (Packet p : packets) {
                        AVStream st = p.video() ? video : audio;
                        AVRational tb = st.time_base();
                        long pts = Math.round(p.start() / avutil.av_q2d(tb));
                        long next = Math.round(p.end() / avutil.av_q2d(tb));
                        check(avcodec.av_new_packet(pkt, p.data().length), "packet");
                        pkt.data().put(p.data(), 0, p.data().length);
                        pkt.pts(pts);
                        pkt.dts(pts);
                        pkt.duration(next - pts);
                        pkt.stream_index(st.index());
                        pkt.flags(p.key() ? avcodec.AV_PKT_FLAG_KEY : 0);
                        check(avformat.av_interleaved_write_frame(out, pkt), "write packet");
                    }
                } finally {
                    avcodec.av_packet_free(pkt);
                }
                check(avformat.av_write_trailer(out), "write trailer");
            } finally {
                if (out.pb() != null && !out.pb().isNull()) {
                    avformat.avio_closep(out.pb());
                }
                avformat.avformat_free_context(out);
            }
        }

        private static void setExtradata(AVCodecParameters par, byte[] data) {
            BytePointer buffer = new BytePointer(avutil.av_mallocz(data.length + avcodec.AV_INPUT_BUFFER_PADDING_SIZE));
            buffer.capacity(data.length).put(data, 0, data.length);
            if (par.extradata() != null && !par.extradata().isNull()) {
                avutil.av_free(par.extradata());
            }
            par.extradata(buffer);
            par.extradata_size(data.length);
        }

        private static byte[] bytes(AVPacket pkt) {
            byte[] data = new byte[pkt.size()];
            pkt.data().get(data, 0, data.length);
            return data;
        }

        private static void check(int result, String what) throws IOException {
            if (result < 0) {
                BytePointer message = new BytePointer(256);
                avutil.av_strerror(result, message, 256);
                throw new IOException(what + " failed: " + message.getString());
            }
        }
    }
}
