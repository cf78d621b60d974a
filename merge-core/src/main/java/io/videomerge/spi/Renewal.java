package io.videomerge.spi;

/** What a heartbeat learnt: keep going, stop because cancellation was requested, or stop because the lease is gone. */
public enum Renewal {
    /** The lease was extended. */
    RENEWED,
    /** The lease was extended, and cancellation has been requested: stop and {@link JobStore#fail} with CANCELLED. */
    CANCEL_REQUESTED,
    /** The lease is no longer this worker's (expired and requeued, or the job is final): stop and discard the output. */
    LOST
}
