package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * What {@link SegmentedClipWriter} should encode: one H.264 video stream and one audio stream made of consecutive
 * segments, each with its own picture size, colour range, channel count and sample rate, plus the flash-and-beep
 * events and the optional background tone of {@link ClipGenerator}'s clips.
 *
 * @param container      MP4 or Matroska
 * @param audioCodec     the audio codec of every segment
 * @param fps            frames per second, the same in every segment
 * @param segments       the segments in order, at least one
 * @param events         instants in seconds of a one-frame white flash and a 50 ms 1 kHz beep (frame-aligned
 *                       like {@link ClipSpec#eventInstant})
 * @param backgroundTone whether the audio between beeps carries a quiet 440 Hz tone instead of silence
 */
public record SegmentedClipSpec(
        Container container,
        AudioCodec audioCodec,
        int fps,
        List<Segment> segments,
        List<Double> events,
        boolean backgroundTone) {

    /** The container of a segmented clip. */
    public enum Container {
        /** ISO MP4. */
        MP4("mp4", ".mp4"),
        /** Matroska. */
        MATROSKA("matroska", ".mkv");

        private final String muxer;
        private final String extension;

        Container(String muxer, String extension) {
            this.muxer = muxer;
            this.extension = extension;
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

    /** The audio codec of a segmented clip; each one's frames describe their own channel layout and rate. */
    public enum AudioCodec {
        /** AAC-LC (FFmpeg's encoder); segments after the first are ADTS-framed so they carry their config. */
        AAC("aac", Set.of(1, 2, 6)),
        /** AC-3 (Dolby Digital), mono, stereo or 5.1. */
        AC3("ac3", Set.of(1, 2, 6)),
        /** MPEG-1 Layer III (libmp3lame), mono or stereo. */
        MP3("libmp3lame", Set.of(1, 2));

        private final String encoder;
        private final Set<Integer> channels;

        AudioCodec(String encoder, Set<Integer> channels) {
            this.encoder = encoder;
            this.channels = channels;
        }

        /** The libavcodec encoder name. */
        public String encoder() {
            return encoder;
        }
    }

    /**
     * One stretch of a segmented clip. The video changes at the first frame of a segment (an IDR frame); the
     * audio changes at the first audio frame boundary at or after the segment's start, which
     * {@link SegmentedClip#audioChanges()} reports.
     *
     * @param seconds    length; the video gets {@code round(seconds * fps)} frames (summed over the segments)
     * @param width      coded width (even, at least 32)
     * @param height     coded height (even, at least 32)
     * @param fullRange  whether the pictures are full-range ({@code yuvj420p}) rather than limited
     * @param channels   1, 2 or 6 (5.1 with a silent LFE channel)
     * @param sampleRate 32000, 44100 or 48000 Hz
     */
    public record Segment(double seconds, int width, int height, boolean fullRange, int channels, int sampleRate) {
        private static final Set<Integer> RATES = Set.of(32_000, 44_100, 48_000);

        public Segment {
            if (!(seconds > 0) || seconds > 60) {
                throw new IllegalArgumentException("seconds must be in (0, 60]: " + seconds);
            }
            if (width < 32 || height < 32 || width % 2 != 0 || height % 2 != 0) {
                throw new IllegalArgumentException("size must be even and at least 32x32: " + width + "x" + height);
            }
            if (channels != 1 && channels != 2 && channels != 6) {
                throw new IllegalArgumentException("channels must be 1, 2 or 6: " + channels);
            }
            if (!RATES.contains(sampleRate)) {
                throw new IllegalArgumentException("sampleRate must be 32000, 44100 or 48000: " + sampleRate);
            }
        }

        /** {@code seconds} of 320x240 limited-range video with stereo 48 kHz audio. */
        public static Segment of(double seconds) {
            return new Segment(seconds, 320, 240, false, 2, 48_000);
        }

        public Segment withSize(int w, int h) {
            return new Segment(seconds, w, h, fullRange, channels, sampleRate);
        }

        public Segment withFullRange(boolean full) {
            return new Segment(seconds, width, height, full, channels, sampleRate);
        }

        public Segment withAudio(int channelCount, int rate) {
            return new Segment(seconds, width, height, fullRange, channelCount, rate);
        }
    }

    public SegmentedClipSpec {
        requireNonNull(container, "container");
        requireNonNull(audioCodec, "audioCodec");
        if (fps < 1 || fps > 60) {
            throw new IllegalArgumentException("fps must be 1..60: " + fps);
        }
        segments = List.copyOf(requireNonNull(segments, "segments"));
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("at least one segment");
        }
        for (Segment s : segments) {
            if (!audioCodec.channels.contains(s.channels())) {
                throw new IllegalArgumentException(audioCodec + " cannot carry " + s.channels() + " channels");
            }
        }
        events = List.copyOf(requireNonNull(events, "events"));
        double length = segments.stream().mapToDouble(Segment::seconds).sum();
        for (double t : events) {
            if (t < 0 || t >= length) {
                throw new IllegalArgumentException("event outside the clip: " + t);
            }
        }
    }

    /** 30 fps, no events, a background tone, with {@code segments}. */
    public static SegmentedClipSpec of(Container container, AudioCodec codec, Segment... segments) {
        return new SegmentedClipSpec(container, codec, 30, List.of(segments), List.of(), true);
    }

    public SegmentedClipSpec withEvents(double... seconds) {
        return new SegmentedClipSpec(
                container,
                audioCodec,
                fps,
                segments,
                Arrays.stream(seconds).boxed().toList(),
                backgroundTone);
    }

    public SegmentedClipSpec withBackgroundTone(boolean tone) {
        return new SegmentedClipSpec(container, audioCodec, fps, segments, events, tone);
    }

    /** The number of video frames written. */
    public int frameCount() {
        return segmentStartFrame(segments.size());
    }

    /** The index of the first video frame of segment {@code index} ({@code segments().size()} for the end). */
    public int segmentStartFrame(int index) {
        double start = 0;
        for (int i = 0; i < index; i++) {
            start += segments.get(i).seconds();
        }
        return (int) Math.round(start * fps);
    }

    /** The length of the video in seconds. */
    public double durationSeconds() {
        return frameCount() / (double) fps;
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
