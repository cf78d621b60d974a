package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * What one stage of a job's merge took, as the {@link JobRunner} reports it when the stage ends: the worker hands
 * it to the {@link JobEvents}, which log it and time it.
 *
 * @param stage         which stage
 * @param took          its wall-clock time
 * @param bytes         the bytes it moved: downloaded for {@link Stage#FETCH}, published for {@link Stage#UPLOAD},
 *                      0 for the others
 * @param outputSeconds the length of the merged file for {@link Stage#ENCODE}, 0 for the others
 * @param streamCopied  for {@link Stage#ENCODE}, whether the packets were copied instead of re-encoded
 */
public record StageReport(Stage stage, Duration took, long bytes, double outputSeconds, boolean streamCopied) {
    /** The stages of a merge, in order; probe and encode run in a child process when merges are isolated. */
    public enum Stage {
        FETCH,
        PROBE,
        ENCODE,
        /**
         * With isolation, the media step's time outside probe and encode: starting (or taking the spare) merge
         * process, handing it the work, hearing its outcome. Not reported for merges in this JVM.
         */
        ISOLATION,
        UPLOAD
    }

    public StageReport {
        requireNonNull(stage, "stage");
        requireNonNull(took, "took");
        if (took.isNegative()) {
            throw new IllegalArgumentException("took must be >= 0: " + took);
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
        }
        if (!(outputSeconds >= 0)) {
            throw new IllegalArgumentException("outputSeconds must be >= 0: " + outputSeconds);
        }
    }

    /** The downloads of all inputs: {@code bytes} written in {@code took}. */
    public static StageReport fetched(long bytes, Duration took) {
        return new StageReport(Stage.FETCH, took, bytes, 0, false);
    }

    /** Probing every input and planning the merge. */
    public static StageReport probed(Duration took) {
        return new StageReport(Stage.PROBE, took, 0, 0, false);
    }

    /** Writing {@code outputSeconds} of merged video (and measuring it), by stream copy or re-encode. */
    public static StageReport encoded(double outputSeconds, boolean streamCopied, Duration took) {
        return new StageReport(Stage.ENCODE, took, 0, outputSeconds, streamCopied);
    }

    /** The media step's time outside probe and encode, in a child process. */
    public static StageReport isolation(Duration took) {
        return new StageReport(Stage.ISOLATION, took, 0, 0, false);
    }

    /** Publishing the merged file of {@code bytes} through the uploader. */
    public static StageReport uploaded(long bytes, Duration took) {
        return new StageReport(Stage.UPLOAD, took, bytes, 0, false);
    }

    /**
     * For {@link Stage#ENCODE}: seconds of output written per second of wall-clock time ("× real time"); 0 when
     * the stage took no measurable time.
     */
    public double speed() {
        double seconds = took.toNanos() / 1e9;
        return seconds > 0 ? outputSeconds / seconds : 0;
    }

    /** For {@link Stage#FETCH} and {@link Stage#UPLOAD}: bytes per second; 0 when the stage took no measurable time. */
    public double bytesPerSecond() {
        double seconds = took.toNanos() / 1e9;
        return seconds > 0 ? bytes / seconds : 0;
    }
}
