package io.videomerge.internal.media;

import static java.util.Objects.requireNonNull;

import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.internal.encode.ProgressListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The part of a merge that feeds local files to FFmpeg: probe every input, plan, encode or remux into
 * {@code output}, measure the written file, and take the poster frame from it when one is asked for. Fetching before it and uploading after it stay with the
 * {@link MergePipeline}; this seam is where a merge can be moved into a child process
 * ({@link io.videomerge.internal.isolate}) so that a native crash takes only that process down.
 *
 * <p>Implementations are thread-safe: each call works on its own files.
 */
public interface MediaStep extends AutoCloseable {

    /** The step in this JVM: the media code runs in the calling thread. */
    static MediaStep local(Limits limits) {
        return new LocalMediaStep(limits);
    }

    /**
     * Merges {@code inputs}, in order, into {@code output}.
     *
     * @param inputs   the downloaded inputs; index {@code i} is the request's URL {@code i}
     * @param output   the file to write, in the job's folder (absent on entry)
     * @param observer receives progress and which input is being worked on (-1: the output)
     * @throws MergeException with the failing stage's code, naming the input where one applies;
     *         {@link io.videomerge.ErrorCode#CANCELLED} when the calling thread was interrupted
     */
    default MediaOutcome run(MergeRequest request, List<Path> inputs, Path output, Observer observer) {
        return run(request, inputs, output, Optional.empty(), observer);
    }

    /**
     * Merges {@code inputs}, in order, into {@code output}, then writes the output's frame at the poster's instant
     * to the poster's file as a JPEG.
     *
     * @param poster   where the poster goes and which frame it shows; empty for no poster
     * @throws MergeException as {@link #run(MergeRequest, List, Path, Observer)} does
     */
    MediaOutcome run(
            MergeRequest request, List<Path> inputs, Path output, Optional<PosterTarget> poster, Observer observer);

    /** Whether the step runs in another process: its own time then exceeds probe and encode. */
    default boolean isolated() {
        return false;
    }

    /** Releases what the step keeps between merges (a waiting child process, for one); idempotent. */
    @Override
    default void close() {}

    /**
     * The poster a merge asks for: the frame shown at {@code at} of the merged file (its middle frame when the file
     * is not longer than that), written as a canvas-sized JPEG to {@code file}.
     *
     * @param file where the JPEG goes, in the job's folder (absent on entry)
     * @param at   the instant of the merged file the poster shows
     */
    record PosterTarget(Path file, Duration at) {
        public PosterTarget {
            requireNonNull(file, "file");
            requireNonNull(at, "at");
            if (at.isNegative()) {
                throw new IllegalArgumentException("the poster instant must be >= 0: " + at);
            }
        }
    }

    /** A poster a step wrote: its file and its size in bytes. */
    record Poster(Path file, long bytes) {
        public Poster {
            requireNonNull(file, "file");
            if (bytes <= 0) {
                throw new IllegalArgumentException("a poster has bytes: " + bytes);
            }
        }
    }

    /**
     * What a successful step reports about the files it wrote, and how long its two parts took where they ran (in
     * a child process, the child measures them: the parent cannot tell where probing ends).
     *
     * @param probeTime  probing every input and planning
     * @param encodeTime writing the output (copy or re-encode) and measuring it
     * @param poster     the poster, when one was asked for and made
     */
    record MediaOutcome(
            int clipsMerged,
            double durationSeconds,
            boolean streamCopied,
            Duration probeTime,
            Duration encodeTime,
            Optional<Poster> poster) {
        public MediaOutcome {
            if (clipsMerged < 1) {
                throw new IllegalArgumentException("clipsMerged must be >= 1: " + clipsMerged);
            }
            if (!(durationSeconds >= 0)) {
                throw new IllegalArgumentException("durationSeconds must be >= 0: " + durationSeconds);
            }
            requireNonNull(probeTime, "probeTime");
            requireNonNull(encodeTime, "encodeTime");
            if (probeTime.isNegative() || encodeTime.isNegative()) {
                throw new IllegalArgumentException("stage times must be >= 0: " + probeTime + ", " + encodeTime);
            }
            requireNonNull(poster, "poster");
        }

        /** An outcome without a poster. */
        public MediaOutcome(
                int clipsMerged,
                double durationSeconds,
                boolean streamCopied,
                Duration probeTime,
                Duration encodeTime) {
            this(clipsMerged, durationSeconds, streamCopied, probeTime, encodeTime, Optional.empty());
        }
    }

    /** Progress of a step, plus the input it is on (so that a crash can be blamed on one input). */
    @FunctionalInterface
    interface Observer extends ProgressListener {
        /** The step now works on input {@code index} (-1: on the output); called again when that changes. */
        default void input(int index) {}
    }
}
