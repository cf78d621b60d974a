package io.videomerge.spi;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a job as its store holds it.
 *
 * @param id              the task id
 * @param state           where it is in its life
 * @param request         what to merge
 * @param idempotencyKey  the client's key, if one was given
 * @param attempt         the number of the current or next attempt, starting at 1; +1 on each retry or requeue
 * @param maxAttempts     attempts allowed before the job fails for good
 * @param notBefore       a pending job is not claimed before this time (retry backoff)
 * @param lease           the current lease while {@code PROCESSING}, else empty
 * @param cancelRequested whether cancellation was requested while it was processing
 * @param progress        share of the work done, 0..1
 * @param message         a short human-readable status line
 * @param result          the result once {@code COMPLETED}
 * @param error           the error once {@code FAILED} or {@code CANCELLED}, or the last retryable error while pending again
 * @param createdAt       when it was created
 * @param updatedAt       when it last changed
 * @param finishedAt      when it reached a final state
 */
public record Job(TaskId id, JobState state, MergeRequest request, Optional<String> idempotencyKey, int attempt,
                  int maxAttempts, Instant notBefore, Optional<Lease> lease, boolean cancelRequested, double progress,
                  String message, Optional<MergeResult> result, Optional<JobError> error, Instant createdAt,
                  Instant updatedAt, Optional<Instant> finishedAt) {
    public Job {
        requireNonNull(id, "id");
        requireNonNull(state, "state");
        requireNonNull(request, "request");
        requireNonNull(idempotencyKey, "idempotencyKey");
        requireNonNull(notBefore, "notBefore");
        requireNonNull(lease, "lease");
        requireNonNull(message, "message");
        requireNonNull(result, "result");
        requireNonNull(error, "error");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
        requireNonNull(finishedAt, "finishedAt");
        if (attempt < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("attempt and maxAttempts must be >= 1");
        }
        if (!(progress >= 0 && progress <= 1)) {
            throw new IllegalArgumentException("progress must be within 0..1: " + progress);
        }
    }
}
