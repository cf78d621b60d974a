package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import java.util.Optional;

/**
 * The state of an asynchronous merge as a client sees it.
 *
 * @param taskId    the task
 * @param status    pending, processing, completed or failed
 * @param message   a short human-readable status line
 * @param progress  share of the work done, 0..1
 * @param createdAt when the task was submitted
 * @param updatedAt when it last changed
 * @param reason    why it failed, once failed (CANCELLED for a cancelled task)
 */
public record TaskStatus(
        TaskId taskId,
        Status status,
        String message,
        double progress,
        Instant createdAt,
        Instant updatedAt,
        Optional<ErrorCode> reason) {
    /** The four states a client sees (a cancelled task is failed, with reason CANCELLED). */
    public enum Status {
        /** Recorded, waiting for a worker (also between attempts). */
        PENDING,
        /** A worker is downloading, merging or uploading. */
        PROCESSING,
        /** Merged and uploaded: {@link MergeService#result(TaskId)} has the result. */
        COMPLETED,
        /** Failed for good, or cancelled: {@link TaskStatus#reason()} says why. */
        FAILED;

        /** {@return whether the task is done and will not change again} */
        public boolean isFinal() {
            return this == COMPLETED || this == FAILED;
        }
    }

    /**
     * Checks that nothing is missing.
     *
     * @param taskId    the task
     * @param status    pending, processing, completed or failed
     * @param message   a short human-readable status line
     * @param progress  share of the work done, 0..1
     * @param createdAt when the task was submitted
     * @param updatedAt when it last changed
     * @param reason    why it failed, once failed (CANCELLED for a cancelled task)
     * @throws NullPointerException when a component is null
     */
    public TaskStatus {
        requireNonNull(taskId, "taskId");
        requireNonNull(status, "status");
        requireNonNull(message, "message");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
        requireNonNull(reason, "reason");
    }
}
