package io.videomerge;

/** The request is malformed or outside the configured limits; it never becomes a job. */
public final class InvalidRequestException extends MergeException {
    private static final long serialVersionUID = 1L;

    /**
     * A refused request with a specific code, such as {@link ErrorCode#UNSUPPORTED_SCHEME}.
     *
     * @param code    why it was refused
     * @param message what is wrong, naming the field or input
     */
    public InvalidRequestException(ErrorCode code, String message) {
        super(code, message);
    }

    /**
     * A refused request with {@link ErrorCode#INVALID_REQUEST}.
     *
     * @param message what is wrong, naming the field or input
     */
    public InvalidRequestException(String message) {
        this(ErrorCode.INVALID_REQUEST, message);
    }
}
