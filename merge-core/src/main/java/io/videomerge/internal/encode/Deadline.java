package io.videomerge.internal.encode;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import java.time.Duration;
import java.util.Locale;

/**
 * The time a merge may take, from the start of its media step, for the output it makes
 * ({@link io.videomerge.Limits#processingDeadline(double)}). The encode paths {@link #check()} it between two frames
 * or packets, where they also learn of {@link Interruption} through the same call, so a merge that was interrupted or
 * is over its deadline stops there; in a child process (see {@link io.videomerge.internal.isolate}) the same code
 * enforces it.
 *
 * <p>Measured on {@link System#nanoTime()}, which no wall-clock change moves. Immutable and thread-safe.
 */
public final class Deadline {
    private final long startNanos;
    private final long allowedNanos;
    private final Duration allowed;
    private final double outputSeconds;

    /**
     * @param startNanos    when the merge's media step started, a {@link System#nanoTime()} reading
     * @param allowed       how long the merge may take from then
     * @param outputSeconds the output's length that earned {@code allowed}, for the message
     */
    public Deadline(long startNanos, Duration allowed, double outputSeconds) {
        this.allowed = requireNonNull(allowed, "allowed");
        if (allowed.isNegative() || allowed.isZero()) {
            throw new IllegalArgumentException("allowed must be positive: " + allowed);
        }
        this.startNanos = startNanos;
        this.allowedNanos = saturatedNanos(allowed);
        this.outputSeconds = outputSeconds;
    }

    /**
     * Throws when the merge must stop here: its thread was interrupted ({@link Interruption#check()}), or the
     * deadline has passed.
     *
     * @throws MergeException {@link ErrorCode#CANCELLED} on interruption; {@link ErrorCode#PROCESSING_TIMEOUT}, not
     *         retryable, past the deadline: the same inputs would take as long again
     */
    public void check() {
        Interruption.check();
        if (System.nanoTime() - startNanos > allowedNanos) {
            throw new MergeException(
                    ErrorCode.PROCESSING_TIMEOUT,
                    String.format(
                            Locale.ROOT,
                            "the merge took longer than the %s deadline its %.1f s of output allow",
                            describe(allowed),
                            outputSeconds),
                    -1,
                    false,
                    null);
        }
    }

    /** {@code d} the way a person writes it: "2m", "1h 30m", "45s", "250ms", "<1ms". */
    static String describe(Duration d) {
        long seconds = d.getSeconds();
        if (seconds == 0) {
            long millis = d.toMillis();
            return millis == 0 ? "<1ms" : millis + "ms";
        }
        StringBuilder text = new StringBuilder();
        long hours = seconds / 3600;
        long minutes = seconds % 3600 / 60;
        long rest = seconds % 60;
        if (hours > 0) {
            text.append(hours).append('h');
        }
        if (minutes > 0) {
            text.append(text.length() > 0 ? " " : "").append(minutes).append('m');
        }
        if (rest > 0) {
            text.append(text.length() > 0 ? " " : "").append(rest).append('s');
        }
        return text.toString();
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
