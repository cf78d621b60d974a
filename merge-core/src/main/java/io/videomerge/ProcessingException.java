package io.videomerge;

/** Decoding, filtering, encoding or uploading failed ({@link ErrorCode#PROCESSING_FAILED}, {@link ErrorCode#UPLOAD_FAILED}). */
public final class ProcessingException extends MergeException {
    private static final long serialVersionUID = 1L;

    public ProcessingException(ErrorCode code, String message, int inputIndex, boolean retryable, Throwable cause) {
        super(code, message, inputIndex, retryable, cause);
    }

    public ProcessingException(String message, Throwable cause) {
        this(ErrorCode.PROCESSING_FAILED, message, -1, false, cause);
    }
}
