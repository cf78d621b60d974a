package io.videomerge.spi;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;

/**
 * Why a job failed, as recorded by the store and shown to clients.
 *
 * @param code    the stable reason
 * @param message a message fit for a client
 */
public record JobError(ErrorCode code, String message) {
    /**
     * Checks that nothing is missing.
     *
     * @param code    the stable reason
     * @param message a message fit for a client
     * @throws NullPointerException when the code or the message is null
     */
    public JobError {
        requireNonNull(code, "code");
        requireNonNull(message, "message");
    }

    /** {@return the final state a job ends in when it fails for good with this error} */
    public JobState finalState() {
        return code == ErrorCode.CANCELLED ? JobState.CANCELLED : JobState.FAILED;
    }
}
