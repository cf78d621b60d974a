package io.videomerge.internal.job;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * Runs one job in two stages, each in the calling thread: {@link #fetch} (I/O: the downloads) and
 * {@link Fetched#merge} (CPU: probe, encode, upload). The seam between the job worker, which gives each stage
 * its own capacity, and the merge pipeline.
 *
 * <p>Both stages are interruptible: when the calling thread is interrupted the stage stops promptly and
 * throws a {@link io.videomerge.MergeException} with code {@link io.videomerge.ErrorCode#CANCELLED}.
 */
public interface JobRunner {
    /**
     * Downloads the inputs of {@code request} for task {@code id}.
     *
     * @param stages receives a report as each stage of this job ends without failing, from the calling thread:
     *     the fetch here, the later ones from {@link Fetched#merge}
     * @return the fetched job, which the caller merges or closes
     * @throws io.videomerge.MergeException with the code of what failed (its files are already removed);
     *         {@code isRetryable()} decides whether the job is tried again
     */
    Fetched fetch(TaskId id, MergeRequest request, Consumer<StageReport> stages);

    /** Removes the published output of a task that was purged from the store; the default keeps it. */
    default void discard(MergeResult result) {}

    /** Housekeeping the janitor runs now and then: removing what dead instances left behind; none by default. */
    default void sweep() {}

    /** A job whose inputs are on disk, waiting for the merge stage. */
    interface Fetched extends AutoCloseable {
        /**
         * Merges and publishes the job; once.
         *
         * @param progress receives the share of the work done, 0..1, from the calling thread
         * @throws io.videomerge.MergeException with the code of what failed
         */
        MergeResult merge(DoubleConsumer progress);

        /** Removes the job's files, merged or not; idempotent. */
        @Override
        void close();
    }
}
