package io.videomerge;

/**
 * An input could not be downloaded: a forbidden or unsupported URL ({@link ErrorCode#URL_FORBIDDEN},
 * {@link ErrorCode#UNSUPPORTED_SCHEME}), an HTTP or network failure ({@link ErrorCode#DOWNLOAD_FAILED},
 * {@link ErrorCode#DOWNLOAD_TIMEOUT}) or a byte limit ({@link ErrorCode#INPUT_TOO_LARGE}); or another URL of the
 * request, such as {@code callback_url}, breaks the same URL rules (then without an input index, the message
 * naming the field).
 */
public final class FetchException extends MergeException {
    private static final long serialVersionUID = 1L;

    public FetchException(ErrorCode code, String message, int inputIndex, boolean retryable, Throwable cause) {
        super(code, message, inputIndex, retryable, cause);
    }

    public FetchException(ErrorCode code, String message, int inputIndex) {
        this(code, message, inputIndex, false, null);
    }

    /** A refusal of a URL that is not an input (no index); {@code message} names the field. */
    public FetchException(ErrorCode code, String message) {
        super(code, message);
    }
}
