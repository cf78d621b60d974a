package io.videomerge;

/**
 * The job store could not be reached or did not answer; the operation had no effect that the caller
 * may rely on ({@link ErrorCode#STORE_UNAVAILABLE}). Retryable.
 */
public final class StoreUnavailableException extends MergeException {
    private static final long serialVersionUID = 1L;

    /**
     * A retryable {@link ErrorCode#STORE_UNAVAILABLE}.
     *
     * @param message a message fit for a client: no host, file or user name
     * @param cause   the driver's exception, kept for the logs
     */
    public StoreUnavailableException(String message, Throwable cause) {
        super(ErrorCode.STORE_UNAVAILABLE, message, -1, true, cause);
    }
}
