package io.videomerge.spi;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeRequest;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import java.time.Instant;
import java.util.Optional;

/**
 * A job to create.
 *
 * @param id             its random id
 * @param request        what to merge (already validated)
 * @param principal      who submits it
 * @param idempotencyKey a client's key: a second create by the same principal with the same key returns the
 *                       first job
 * @param maxAttempts    how many times the job may be claimed before it fails for good (>= 1)
 */
public record NewJob(
        TaskId id, MergeRequest request, Principal principal, Optional<String> idempotencyKey, int maxAttempts) {
    /** Longest idempotency key a store must accept. */
    public static final int MAX_KEY_LENGTH = 255;

    /**
     * Checks the key's length and the attempts.
     *
     * @param id             its random id
     * @param request        what to merge (already validated)
     * @param principal      who submits it
     * @param idempotencyKey a client's key: a second create by the same principal with the same key returns the
     *     first job
     * @param maxAttempts    how many times the job may be claimed before it fails for good (>= 1)
     * @throws IllegalArgumentException when the key is empty or longer than {@value #MAX_KEY_LENGTH} characters, or
     *     {@code maxAttempts} is below 1
     * @throws NullPointerException when a component is null
     */
    public NewJob {
        requireNonNull(id, "id");
        requireNonNull(request, "request");
        requireNonNull(principal, "principal");
        requireNonNull(idempotencyKey, "idempotencyKey");
        idempotencyKey.ifPresent(k -> {
            if (k.isEmpty() || k.length() > MAX_KEY_LENGTH) {
                throw new IllegalArgumentException("idempotency key must have 1 to 255 characters");
            }
        });
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
    }

    /**
     * A job of {@link Principal#ANONYMOUS}.
     *
     * @param id             its random id
     * @param request        what to merge (already validated)
     * @param idempotencyKey a client's key, if it sent one
     * @param maxAttempts    how many times the job may be claimed before it fails for good (at least 1)
     */
    public NewJob(TaskId id, MergeRequest request, Optional<String> idempotencyKey, int maxAttempts) {
        this(id, request, Principal.ANONYMOUS, idempotencyKey, maxAttempts);
    }

    /** {@return the request's {@link JobCodec#fingerprint fingerprint}, which the store keeps with the job} */
    public String fingerprint() {
        return JobCodec.fingerprint(request);
    }

    /**
     * The job {@link JobStore#create} stores for this one at {@code now}: {@link JobState#PENDING}, attempt 1,
     * progress 0, claimable at once, no lease, result or error, the {@link JobMessages#QUEUED} message, and a
     * {@link Delivery#waitingSince waiting} delivery when the request has a callback URL.
     *
     * @param now the store's current time
     * @return the pending job
     */
    public Job pendingAt(Instant now) {
        requireNonNull(now, "now");
        return new Job(
                id,
                JobState.PENDING,
                request,
                principal,
                idempotencyKey,
                fingerprint(),
                1,
                maxAttempts,
                now,
                Optional.empty(),
                false,
                0,
                JobMessages.QUEUED,
                Optional.empty(),
                Optional.empty(),
                now,
                now,
                Optional.empty(),
                request.callbackUrl().map(url -> Delivery.waitingSince(now)));
    }
}
