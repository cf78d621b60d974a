package io.videomerge;

/** The request is malformed or outside the configured limits; it never becomes a job. */
public final class InvalidRequestException extends MergeException {
    private static final long serialVersionUID = 1L;

    public InvalidRequestException(ErrorCode code, String message) {
        super(code, message);
    }

    public InvalidRequestException(String message) {
        this(ErrorCode.INVALID_REQUEST, message);
    }
}
