package io.videomerge;

/** Decoding, filtering, encoding or uploading failed ({@link ErrorCode#PROCESSING_FAILED}, {@link ErrorCode#UPLOAD_FAILED}). */
public final class ProcessingException extends MergeException {
    private static final long serialVersionUID = 1L;

    /**
     * A processing or upload failure with every detail.
     *
     * @param code       {@link ErrorCode#PROCESSING_FAILED}, {@link ErrorCode#UPLOAD_FAILED} or another stable reason
     * @param message    a message fit for a client: no path or FFmpeg log text
     * @param inputIndex the zero-based index of the input being processed, or -1 for none
     * @param retryable  whether another attempt of the job may succeed
     * @param cause      the underlying exception, kept for the logs, or {@code null}
     */
    public ProcessingException(ErrorCode code, String message, int inputIndex, boolean retryable, Throwable cause) {
        super(code, message, inputIndex, retryable, cause);
    }

    /**
     * A permanent {@link ErrorCode#PROCESSING_FAILED} that concerns no single input.
     *
     * @param message a message fit for a client: no path or FFmpeg log text
     * @param cause   the underlying exception, kept for the logs, or {@code null}
     */
    public ProcessingException(String message, Throwable cause) {
        this(ErrorCode.PROCESSING_FAILED, message, -1, false, cause);
    }
}
