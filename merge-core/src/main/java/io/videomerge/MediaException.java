package io.videomerge;

/**
 * An input is not acceptable media: not a video in an allowed container ({@link ErrorCode#INVALID_MEDIA}),
 * a codec or size outside the whitelist ({@link ErrorCode#UNSUPPORTED_CODEC}), or too long
 * ({@link ErrorCode#INPUT_TOO_LONG}). Never retryable.
 */
public final class MediaException extends MergeException {
    private static final long serialVersionUID = 1L;

    /**
     * An unacceptable input, with a cause for the logs.
     *
     * @param code       what is wrong with it
     * @param message    a message fit for a client: no path or FFmpeg log text
     * @param inputIndex the zero-based index of the input
     * @param cause      the underlying exception, or {@code null}
     */
    public MediaException(ErrorCode code, String message, int inputIndex, Throwable cause) {
        super(code, message, inputIndex, false, cause);
    }

    /**
     * An unacceptable input.
     *
     * @param code       what is wrong with it
     * @param message    a message fit for a client: no path or FFmpeg log text
     * @param inputIndex the zero-based index of the input
     */
    public MediaException(ErrorCode code, String message, int inputIndex) {
        this(code, message, inputIndex, null);
    }
}
