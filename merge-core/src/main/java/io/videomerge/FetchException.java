package io.videomerge;

/**
 * An input could not be downloaded: a forbidden, unsupported or malformed URL ({@link ErrorCode#URL_FORBIDDEN},
 * {@link ErrorCode#UNSUPPORTED_SCHEME}, {@link ErrorCode#INVALID_REQUEST} for a port outside 1 to 65535), an HTTP or network failure ({@link ErrorCode#DOWNLOAD_FAILED},
 * {@link ErrorCode#DOWNLOAD_TIMEOUT}) or a byte limit ({@link ErrorCode#INPUT_TOO_LARGE}).
 */
public final class FetchException extends MergeException {
    private static final long serialVersionUID = 1L;

    public FetchException(ErrorCode code, String message, int inputIndex, boolean retryable, Throwable cause) {
        super(code, message, inputIndex, retryable, cause);
    }

    public FetchException(ErrorCode code, String message, int inputIndex) {
        this(code, message, inputIndex, false, null);
    }
}
