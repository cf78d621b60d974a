package io.videomerge.testing;

import io.videomerge.testing.SegmentedClipSpec.AudioCodec;
import io.videomerge.testing.SegmentedClipSpec.Container;
import io.videomerge.testing.SegmentedClipSpec.Segment;
import java.util.List;

/**
 * The mid-stream format changes the engine must survive, each as a 3 s clip of two 1.5 s segments at 30 fps
 * with a background tone and flash-and-beep events at 0.7 s, {@value #EVENT_AFTER_CHANGE} s (two frames after
 * the video change, in the second or third audio frame after the audio change) and 2.3 s, clear of 0.5 s fades.
 */
public enum FormatChange {
    /** AC-3 5.1 to 2.0, as a TV recording going from a film to the adverts. */
    AC3_SURROUND_TO_STEREO(AudioCodec.AC3, Segment.of(1.5).withAudio(6, 48_000), Segment.of(1.5)),
    /** AC-3 2.0 to 5.1. */
    AC3_STEREO_TO_SURROUND(AudioCodec.AC3, Segment.of(1.5), Segment.of(1.5).withAudio(6, 48_000)),
    /** MP3 stereo to mono. */
    MP3_STEREO_TO_MONO(AudioCodec.MP3, Segment.of(1.5), Segment.of(1.5).withAudio(1, 48_000)),
    /** AAC stereo to mono. */
    AAC_STEREO_TO_MONO(AudioCodec.AAC, Segment.of(1.5), Segment.of(1.5).withAudio(1, 48_000)),
    /** AAC 48 kHz to 44.1 kHz, stereo throughout. */
    AAC_48K_TO_44K(AudioCodec.AAC, Segment.of(1.5), Segment.of(1.5).withAudio(2, 44_100)),
    /** MP3 48 kHz to 44.1 kHz, stereo throughout. */
    MP3_48K_TO_44K(AudioCodec.MP3, Segment.of(1.5), Segment.of(1.5).withAudio(2, 44_100)),
    /** AC-3 48 kHz to 44.1 kHz, stereo throughout. */
    AC3_48K_TO_44K(AudioCodec.AC3, Segment.of(1.5), Segment.of(1.5).withAudio(2, 44_100)),
    /** H.264 320x240 to 480x270 (4:3 to 16:9), AAC stereo throughout. */
    H264_SIZE(AudioCodec.AAC, Segment.of(1.5), Segment.of(1.5).withSize(480, 270)),
    /** H.264 limited range to full range ({@code yuvj420p}), AAC stereo throughout. */
    H264_FULL_RANGE(AudioCodec.AAC, Segment.of(1.5), Segment.of(1.5).withFullRange(true));

    /** The instants of the events. */
    public static final List<Double> EVENTS = List.of(0.7, 47 / 30.0, 2.3);
    /** The instant of the event placed just after the change. */
    public static final double EVENT_AFTER_CHANGE = 47 / 30.0;

    private final AudioCodec codec;
    private final Segment before;
    private final Segment after;

    FormatChange(AudioCodec codec, Segment before, Segment after) {
        this.codec = codec;
        this.before = before;
        this.after = after;
    }

    /** The clip of this change in {@code container}. */
    public SegmentedClipSpec spec(Container container) {
        return SegmentedClipSpec.of(container, codec, before, after)
                .withEvents(EVENTS.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** Whether the change is in the audio stream (else it is in the video stream). */
    public boolean audio() {
        return before.channels() != after.channels() || before.sampleRate() != after.sampleRate();
    }
}
