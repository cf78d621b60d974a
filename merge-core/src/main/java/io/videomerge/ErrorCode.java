package io.videomerge;

/**
 * Stable, machine-readable reason for a failure; the HTTP layer maps each code to a status.
 *
 * <p>Codes are part of the wire contract: they are never renamed, only added.
 */
public enum ErrorCode {
    /** The request itself is malformed or outside the configured limits. */
    INVALID_REQUEST,
    /** A URL uses a scheme other than http or https. */
    UNSUPPORTED_SCHEME,
    /**
     * A URL names, resolves to, or redirects to an address that may not be fetched, or its host name does not
     * resolve: the last two answer alike (one message, retryable), so that the answer does not tell which
     * internal names exist.
     */
    URL_FORBIDDEN,
    /** A download failed: HTTP error status, connection refused, too many redirects. */
    DOWNLOAD_FAILED,
    /** A download did not finish within its connect, read or overall deadline. */
    DOWNLOAD_TIMEOUT,
    /**
     * An input, or all inputs of a job together, exceed the byte limits or the decode budget (decoded pixels per
     * second of one input, decoded pixels of the whole job).
     */
    INPUT_TOO_LARGE,
    /** The inputs together last longer than the configured maximum. */
    INPUT_TOO_LONG,
    /** An input is not a readable video in an allowed container. */
    INVALID_MEDIA,
    /** An input uses a codec outside the decoder whitelist, or too many pixels. */
    UNSUPPORTED_CODEC,
    /**
     * The media code crashed (a native fault, an abort, out of memory) while reading the inputs, twice:
     * an input that brings the decoder down. Reported only when merges run isolated
     * ({@link Isolation#process()}); in-process, such a crash ends the whole JVM.
     */
    INPUT_CRASHED_DECODER,
    /** Decoding, filtering or encoding failed, or the merge outlasted its time budget. */
    PROCESSING_FAILED,
    /** The merged file could not be stored by the {@link io.videomerge.spi.Uploader}. */
    UPLOAD_FAILED,
    /** The job was cancelled before it finished. */
    CANCELLED,
    /** The job's worker vanished too many times (its lease expired on every attempt). */
    WORKER_LOST,
    /** The job store could not be reached; nothing was recorded. */
    STORE_UNAVAILABLE,
    /** The service is at capacity and accepts no new job right now. */
    QUEUE_FULL,
    /**
     * A file could not be written for lack of disk space: an input, the merged file or its upload. Retryable:
     * space may be freed meanwhile.
     */
    STORAGE_FULL,
    /**
     * The merge outlasted the processing deadline its output length earns
     * ({@link Limits#processingDeadline(double)}); final, since the same inputs would cost as much again.
     */
    PROCESSING_TIMEOUT,
    /** No task with that id is visible to the caller. */
    TASK_NOT_FOUND,
    /** The task exists but has not finished yet. */
    TASK_NOT_FINISHED,
    /**
     * An idempotency key was sent again with a different request: a key names one request of one caller, as long
     * as its task is kept.
     */
    IDEMPOTENCY_KEY_REUSED
}
