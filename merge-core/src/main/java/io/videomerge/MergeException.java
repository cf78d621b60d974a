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

    private final ErrorCode code;
    private final int inputIndex;
    private final boolean retryable;

    public MergeException(ErrorCode code, String message) {
        this(code, message, NO_INPUT, false, null);
    }

    public MergeException(ErrorCode code, String message, int inputIndex, boolean retryable, Throwable cause) {
        super(requireNonNull(message, "message"), cause);
        this.code = requireNonNull(code, "code");
        if (inputIndex < NO_INPUT) {
            throw new IllegalArgumentException("inputIndex must be >= 0, or -1 for none: " + inputIndex);
        }
        this.inputIndex = inputIndex;
        this.retryable = retryable;
    }

    /** The stable reason. */
    public ErrorCode code() {
        return code;
    }

    /** The zero-based index of the input clip this failure concerns, if it concerns one. */
    public OptionalInt inputIndex() {
        return inputIndex == NO_INPUT ? OptionalInt.empty() : OptionalInt.of(inputIndex);
    }

    /** Whether another attempt of the same job may succeed. */
    public boolean isRetryable() {
        return retryable;
    }
}
