package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import io.videomerge.Limits;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/**
 * Decodes a whole media file with libavcodec and answers what tests ask of it: the probed facts, the frame
 * count, whether every packet decoded cleanly, the instants of white flashes and of beeps, the mean luma of a
 * region of the upright picture at a given time, and whether a stretch of audio is silent.
 *
 * <p>A stream may change format part-way: {@link #audioFormats()} and {@link #videoFormats()} list each
 * change as the decoder reported it, and audio after a sample-rate change is resampled (linearly) to the first
 * frame's rate, so the instants and durations stay right.
 *
 * <p>Luma is reported full-range (0 black .. 255 white) whatever range the stream uses. Pictures are kept as a
 * {@value #GRID}x{@value #GRID} grid of cell means in display orientation (the display matrix applied), so
 * memory stays small while regions remain accurate to 1/{@value #GRID} of the picture.
 */
public final class ClipAnalyzer {
    /** Cells per side of the stored picture grid. */
    public static final int GRID = 64;
    /** A frame is a flash when its mean luma is this far above the clip's median frame luma. */
    private static final double FLASH_RISE = 50;
    /** Audio above this magnitude (full scale 1) counts as a beep. */
    private static final double BEEP_LEVEL = 0.1;
    /** A beep onset needs this much quiet before it (seconds). */
    private static final double BEEP_GAP = 0.030;
    /** Audio below this magnitude counts as silence (about -50 dBFS). */
    public static final double SILENCE_LEVEL = 0.003;
    /** libavutil's AV_FRAME_FLAG_CORRUPT (frame.h), which the presets do not export. */
    private static final int AV_FRAME_FLAG_CORRUPT = 1;

    /**
     * The format of decoded audio from {@code time} (seconds) on.
     *
     * @param time       presentation time of the first frame in this format
     * @param channels   channel count
     * @param sampleRate sample rate in Hz
     */
    public record AudioFormat(double time, int channels, int sampleRate) {
        /** This format from {@code seconds} on, to compare formats whatever their instants. */
        public AudioFormat withTime(double seconds) {
            return new AudioFormat(seconds, channels, sampleRate);
        }
    }

    /**
     * The format of decoded pictures from {@code time} (seconds) on.
     *
     * @param time      presentation time of the first frame in this format
     * @param width     coded width
     * @param height    coded height
     * @param fullRange whether the frame is full-range (JPEG) YUV rather than limited (MPEG)
     */
    public record VideoFormat(double time, int width, int height, boolean fullRange) {
        /** This format from {@code seconds} on, to compare formats whatever their instants. */
        public VideoFormat withTime(double seconds) {
            return new VideoFormat(seconds, width, height, fullRange);
        }
    }

    private final ClipInfo info;
    private final double[] frameTimes;
    private final byte[][] grids;
    private final double[] frameLuma;
    private final int decodeErrors;
    private final int sampleRate;
    private final double audioStart;
    private final float[] audio;
    private final List<AudioFormat> audioFormats;
    private final List<VideoFormat> videoFormats;
    private final List<Double> errorTimes;

    private ClipAnalyzer(
            ClipInfo info,
            double[] frameTimes,
            byte[][] grids,
            double[] frameLuma,
            int decodeErrors,
            int sampleRate,
            double audioStart,
            float[] audio,
            List<AudioFormat> audioFormats,
            List<VideoFormat> videoFormats,
            List<Double> errorTimes) {
        this.info = info;
        this.frameTimes = frameTimes;
        this.grids = grids;
        this.frameLuma = frameLuma;
        this.decodeErrors = decodeErrors;
        this.sampleRate = sampleRate;
        this.audioStart = audioStart;
        this.audio = audio;
        this.audioFormats = List.copyOf(audioFormats);
        this.videoFormats = List.copyOf(videoFormats);
        this.errorTimes = List.copyOf(errorTimes);
    }

    /** Probes (with the production {@link Prober} under default limits) and decodes {@code file} completely. */
    public static ClipAnalyzer analyze(Path file) {
        requireNonNull(file, "file");
        ClipInfo info = new Prober(Limits.defaults()).probe(file, 0);
        return new Decoding(file, info).run();
    }

    /** The probed facts. */
    public ClipInfo info() {
        return info;
    }

    /** How many video frames decoded. */
    public int frameCount() {
        return frameTimes.length;
    }

