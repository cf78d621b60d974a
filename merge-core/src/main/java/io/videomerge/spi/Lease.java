package io.videomerge.spi;

import static java.util.Objects.requireNonNull;

import io.videomerge.TaskId;
import java.time.Instant;

/**
 * A worker's right to run one job until {@code expiresAt}, renewed by heartbeats.
 *
 * <p>The {@code token} is the fencing token: each claim of a job gets a token greater than every
 * earlier token of that job, and {@link JobStore#renew}, {@link JobStore#complete},
 * {@link JobStore#fail} and {@link JobStore#release} act only while the job's current token is this one.
 *
 * @param taskId    the job
 * @param owner     who holds it (a worker instance id, for diagnostics)
 * @param token     the fencing token, positive
 * @param expiresAt when the lease lapses unless renewed
 */
public record Lease(TaskId taskId, String owner, long token, Instant expiresAt) {
    /**
     * Checks that nothing is missing and the token is positive.
     *
     * @param taskId    the job
     * @param owner     who holds it (a worker instance id, for diagnostics)
     * @param token     the fencing token, positive
     * @param expiresAt when the lease lapses unless renewed
     * @throws IllegalArgumentException when the token is not positive
     * @throws NullPointerException when a component is null
     */
    public Lease {
        requireNonNull(taskId, "taskId");
        requireNonNull(owner, "owner");
        requireNonNull(expiresAt, "expiresAt");
        if (token <= 0) {
            throw new IllegalArgumentException("token must be > 0: " + token);
        }
    }
}
