package io.videomerge.internal.job;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import java.util.function.DoubleConsumer;

/** Runs one job's merge in the calling thread: the seam between the job worker and the merge pipeline. */
@FunctionalInterface
public interface JobRunner {
    /**
     * Merges and publishes {@code request} for task {@code id}.
     *
     * <p>Interruptible: when the calling thread is interrupted the run stops promptly, removes its files
     * and throws a {@link io.videomerge.MergeException} with code {@link io.videomerge.ErrorCode#CANCELLED}.
     *
     * @param progress receives the share of the work done, 0..1, from the calling thread
     * @throws io.videomerge.MergeException with the code of what failed; {@code isRetryable()} decides
     *         whether the job is tried again
     */
    MergeResult run(TaskId id, MergeRequest request, DoubleConsumer progress);
}