    /** Presentation times of the decoded video frames, in seconds. */
    public List<Double> frameTimes() {
        return Arrays.stream(frameTimes).boxed().toList();
    }

    /** How many packets or frames the decoders reported as broken or corrupt. */
    public int decodeErrors() {
        return decodeErrors;
    }

    /**
     * The instants (seconds) of the packets the decoders rejected or whose frames came out corrupt, one entry per
     * error; NaN for an error while draining at the end.
     */
    public List<Double> decodeErrorInstants() {
        return errorTimes;
    }

    /** The first decoded audio format and every change of channel count or sample rate after it. */
    public List<AudioFormat> audioFormats() {
        return audioFormats;
    }

    /** The first decoded picture format and every change of size or colour range after it. */
    public List<VideoFormat> videoFormats() {
        return videoFormats;
    }

    /** Whether every packet decoded without an error and no frame was flagged corrupt. */
    public boolean decodedCleanly() {
        return decodeErrors == 0;
    }

    /** Whether the file has decoded audio. */
    public boolean hasAudio() {
        return audio.length > 0;
    }

    /** Length of the decoded audio in seconds. */
    public double audioDuration() {
        return sampleRate == 0 ? 0 : audio.length / (double) sampleRate;
    }

    /** Mean full-range luma of the whole upright picture shown at {@code seconds}. */
    public double meanLuma(double seconds) {
        return meanLuma(seconds, new Region(0, 0, 1, 1));
    }

