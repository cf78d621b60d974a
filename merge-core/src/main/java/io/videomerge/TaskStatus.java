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
        PENDING,
        PROCESSING,
        COMPLETED,
        FAILED;

        public boolean isFinal() {
            return this == COMPLETED || this == FAILED;
        }
    }

    public TaskStatus {
        requireNonNull(taskId, "taskId");
        requireNonNull(status, "status");
        requireNonNull(message, "message");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
        requireNonNull(reason, "reason");
    }
}
