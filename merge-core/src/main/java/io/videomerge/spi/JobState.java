package io.videomerge.spi;

/** Where a job is in its life: {@code PENDING → PROCESSING → COMPLETED | FAILED | CANCELLED}. */
public enum JobState {
    /** Waiting to be claimed (new, or back after a retry or an expired lease). */
    PENDING,
    /** Claimed by a worker holding a lease. */
    PROCESSING,
    /** Finished with a result. Final. */
    COMPLETED,
    /** Finished with an error. Final. */
    FAILED,
    /** Finished because cancellation was requested; reported as failed with reason CANCELLED. Final. */
    CANCELLED;

    /** {@return whether no further transition is possible} */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
