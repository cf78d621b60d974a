package io.videomerge.spi;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import java.time.Instant;
import java.util.Optional;

/**
 * A snapshot of a job as its store holds it.
 *
 * @param id              the task id
 * @param state           where it is in its life
 * @param request         what to merge
 * @param principal       who submitted it: the only caller that sees it
 * @param idempotencyKey  the client's key, if one was given (unique per principal)
 * @param fingerprint     the request's {@link JobCodec#fingerprint fingerprint}, compared when the key is used again
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
 * @param delivery        the webhook delivery of its final status, present exactly when its request has a callback URL
 */
public record Job(
        TaskId id,
        JobState state,
        MergeRequest request,
        Principal principal,
        Optional<String> idempotencyKey,
        String fingerprint,
        int attempt,
        int maxAttempts,
        Instant notBefore,
        Optional<Lease> lease,
        boolean cancelRequested,
        double progress,
        String message,
        Optional<MergeResult> result,
        Optional<JobError> error,
        Instant createdAt,
        Instant updatedAt,
        Optional<Instant> finishedAt,
        Optional<Delivery> delivery) {
    /**
     * Checks that nothing is missing and the counts are in range.
     *
     * @param id              the task id
     * @param state           where it is in its life
     * @param request         what to merge
     * @param principal       who submitted it: the only caller that sees it
     * @param idempotencyKey  the client's key, if one was given (unique per principal)
     * @param fingerprint     the request's {@link JobCodec#fingerprint fingerprint}, compared when the key is used again
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
     * @param delivery        the webhook delivery of its outcome, when the request has a callback URL
     * @throws IllegalArgumentException when {@code attempt} or {@code maxAttempts} is below 1, or {@code progress}
     *     outside 0..1
     * @throws NullPointerException when a component is null
     */
    public Job {
        requireNonNull(id, "id");
        requireNonNull(state, "state");
        requireNonNull(request, "request");
        requireNonNull(principal, "principal");
        requireNonNull(idempotencyKey, "idempotencyKey");
        requireNonNull(fingerprint, "fingerprint");
        requireNonNull(notBefore, "notBefore");
        requireNonNull(lease, "lease");
        requireNonNull(message, "message");
        requireNonNull(result, "result");
        requireNonNull(error, "error");
        requireNonNull(createdAt, "createdAt");
        requireNonNull(updatedAt, "updatedAt");
        requireNonNull(finishedAt, "finishedAt");
        requireNonNull(delivery, "delivery");
        if (attempt < 1 || maxAttempts < 1) {
            throw new IllegalArgumentException("attempt and maxAttempts must be >= 1");
        }
        if (!(progress >= 0 && progress <= 1)) {
            throw new IllegalArgumentException("progress must be within 0..1: " + progress);
        }
    }

    /**
     * {@return a copy with the state replaced}
     *
     * @param state the new state
     */
    public Job withState(JobState state) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the attempt number replaced}
     *
     * @param attempt the attempt number, at least 1
     */
    public Job withAttempt(int attempt) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the earliest claim time replaced}
     *
     * @param notBefore the earliest time a pending job may be claimed
     */
    public Job withNotBefore(Instant notBefore) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the lease replaced}
     *
     * @param lease the lease, or empty
     */
    public Job withLease(Optional<Lease> lease) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with whether cancellation was requested replaced}
     *
     * @param cancelRequested whether cancellation was requested
     */
    public Job withCancelRequested(boolean cancelRequested) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the progress replaced}
     *
     * @param progress the share of the work done, 0..1
     */
    public Job withProgress(double progress) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the status line replaced}
     *
     * @param message the status line
     */
    public Job withMessage(String message) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the result replaced}
     *
     * @param result the result, or empty
     */
    public Job withResult(Optional<MergeResult> result) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the error replaced}
     *
     * @param error the error, or empty
     */
    public Job withError(Optional<JobError> error) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the time of the last change replaced}
     *
     * @param updatedAt when the job last changed
     */
    public Job withUpdatedAt(Instant updatedAt) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the finish time replaced}
     *
     * @param finishedAt when it reached a final state, or empty
     */
    public Job withFinishedAt(Optional<Instant> finishedAt) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }

    /**
     * {@return a copy with the webhook delivery replaced}
     *
     * @param delivery the new delivery; empty for a job whose status is posted nowhere
     */
    public Job withDelivery(Optional<Delivery> delivery) {
        return new Job(
                id,
                state,
                request,
                principal,
                idempotencyKey,
                fingerprint,
                attempt,
                maxAttempts,
                notBefore,
                lease,
                cancelRequested,
                progress,
                message,
                result,
                error,
                createdAt,
                updatedAt,
                finishedAt,
                delivery);
    }
}
