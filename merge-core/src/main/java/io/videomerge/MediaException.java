package io.videomerge;

/**
 * An input is not acceptable media: not a video in an allowed container ({@link ErrorCode#INVALID_MEDIA}),
 * a codec or size outside the whitelist ({@link ErrorCode#UNSUPPORTED_CODEC}), or too long
 * ({@link ErrorCode#INPUT_TOO_LONG}). Never retryable.
 */
public final class MediaException extends MergeException {
    private static final long serialVersionUID = 1L;

    public MediaException(ErrorCode code, String message, int inputIndex, Throwable cause) {
        super(code, message, inputIndex, false, cause);
    }

    public MediaException(ErrorCode code, String message, int inputIndex) {
        this(code, message, inputIndex, null);
    }
}
