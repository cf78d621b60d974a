package io.videomerge.spi;

/** Where a job is in its life: {@code PENDING → PROCESSING → COMPLETED | FAILED | CANCELLED}. */
public enum JobState {
    /** Waiting to be claimed (new, or back after a retry or an expired lease). */
    PENDING("pending"),
    /** Claimed by a worker holding a lease. */
    PROCESSING("processing"),
    /** Finished with a result. Final. */
    COMPLETED("completed"),
    /** Finished with an error. Final. */
    FAILED("failed"),
    /** Finished because cancellation was requested; reported as failed with reason CANCELLED. Final. */
    CANCELLED("failed");

    private final String wire;

    JobState(String wire) {
        this.wire = wire;
    }

    /** The status word of the HTTP contract: pending, processing, completed or failed. */
    public String wire() {
        return wire;
    }

    /** Whether no further transition is possible. */
    public boolean isFinal() {
        return this == COMPLETED || this == FAILED || this == CANCELLED;
    }
}
