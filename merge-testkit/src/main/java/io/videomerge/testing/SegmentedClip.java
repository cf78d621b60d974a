package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.util.List;

/**
 * A file {@link SegmentedClipWriter} wrote, with the instants at which its streams really change format.
 *
 * @param file                 the written file
 * @param spec                 what was asked for
 * @param videoChanges         start (seconds) of each segment after the first in the video stream
 * @param audioChanges         start (seconds) of each segment after the first in the audio stream: the first
 *                             audio frame boundary at or after the video change
 * @param audioDurationSeconds length of the audio stream (whole audio frames, so it may pass the video's end)
 */
public record SegmentedClip(
        Path file,
        SegmentedClipSpec spec,
        List<Double> videoChanges,
        List<Double> audioChanges,
        double audioDurationSeconds) {

    public SegmentedClip {
        requireNonNull(file, "file");
        requireNonNull(spec, "spec");
        videoChanges = List.copyOf(videoChanges);
        audioChanges = List.copyOf(audioChanges);
    }

    /** The length of the video in seconds. */
    public double durationSeconds() {
        return spec.durationSeconds();
    }
}
