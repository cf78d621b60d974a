package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ShortBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacv.FFmpegFrameRecorder;
import org.bytedeco.javacv.Frame;
import org.bytedeco.javacv.FrameRecorder;

/**
 * Writes real, short encoded clips for tests with JavaCV's {@link FFmpegFrameRecorder} (no ffmpeg command line).
 *
 * <p>Every clip has content a test can measure with {@link ClipAnalyzer}:
 * <ul>
 *   <li>a mid-grey background (luma {@value #GREY});</li>
 *   <li>a white marker block covering the top-left quarter-by-quarter of the <em>upright</em> picture
 *       ({@link #MARKER}), so a test can tell whether a rotated clip came out upright;</li>
 *   <li>a dark block stepping one slot to the right on every frame along the bottom of the picture, like a
 *       frame counter, so consecutive frames never look the same;</li>
 *   <li>at every event instant of the {@link ClipSpec}: one full-frame white frame and, starting at the same
 *       instant, a 50 ms 1 kHz beep at half scale; between beeps the audio is silent (or a quiet 440 Hz
 *       tone at -40 dBFS when asked).</li>
 * </ul>
 * An event instant is snapped to the first frame boundary at or after it ({@link ClipSpec#eventInstant}):
 * the flash frame and the beep onset then coincide exactly.
 *
 * <p>MP4s are written with the index at the front ({@code movflags=+faststart}), as web uploads are; a clip with a
 * start offset has every timestamp shifted by the muxer ({@code output_ts_offset}). {@link ClipMutations} then
 * damages or disguises a written file.
 */
public final class ClipGenerator {

    /** Luma of the background. */
    public static final int GREY = 128;
    /** Luma of the corner marker and of a flash frame. */
    public static final int WHITE = 255;
    /** Luma of the moving block. */
    public static final int DARK = 16;
    /** The marker's place in the upright picture, as fractions of its size: left, top, width, height. */
    public static final Region MARKER = new Region(0.0, 0.0, 0.25, 0.25);
    /** Frequency of the beep in Hz. */
    public static final double BEEP_HZ = 1000.0;
    /** Length of the beep in seconds. */
    public static final double BEEP_SECONDS = 0.050;
    /** Peak amplitude of the beep, full scale being 1. */
    public static final double BEEP_AMPLITUDE = 0.5;
    /** Peak amplitude of the optional background tone (-40 dBFS). */
    public static final double TONE_AMPLITUDE = 0.01;

    static {
        // The recorder prints its stream layout at info level; tests want FFmpeg's errors only.
        avutil.av_log_set_level(avutil.AV_LOG_ERROR);
    }

    private ClipGenerator() {}

