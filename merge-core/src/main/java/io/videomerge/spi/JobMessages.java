package io.videomerge.spi;

import io.videomerge.ErrorCode;

/**
 * The status lines and errors a {@link JobStore} records at each step of a job's life, defined once so that
 * every store shows a client the same words. Stores whose state machine runs inside the database (SQL, Lua)
 * receive these as parameters; they never spell their own.
 *
 * <table>
 *   <caption>The message a job carries after each step</caption>
 *   <tr><th>step</th><th>{@link Job#message()}</th></tr>
 *   <tr><td>create</td><td>{@link #QUEUED}</td></tr>
 *   <tr><td>claim</td><td>{@link #PROCESSING}</td></tr>
 *   <tr><td>renew</td><td>the worker's message</td></tr>
 *   <tr><td>complete</td><td>{@link #COMPLETED}</td></tr>
 *   <tr><td>fail (with or without a retry)</td><td>the error's message</td></tr>
 *   <tr><td>release</td><td>{@link #RELEASED}, or {@link #CANCELLED}'s message if cancellation was requested</td></tr>
 *   <tr><td>requeue of an expired lease</td><td>{@link #REQUEUED}; {@link #WORKER_LOST}'s or {@link #CANCELLED}'s
 *       message when it ends the job</td></tr>
 *   <tr><td>cancel</td><td>{@link #CANCELLED}'s message for a pending job, {@link #CANCELLING} for a running one</td></tr>
 * </table>
 */
public final class JobMessages {
    /** A new job, waiting for a worker. */
    public static final String QUEUED = "Queued";
    /** A worker has claimed the job. */
    public static final String PROCESSING = "Processing";
    /** What a worker reports while it downloads the inputs. */
    public static final String FETCHING = "Downloading the inputs";
    /** What a worker reports while the fetched inputs wait for a merge slot. */
    public static final String WAITING = "Waiting for a merge slot";
    /** What a worker reports while it merges. */
    public static final String MERGING = "Merging";
    /** The job is done and has its result. */
    public static final String COMPLETED = "Completed";
    /** Cancellation was requested of a running job; its worker stops at its next heartbeat. */
    public static final String CANCELLING = "Cancellation requested";
    /** The job went back to the queue because its worker shut down gracefully. */
    public static final String RELEASED = "Queued again after its worker shut down";
    /** The job went back to the queue because its worker stopped answering. */
    public static final String REQUEUED = "Queued again after its worker stopped answering";

    /** The error of a cancelled job. */
    public static final JobError CANCELLED = new JobError(ErrorCode.CANCELLED, "The task was cancelled");
    /** The error of a job whose worker stopped answering on every attempt. */
    public static final JobError WORKER_LOST =
            new JobError(ErrorCode.WORKER_LOST, "The task's worker stopped answering on every attempt");

    private JobMessages() {}
}
