package io.videomerge;

/**
 * An input could not be downloaded: a forbidden, unsupported or malformed URL ({@link ErrorCode#URL_FORBIDDEN},
 * {@link ErrorCode#UNSUPPORTED_SCHEME}, {@link ErrorCode#INVALID_REQUEST} for a port outside 1 to 65535), an HTTP or
 * network failure ({@link ErrorCode#DOWNLOAD_FAILED}, {@link ErrorCode#DOWNLOAD_TIMEOUT}) or a byte limit
 * ({@link ErrorCode#INPUT_TOO_LARGE}); or another URL of the request, such as {@code callback_url}, breaks the same
 * URL rules (then without an input index, the message naming the field).
 */
public final class FetchException extends MergeException {
    private static final long serialVersionUID = 1L;

    /**
     * A download failure that may be retryable (a timeout, an HTTP 5xx) and has a cause for the logs.
     *
     * @param code       what failed
     * @param message    a message fit for a client: no path, address or stack trace
     * @param inputIndex the zero-based index of the input whose download failed
     * @param retryable  whether another attempt of the job may succeed
     * @param cause      the underlying exception, or {@code null}
     */
    public FetchException(ErrorCode code, String message, int inputIndex, boolean retryable, Throwable cause) {
        super(code, message, inputIndex, retryable, cause);
    }

    /**
     * A permanent download failure without a cause.
     *
     * @param code       what failed
     * @param message    a message fit for a client: no path, address or stack trace
     * @param inputIndex the zero-based index of the input whose download failed
     */
    public FetchException(ErrorCode code, String message, int inputIndex) {
        this(code, message, inputIndex, false, null);
    }

    /**
     * A permanent refusal of a URL that is not an input, such as a callback URL; it has no input index.
     *
     * @param code    why the URL was refused
     * @param message a message fit for a client that names the refused field: no path, address or stack trace
     */
    public FetchException(ErrorCode code, String message) {
        super(code, message);
    }
}