    /** Mean full-range luma of {@code region} of the upright picture shown at {@code seconds}. */
    public double meanLuma(double seconds, Region region) {
        requireNonNull(region, "region");
        byte[] grid = grids[frameAt(seconds)];
        int c0 = cell(region.left());
        int c1 = Math.max(c0 + 1, cell(region.left() + region.width()));
        int r0 = cell(region.top());
        int r1 = Math.max(r0 + 1, cell(region.top() + region.height()));
        long sum = 0;
        for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
                sum += grid[r * GRID + c] & 0xff;
            }
        }
        return sum / (double) ((r1 - r0) * (c1 - c0));
    }

    /** Start times (seconds) of white flashes: frames much brighter than the clip's usual picture. */
    public List<Double> flashInstants() {
        double[] sorted = frameLuma.clone();
        Arrays.sort(sorted);
        double threshold = (sorted.length == 0 ? 0 : sorted[sorted.length / 2]) + FLASH_RISE;
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < frameLuma.length; i++) {
            if (frameLuma[i] > threshold && (i == 0 || frameLuma[i - 1] <= threshold)) {
                out.add(frameTimes[i]);
            }
        }
        return out;
    }

    /** Start times (seconds) of beeps: audio crossing {@value #BEEP_LEVEL} after at least 30 ms below it. */
    public List<Double> beepInstants() {
        List<Double> out = new ArrayList<>();
        long gap = Math.round(BEEP_GAP * sampleRate);
        long quiet = gap;
        for (int i = 0; i < audio.length; i++) {
            if (Math.abs(audio[i]) >= BEEP_LEVEL) {
                if (quiet >= gap) {
                    out.add(audioStart + i / (double) sampleRate);
                }
                quiet = 0;
            } else {
                quiet++;
            }
        }
        return out;
    }

    /** Highest magnitude (full scale 1) of the mixed-down audio between {@code from} and {@code to} seconds. */
    public double audioPeak(double from, double to) {
        int a = (int) Math.max(0, Math.floor((from - audioStart) * sampleRate));
        int b = (int) Math.min(audio.length, Math.ceil((to - audioStart) * sampleRate));
        double peak = 0;
        for (int i = a; i < b; i++) {
            peak = Math.max(peak, Math.abs(audio[i]));
        }
        return peak;
    }

    /** Whether the audio between {@code from} and {@code to} seconds stays below {@value #SILENCE_LEVEL}. */
    public boolean isSilent(double from, double to) {
        if (audio.length == 0) {
            throw new IllegalStateException("the clip has no audio");
        }
        return audioPeak(from, to) < SILENCE_LEVEL;
    }

    /**
     * The longest stretch (seconds) between {@code from} and {@code to} seconds where the audio stays below
     * {@value #SILENCE_LEVEL}: a gap in a background tone, whose own zero crossings last well under a millisecond.
     */
    public double longestSilence(double from, double to) {
        if (audio.length == 0) {
            throw new IllegalStateException("the clip has no audio");
        }
        int a = (int) Math.max(0, Math.floor((from - audioStart) * sampleRate));
        int b = (int) Math.min(audio.length, Math.ceil((to - audioStart) * sampleRate));
        int longest = 0;
        int run = 0;
        for (int i = a; i < b; i++) {
            run = Math.abs(audio[i]) < SILENCE_LEVEL ? run + 1 : 0;
            longest = Math.max(longest, run);
        }
        return longest / (double) sampleRate;
    }

    private int frameAt(double seconds) {
        if (frameTimes.length == 0) {
            throw new IllegalStateException("the clip has no decoded video frame");
        }
        int found = 0;
        for (int i = 0; i < frameTimes.length; i++) {
            if (frameTimes[i] <= seconds + 1e-6) {
                found = i;
            }
        }
        return found;
    }

    private static int cell(double fraction) {
        return (int) Math.max(0, Math.min(GRID, Math.round(fraction * GRID)));
    }

    /** One decoding pass over the file. */
    private static final class Decoding {
        private final Path file;
        private final ClipInfo info;
        private final List<Double> times = new ArrayList<>();
        private final List<byte[]> grids = new ArrayList<>();
        private final List<Double> lumas = new ArrayList<>();
        private float[] samples = new float[1 << 16];
        private int sampleCount;
        private double audioStart = Double.NaN;
        private int sampleRate;
        private double resampledUntil;
        private float lastSample;
        private int errors;
        private final List<Double> errorTimes = new ArrayList<>();
        private final List<AudioFormat> audioFormats = new ArrayList<>();
        private final List<VideoFormat> videoFormats = new ArrayList<>();

        Decoding(Path file, ClipInfo info) {
            this.file = file;
            this.info = info;
        }

        ClipAnalyzer run() {
            AVFormatContext fmt = avformat.avformat_alloc_context();
            if (avformat.avformat_open_input(fmt, "file:" + file.toAbsolutePath(), null, null) < 0) {
                throw new IllegalStateException("cannot open " + file);
            }
            AVCodecContext vdec = null;
            AVCodecContext adec = null;
            AVPacket pkt = avcodec.av_packet_alloc();
            AVFrame frame = avutil.av_frame_alloc();
            try {
                if (avformat.avformat_find_stream_info(fmt, (org.bytedeco.javacpp.PointerPointer<?>) null) < 0) {
                    throw new IllegalStateException("no stream info in " + file);
                }
                int v = avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_VIDEO, -1, -1, (AVCodec) null, 0);
                int a = avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_AUDIO, -1, v, (AVCodec) null, 0);
                AVStream vst = v >= 0 ? fmt.streams(v) : null;
                AVStream ast = a >= 0 ? fmt.streams(a) : null;
                vdec = vst != null ? open(vst) : null;
                adec = ast != null ? open(ast) : null;
                while (avformat.av_read_frame(fmt, pkt) >= 0) {
                    try {
                        if (vst != null && pkt.stream_index() == v) {
                            feed(vdec, pkt, frame, vst, true);
                        } else if (ast != null && pkt.stream_index() == a) {
                            feed(adec, pkt, frame, ast, false);
                        }
                    } finally {
                        avcodec.av_packet_unref(pkt);
                    }
                }
                if (vdec != null) {
                    feed(vdec, null, frame, vst, true);
                }
                if (adec != null) {
                    feed(adec, null, frame, ast, false);
                }
            } finally {
                avutil.av_frame_free(frame);
                avcodec.av_packet_free(pkt);
                if (vdec != null) {
                    avcodec.avcodec_free_context(vdec);
                }
                if (adec != null) {
                    avcodec.avcodec_free_context(adec);
                }
                avformat.avformat_close_input(fmt);
            }
            return new ClipAnalyzer(
                    info,
                    times.stream().mapToDouble(Double::doubleValue).toArray(),
                    grids.toArray(new byte[0][]),
                    lumas.stream().mapToDouble(Double::doubleValue).toArray(),
                    errors,
                    sampleRate,
                    Double.isNaN(audioStart) ? 0 : audioStart,
                    Arrays.copyOf(samples, sampleCount),
                    audioFormats,
                    videoFormats,
                    errorTimes);
        }

        private static AVCodecContext open(AVStream st) {
            AVCodec codec = avcodec.avcodec_find_decoder(st.codecpar().codec_id());
            AVCodecContext ctx = avcodec.avcodec_alloc_context3(codec);
            avcodec.avcodec_parameters_to_context(ctx, st.codecpar());
            ctx.pkt_timebase(st.time_base());
            // Report damage instead of concealing it: decodedCleanly() must mean something.
            ctx.err_recognition(ctx.err_recognition() | avcodec.AV_EF_EXPLODE | avcodec.AV_EF_CRCCHECK);
            if (avcodec.avcodec_open2(ctx, codec, (org.bytedeco.ffmpeg.avutil.AVDictionary) null) < 0) {
                avcodec.avcodec_free_context(ctx);
                throw new IllegalStateException("cannot open the decoder");
            }
            return ctx;
        }

        private void feed(AVCodecContext ctx, AVPacket pkt, AVFrame frame, AVStream st, boolean video) {
            double packetTime = pkt == null || pkt.pts() == avutil.AV_NOPTS_VALUE()
                    ? Double.NaN
                    : pkt.pts() * avutil.av_q2d(st.time_base());
            int sent = avcodec.avcodec_send_packet(ctx, pkt);
            if (sent < 0 && sent != avutil.AVERROR_EOF()) {
                error(packetTime);
                return;
            }
            while (true) {
                int got = avcodec.avcodec_receive_frame(ctx, frame);
                if (got == avutil.AVERROR_EAGAIN() || got == avutil.AVERROR_EOF()) {
                    return;
                }
                if (got < 0) {
                    error(packetTime);
                    return;
                }
                if (frame.decode_error_flags() != 0 || (frame.flags() & AV_FRAME_FLAG_CORRUPT) != 0) {
                    error(packetTime);
                }
                double t = frame.best_effort_timestamp() == avutil.AV_NOPTS_VALUE()
                        ? Double.NaN
                        : frame.best_effort_timestamp() * avutil.av_q2d(st.time_base());
                if (video) {
                    picture(frame, t);
                } else {
                    sound(frame, t);
                }
                avutil.av_frame_unref(frame);
            }
        }

        private void error(double packetTime) {
            errors++;
            errorTimes.add(packetTime);
        }

        private void picture(AVFrame frame, double t) {
            int w = frame.width();
            int h = frame.height();
            int format = frame.format();
            if (avutil.av_get_bits_per_pixel(avutil.av_pix_fmt_desc_get(format)) == 0
                    || avutil.av_pix_fmt_desc_get(format).comp(0).depth() != 8) {
                throw new IllegalStateException("only 8-bit pictures are analysed, got "
                        + avutil.av_get_pix_fmt_name(format).getString());
            }
            boolean fullRange = frame.color_range() == avutil.AVCOL_RANGE_JPEG
                    || format == avutil.AV_PIX_FMT_GRAY8
                    || format == avutil.AV_PIX_FMT_YUVJ420P
                    || format == avutil.AV_PIX_FMT_YUVJ422P
                    || format == avutil.AV_PIX_FMT_YUVJ444P;
            VideoFormat now = new VideoFormat(t, w, h, fullRange);
            VideoFormat last = videoFormats.isEmpty() ? null : videoFormats.get(videoFormats.size() - 1);
            if (last == null || last.width() != w || last.height() != h || last.fullRange() != fullRange) {
                videoFormats.add(now);
            }
            int rotation = info.rotation();
            int dw = rotation % 180 == 0 ? w : h;
            int dh = rotation % 180 == 0 ? h : w;
            int[] byX = new int[w];
            int[] byY = new int[h];
            for (int x = 0; x < w; x++) {
                byX[x] = switch (rotation) {
                    case 90 -> (x * GRID / w) * GRID;
                    case 180 -> (w - 1 - x) * GRID / w;
                    case 270 -> ((w - 1 - x) * GRID / w) * GRID;
                    default -> x * GRID / w;
                };
            }
            for (int y = 0; y < h; y++) {
                byY[y] = switch (rotation) {
                    case 90 -> (h - 1 - y) * GRID / h;
                    case 180 -> ((h - 1 - y) * GRID / h) * GRID;
                    case 270 -> y * GRID / h;
                    default -> (y * GRID / h) * GRID;
                };
            }
            long[] sums = new long[GRID * GRID];
            long[] counts = new long[GRID * GRID];
            BytePointer plane = frame.data(0);
            int stride = frame.linesize(0);
            byte[] row = new byte[w];
            long total = 0;
            for (int y = 0; y < h; y++) {
                plane.position((long) y * stride).get(row, 0, w);
                int base = byY[y];
                for (int x = 0; x < w; x++) {
                    int luma = row[x] & 0xff;
                    int cell = base + byX[x];
                    sums[cell] += luma;
                    counts[cell]++;
                    total += luma;
                }
            }
            plane.position(0);
            byte[] grid = new byte[GRID * GRID];
            for (int i = 0; i < grid.length; i++) {
                double mean = counts[i] == 0 ? 0 : sums[i] / (double) counts[i];
                grid[i] = (byte) Math.round(toFull(mean, fullRange));
            }
            if (dw <= 0 || dh <= 0) {
                throw new IllegalStateException("empty picture");
            }
            times.add(t);
            grids.add(grid);
            lumas.add(toFull(total / (double) ((long) w * h), fullRange));
        }

        private static double toFull(double luma, boolean fullRange) {
            return fullRange ? luma : Math.max(0, Math.min(255, (luma - 16) * 255.0 / 219.0));
        }

        private void sound(AVFrame frame, double t) {
            int n = frame.nb_samples();
            int channels = frame.ch_layout().nb_channels();
            int rate = frame.sample_rate();
            int format = frame.format();
            if (Double.isNaN(audioStart)) {
                audioStart = Double.isNaN(t) ? 0 : t;
                sampleRate = rate;
            }
            AudioFormat last = audioFormats.isEmpty() ? null : audioFormats.get(audioFormats.size() - 1);
            if (last == null || last.channels() != channels || last.sampleRate() != rate) {
                audioFormats.add(new AudioFormat(t, channels, rate));
            }
            boolean planar = avutil.av_sample_fmt_is_planar(format) != 0;
            int bytes = avutil.av_get_bytes_per_sample(format);
            int packed = avutil.av_get_packed_sample_fmt(format);
            float[] mixed = new float[n];
            for (int i = 0; i < n; i++) {
                double sum = 0;
                for (int c = 0; c < channels; c++) {
                    BytePointer p = frame.extended_data(planar ? c : 0);
                    long offset = (long) (planar ? i : i * channels + c) * bytes;
                    sum += sampleAt(p, offset, packed);
                }
                mixed[i] = (float) (sum / channels);
            }
            if (rate == sampleRate) {
                ensure(sampleCount + n);
                System.arraycopy(mixed, 0, samples, sampleCount, n);
                sampleCount += n;
                resampledUntil = sampleCount / (double) sampleRate;
            } else {
                resample(mixed, rate);
            }
            lastSample = n > 0 ? mixed[n - 1] : lastSample;
        }

        /** Appends {@code mixed}, sampled at {@code rate}, at the first frame's rate (linear interpolation). */
        private void resample(float[] mixed, int rate) {
            double end = resampledUntil + mixed.length / (double) rate;
            int target = (int) Math.round(end * sampleRate);
            ensure(target);
            for (int k = sampleCount; k < target; k++) {
                double position = (k / (double) sampleRate - resampledUntil) * rate;
                int i = (int) Math.floor(position);
                double frac = position - i;
                float a = i < 0 ? lastSample : mixed[Math.min(i, mixed.length - 1)];
                float b = mixed[Math.max(0, Math.min(i + 1, mixed.length - 1))];
                samples[k] = (float) (a + (b - a) * frac);
            }
            sampleCount = Math.max(sampleCount, target);
            resampledUntil = end;
        }

        private static double sampleAt(BytePointer p, long offset, int packedFormat) {
            if (packedFormat == avutil.AV_SAMPLE_FMT_FLT) {
                return p.getFloat(offset);
            } else if (packedFormat == avutil.AV_SAMPLE_FMT_DBL) {
                return p.getDouble(offset);
            } else if (packedFormat == avutil.AV_SAMPLE_FMT_S16) {
                return p.getShort(offset) / 32768.0;
            } else if (packedFormat == avutil.AV_SAMPLE_FMT_S32) {
                return p.getInt(offset) / 2147483648.0;
            } else if (packedFormat == avutil.AV_SAMPLE_FMT_U8) {
                return ((p.get(offset) & 0xff) - 128) / 128.0;
            }
            throw new IllegalStateException("unexpected sample format " + packedFormat);
        }

        private void ensure(int capacity) {
            if (capacity > samples.length) {
                samples = Arrays.copyOf(samples, Math.max(capacity, samples.length * 2));
            }
        }
    }
}
