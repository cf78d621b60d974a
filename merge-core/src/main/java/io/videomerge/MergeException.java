package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.util.OptionalInt;

/**
 * The one unchecked exception of videomerge: a stable {@link ErrorCode}, a message fit for a client
 * (no paths, addresses or native log text), and the index of the input clip where one applies.
 *
 * <p>{@link #isRetryable()} tells the job worker whether another attempt may succeed (network
 * trouble, an HTTP 5xx, a store hiccup) or the failure is permanent (a forbidden URL, invalid media).
 */
public class MergeException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private static final int NO_INPUT = -1;

    /** The stable reason. */
    private final ErrorCode code;
    /** The zero-based index of the input clip the failure concerns, or -1 for none. */
    private final int inputIndex;
    /** Whether another attempt of the same job may succeed. */
    private final boolean retryable;

    /**
     * A permanent failure that concerns no single input.
     *
     * @param code    the stable reason
     * @param message a message fit for a client: no path, address or native log text
     */
    public MergeException(ErrorCode code, String message) {
        this(code, message, NO_INPUT, false, null);
    }

    /**
     * A failure with every detail.
     *
     * @param code       the stable reason
     * @param message    a message fit for a client: no path, address or native log text
     * @param inputIndex the zero-based index of the input clip it concerns, or -1 for none
     * @param retryable  whether another attempt of the same job may succeed
     * @param cause      the underlying exception, kept for the logs, or {@code null}
     * @throws IllegalArgumentException when {@code inputIndex} is below -1
     */
    public MergeException(ErrorCode code, String message, int inputIndex, boolean retryable, Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.code = requireNonNull(code, "code");
        if (inputIndex < NO_INPUT) {
            throw new IllegalArgumentException("inputIndex must be >= 0, or -1 for none: " + inputIndex);
        }
        this.inputIndex = inputIndex;
        this.retryable = retryable;
    }

    /** {@return the stable reason} */
    public ErrorCode code() {
        return code;
    }

    /** {@return the zero-based index of the input clip this failure concerns, if it concerns one} */
    public OptionalInt inputIndex() {
        return inputIndex == NO_INPUT ? OptionalInt.empty() : OptionalInt.of(inputIndex);
    }

    /** {@return whether another attempt of the same job may succeed} */
    public boolean isRetryable() {
        return retryable;
    }
}