    /**
     * Encodes the clip {@code spec} describes into {@code target} (replacing it) and returns {@code target}.
     *
     * @throws UncheckedIOException when the recorder fails
     */
    public static Path write(ClipSpec spec, Path target) {
        requireNonNull(spec, "spec");
        requireNonNull(target, "target");
        try {
            Files.deleteIfExists(target);
            encode(spec, target);
            if (spec.format().matroska() && spec.audio() != ClipSpec.Audio.NONE) {
                // FFmpeg's Matroska muxer counts the Duration from timestamp 0, the start offset included.
                fixWebmDurations(target, spec.startSeconds() + spec.frameCount() / (double) spec.fps());
            }
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + spec, e);
        }
    }

    /** Writes {@code spec} into {@code dir} under {@code name} plus the format's extension. */
    public static Path write(ClipSpec spec, Path dir, String name) {
        return write(spec, dir.resolve(name + spec.format().extension()));
    }

    /**
     * Where frame {@code index} has its moving dark block ({@value #DARK}), as a region of the upright
     * {@code displayWidth x displayHeight} picture.
     */
    public static Region movingBlock(int index, int displayWidth, int displayHeight) {
        return TestPattern.movingBlock(index, displayWidth, displayHeight);
    }

    /** The H.264 encoder this build of the natives offers: libx264 (GPL build) when present, else libopenh264. */
    public static String h264Encoder() {
        AVCodec x264 = avcodec.avcodec_find_encoder_by_name("libx264");
        return x264 != null && !x264.isNull() ? "libx264" : "libopenh264";
    }

    private static void encode(ClipSpec spec, Path target) throws IOException {
        int channels = spec.audio().channels();
        FFmpegFrameRecorder recorder = new FFmpegFrameRecorder(target.toFile(), spec.width(), spec.height(), channels);
        try {
            configure(recorder, spec);
            recorder.start();
            writeStreams(recorder, spec);
            recorder.stop();
        } finally {
            recorder.release();
        }
    }

    /**
     * JavaCV 1.5.14 hands encoded audio packets to the muxer with their duration still in the encoder's time
     * base (1/48000) while Matroska counts milliseconds, so the WebM header claims the audio lasts one packet
     * duration (960 "ms") too long. The packets themselves are right; rewrite the segment Duration (EBML
     * 0x4489, an 8-byte float in milliseconds) and the per-track DURATION tags to the true length.
     */
    private static void fixWebmDurations(Path file, double seconds) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        ClipMutations.writeDuration(bytes, seconds, file);
        long nanos = Math.round(seconds * 1e9);
        byte[] tag = String.format(
                        Locale.ROOT,
                        "%02d:%02d:%02d.%09d",
                        nanos / 3_600_000_000_000L,
                        nanos / 60_000_000_000L % 60,
                        nanos / 1_000_000_000L % 60,
                        nanos % 1_000_000_000L)
                .getBytes(StandardCharsets.US_ASCII);
        Matcher m = Pattern.compile("\\d\\d:\\d\\d:\\d\\d\\.\\d{9}")
                .matcher(new String(bytes, StandardCharsets.ISO_8859_1));
        while (m.find()) {
            System.arraycopy(tag, 0, bytes, m.start(), tag.length);
        }
        Files.write(file, bytes);
    }

    private static void configure(FFmpegFrameRecorder recorder, ClipSpec spec) {
        recorder.setFormat(spec.format().muxer());
        if (!spec.format().matroska()) {
            // The index before the media, as web uploads have it, so that cutting the media leaves the index.
            recorder.setOption("movflags", "+faststart");
        }
        recorder.setFrameRate(spec.fps());
        recorder.setGopSize(spec.fps());
        recorder.setPixelFormat(avutil.AV_PIX_FMT_YUV420P);
        // Generous enough that a flash frame after grey frames is still coded close to white.
        long pixelsPerSecond = (long) spec.width() * spec.height() * spec.fps();
        recorder.setVideoBitrate((int) Math.min(8_000_000L, Math.max(400_000L, pixelsPerSecond / 3)));
        switch (spec.format().video()) {
            case H264 -> {
                String encoder = h264Encoder();
                recorder.setVideoCodecName(encoder);
                if (encoder.equals("libx264")) {
                    recorder.setVideoOption("preset", "ultrafast");
                }
            }
            case VP8, VP9 -> {
                recorder.setVideoCodecName(spec.format().video() == ClipSpec.Video.VP8 ? "libvpx" : "libvpx-vp9");
                recorder.setVideoOption("deadline", "realtime");
                recorder.setVideoOption("cpu-used", "8");
            }
            case AV1 -> {
                // The fastest libaom settings: a test clip needs to be AV1, not to be small.
                recorder.setVideoCodecName("libaom-av1");
                recorder.setVideoOption("usage", "realtime");
                recorder.setVideoOption("cpu-used", "8");
                recorder.setVideoOption("lag-in-frames", "0");
                recorder.setVideoOption("row-mt", "1");
            }
        }
        if (spec.startSeconds() > 0) {
            recorder.setOption("output_ts_offset", Long.toString(Math.round(spec.startSeconds() * 1e6)) + "us");
        }
        if (spec.rotation() != 0) {
            // setDisplayRotation takes the counterclockwise angle that av_display_rotation_get reads back;
            // players turn the picture the opposite way, clockwise by spec.rotation() (ClipInfo's convention).
            recorder.setDisplayRotation(-spec.rotation());
        }
        if (spec.audio() != ClipSpec.Audio.NONE) {
            recorder.setSampleRate(spec.sampleRate());
            recorder.setAudioChannels(spec.audio().channels());
            if (spec.format().opus()) {
                recorder.setAudioCodecName("libopus");
                recorder.setAudioBitrate(96_000);
            } else {
                recorder.setAudioCodecName("aac");
                recorder.setAudioBitrate(128_000);
            }
        }
    }

    private static void writeStreams(FFmpegFrameRecorder recorder, ClipSpec spec) throws FrameRecorder.Exception {
        int frames = spec.frameCount();
        boolean[] flash = new boolean[frames];
        for (double t : spec.events()) {
            int f = spec.eventFrame(t);
            if (f < frames) {
                flash[f] = true;
            }
        }
        AudioSynth audio = spec.audio() == ClipSpec.Audio.NONE ? null : new AudioSynth(spec);
        Frame frame = new Frame(spec.width(), spec.height(), Frame.DEPTH_UBYTE, 1);
        for (int i = 0; i < frames; i++) {
            paint(frame, spec, i, flash[i]);
            recorder.record(frame, avutil.AV_PIX_FMT_GRAY8);
            if (audio != null) {
                long until = Math.round((i + 1) * (double) spec.sampleRate() / spec.fps());
                audio.writeUntil(recorder, until);
            }
        }
    }

    private static void paint(Frame frame, ClipSpec spec, int index, boolean flash) {
        TestPattern.paint(
                (ByteBuffer) frame.image[0],
                frame.imageStride,
                spec.width(),
                spec.height(),
                spec.rotation(),
                index,
                flash);
    }

    /** Hands the recorder the interleaved 16-bit samples of the clip's {@link TestPattern.Sound}. */
    private static final class AudioSynth {
        private final ClipSpec spec;
        private final int channels;
        private final TestPattern.Sound sound;
        private final long total;
        private long written;

        AudioSynth(ClipSpec spec) {
            this.spec = spec;
            this.channels = spec.audio().channels();
            this.sound = new TestPattern.Sound(
                    spec.events().stream().map(spec::eventInstant).toList(), spec.backgroundTone());
            this.total = Math.round(spec.frameCount() * (double) spec.sampleRate() / spec.fps());
        }

        void writeUntil(FFmpegFrameRecorder recorder, long until) throws FrameRecorder.Exception {
            long end = Math.min(until, total);
            int count = (int) (end - written);
            if (count <= 0) {
                return;
            }
            ShortBuffer buffer = ShortBuffer.allocate(count * channels);
            for (long n = written; n < end; n++) {
                short s = (short) Math.round(sound.sample(n, spec.sampleRate()) * Short.MAX_VALUE);
                for (int c = 0; c < channels; c++) {
                    buffer.put(s);
                }
            }
            buffer.flip();
            recorder.recordSamples(spec.sampleRate(), channels, buffer);
            written = end;
        }
    }
}
