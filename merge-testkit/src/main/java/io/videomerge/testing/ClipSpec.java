package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What {@link ClipGenerator} should encode: size, frame rate, length, audio layout, display rotation,
 * container and the instants of the flash-and-beep events. Start from {@link #of(int, int)} or
 * {@link #defaults()} and refine with the {@code with…} methods.
 *
 * <p>{@code width} and {@code height} are the coded size, as {@link io.videomerge.internal.probe.ClipInfo}
 * reports it; with a rotation of 90 or 270 the clip displays as {@code height x width}. The picture is
 * drawn so that it looks upright once the player applies the rotation.
 *
 * @param width           coded width in pixels (even, at least 32)
 * @param height          coded height in pixels (even, at least 32)
 * @param fps             frames per second (a whole number; the recorder writes a constant frame rate)
 * @param durationSeconds length of the clip, a whole number of frames is written ({@code round(d * fps)})
 * @param audio           no audio, mono or stereo
 * @param sampleRate      audio sample rate in Hz (WebM/Opus: 8000, 12000, 16000, 24000 or 48000)
 * @param rotation        clockwise display rotation written as a display matrix: 0, 90, 180 or 270
 * @param format          container and codecs
 * @param events          instants in seconds of a one-frame white flash and a 50 ms 1 kHz beep
 * @param backgroundTone  whether the audio between beeps carries a quiet 440 Hz tone instead of silence
 * @param startSeconds    where the clip starts on its container's timeline: the muxer shifts every timestamp by
 *                        it ({@code output_ts_offset}), as cameras and cut-out segments do; 0 to 60 s
 */
public record ClipSpec(
        int width,
        int height,
        int fps,
        double durationSeconds,
        Audio audio,
        int sampleRate,
        int rotation,
        Format format,
        List<Double> events,
        boolean backgroundTone,
        double startSeconds) {

    /** The audio track of a generated clip. */
    public enum Audio {
        /** No audio stream at all. */
        NONE(0),
        /** One channel. */
        MONO(1),
        /** Two channels, both carrying the same signal. */
        STEREO(2);

        private final int channels;

        Audio(int channels) {
            this.channels = channels;
        }

        /** The channel count, 0 for {@link #NONE}. */
        public int channels() {
            return channels;
        }
    }

    /** Container and codecs of a generated clip. */
    public enum Format {
        /** H.264 (libx264 when the GPL natives are present, else libopenh264) and AAC in MP4. */
        MP4_H264_AAC("mp4", ".mp4", Video.H264, false),
        /** VP9 (libvpx-vp9) and Opus (libopus) in WebM. */
        WEBM_VP9_OPUS("webm", ".webm", Video.VP9, true),
        /** VP8 (libvpx) and Opus (libopus) in WebM: what browsers' MediaRecorder writes by default. */
        WEBM_VP8_OPUS("webm", ".webm", Video.VP8, true),
        /** H.264 and AAC in Matroska. */
        MKV_H264_AAC("matroska", ".mkv", Video.H264, false),
        /** AV1 (libaom-av1, fastest settings) and AAC in MP4. */
        MP4_AV1_AAC("mp4", ".mp4", Video.AV1, false),
        /** AV1 (libaom-av1, fastest settings) and Opus (libopus) in WebM. */
        WEBM_AV1_OPUS("webm", ".webm", Video.AV1, true);

        private final String muxer;
        private final String extension;
        private final Video video;
        private final boolean opus;

        Format(String muxer, String extension, Video video, boolean opus) {
            this.muxer = muxer;
            this.extension = extension;
            this.video = video;
            this.opus = opus;
        }

        /** The video codec written. */
        public Video video() {
            return video;
        }

        /** Whether the audio is Opus (else AAC). */
        public boolean opus() {
            return opus;
        }

        /** Whether the container is Matroska or WebM. */
        public boolean matroska() {
            return !muxer.equals("mp4");
        }

        /** The libavformat muxer name. */
        public String muxer() {
            return muxer;
        }

        /** The usual file name extension, with the dot. */
        public String extension() {
            return extension;
        }
    }

    /** The video codec of a generated clip. */
    public enum Video {
        /** H.264. */
        H264,
        /** VP8. */
        VP8,
        /** VP9. */
        VP9,
        /** AV1. */
        AV1
    }

    private static final Set<Integer> OPUS_RATES = Set.of(8000, 12000, 16000, 24000, 48000);

    public ClipSpec {
        if (width < 32 || height < 32 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("size must be even and at least 32x32: " + width + "x" + height);
        }
        if (fps < 1 || fps > 120) {
            throw new IllegalArgumentException("fps must be 1..120: " + fps);
        }
        if (!(durationSeconds > 0) || durationSeconds > 600) {
            throw new IllegalArgumentException("durationSeconds must be in (0, 600]: " + durationSeconds);
        }
        requireNonNull(audio, "audio");
        requireNonNull(format, "format");
        if (audio != Audio.NONE && (sampleRate < 8000 || sampleRate > 96000)) {
            throw new IllegalArgumentException("sampleRate must be 8000..96000: " + sampleRate);
        }
        if (audio != Audio.NONE && format.opus() && !OPUS_RATES.contains(sampleRate)) {
            throw new IllegalArgumentException("Opus takes 8, 12, 16, 24 or 48 kHz: " + sampleRate);
        }
        if (rotation != 0 && rotation != 90 && rotation != 180 && rotation != 270) {
            throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270: " + rotation);
        }
        if (!(startSeconds >= 0) || startSeconds > 60) {
            throw new IllegalArgumentException("startSeconds must be in [0, 60]: " + startSeconds);
        }
        events = List.copyOf(requireNonNull(events, "events"));
        for (double t : events) {
            if (t < 0 || t >= durationSeconds) {
                throw new IllegalArgumentException("event outside the clip: " + t);
            }
        }
    }

    /** A clip starting at 0 on its container's timeline. */
    public ClipSpec(
            int width,
            int height,
            int fps,
            double durationSeconds,
            Audio audio,
            int sampleRate,
            int rotation,
            Format format,
            List<Double> events,
            boolean backgroundTone) {
        this(width, height, fps, durationSeconds, audio, sampleRate, rotation, format, events, backgroundTone, 0);
    }

    /** 320x240, 25 fps, 2 s, stereo 48 kHz, upright, H.264/AAC in MP4, no events, silent between events. */
    public static ClipSpec defaults() {
        return new ClipSpec(320, 240, 25, 2.0, Audio.STEREO, 48_000, 0, Format.MP4_H264_AAC, List.of(), false);
    }

    /** The {@link #defaults()} with another coded size. */
    public static ClipSpec of(int width, int height) {
        return defaults().withSize(width, height);
    }

    public ClipSpec withSize(int w, int h) {
        return new ClipSpec(
                w, h, fps, durationSeconds, audio, sampleRate, rotation, format, events, backgroundTone, startSeconds);
    }

    public ClipSpec withFps(int f) {
        return new ClipSpec(
                width,
                height,
                f,
                durationSeconds,
                audio,
                sampleRate,
                rotation,
                format,
                events,
                backgroundTone,
                startSeconds);
    }

    public ClipSpec withDuration(double seconds) {
        return new ClipSpec(
                width, height, fps, seconds, audio, sampleRate, rotation, format, events, backgroundTone, startSeconds);
    }

    public ClipSpec withAudio(Audio a) {
        return new ClipSpec(
                width,
                height,
                fps,
                durationSeconds,
                a,
                sampleRate,
                rotation,
                format,
                events,
                backgroundTone,
                startSeconds);
    }

    public ClipSpec withAudio(Audio a, int rate) {
        return new ClipSpec(
                width, height, fps, durationSeconds, a, rate, rotation, format, events, backgroundTone, startSeconds);
    }

    public ClipSpec withoutAudio() {
        return withAudio(Audio.NONE);
    }

    public ClipSpec withRotation(int degreesClockwise) {
        return new ClipSpec(
                width,
                height,
                fps,
                durationSeconds,
                audio,
                sampleRate,
                degreesClockwise,
                format,
                events,
                backgroundTone,
                startSeconds);
    }

    /** Another container and codecs; Opus formats keep an Opus sample rate or get 48 kHz. */
    public ClipSpec withFormat(Format f) {
        int rate = !f.opus() || OPUS_RATES.contains(sampleRate) ? sampleRate : 48_000;
        return new ClipSpec(
                width, height, fps, durationSeconds, audio, rate, rotation, f, events, backgroundTone, startSeconds);
    }

    /** WebM (VP9/Opus); Opus needs one of its own sample rates, so 48 kHz is kept or forced. */
    public ClipSpec asWebm() {
        return withFormat(Format.WEBM_VP9_OPUS);
    }

    /** The clip shifted to start at {@code seconds} on its container's timeline. */
    public ClipSpec withStart(double seconds) {
        return new ClipSpec(
                width,
                height,
                fps,
                durationSeconds,
                audio,
                sampleRate,
                rotation,
                format,
                events,
                backgroundTone,
                seconds);
    }

    public ClipSpec withEvents(double... seconds) {
        return new ClipSpec(
                width,
                height,
                fps,
                durationSeconds,
                audio,
                sampleRate,
                rotation,
                format,
                Arrays.stream(seconds).boxed().toList(),
                backgroundTone,
                startSeconds);
    }

    public ClipSpec withBackgroundTone(boolean tone) {
        return new ClipSpec(
                width, height, fps, durationSeconds, audio, sampleRate, rotation, format, events, tone, startSeconds);
    }

    /** The number of video frames written. */
    public int frameCount() {
        return (int) Math.round(durationSeconds * fps);
    }

    /** The width as displayed, after rotation. */
    public int displayWidth() {
        return rotation % 180 == 0 ? width : height;
    }

    /** The height as displayed, after rotation. */
    public int displayHeight() {
        return rotation % 180 == 0 ? height : width;
    }

    /** The instant in seconds at which an event asked for at {@code seconds} really happens (frame-aligned). */
    public double eventInstant(double seconds) {
        return eventFrame(seconds) / (double) fps;
    }

    /** The index of the frame that flashes for an event at {@code seconds}: the first frame at or after it. */
    public int eventFrame(double seconds) {
        return (int) Math.ceil(seconds * fps - 1e-9);
    }
}
