package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * How long a job waits before its next attempt after a transient failure: {@code initial} doubled per
 * attempt spent, capped at {@code max}, of which a random share up to {@code jitter} is taken off so
 * that jobs failing together do not retry together.
 *
 * @param initial the wait after the first attempt, before jitter
 * @param max     the longest wait, before jitter
 * @param jitter  the share of each wait that is random, 0..1
 */
public record RetryBackoff(Duration initial, Duration max, double jitter) {
    /** 2 s, 4 s, 8 s … up to 5 min, half of each wait random. */
    public static final RetryBackoff DEFAULT = new RetryBackoff(Duration.ofSeconds(2), Duration.ofMinutes(5), 0.5);

    public RetryBackoff {
        requireNonNull(initial, "initial");
        requireNonNull(max, "max");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("need 0 < initial <= max: " + initial + ", " + max);
        }
        if (!(jitter >= 0 && jitter <= 1)) {
            throw new IllegalArgumentException("jitter must be within 0..1: " + jitter);
        }
    }

    /** The wait after attempt number {@code attempt} (1 for the first) failed. */
    public Duration delay(int attempt, RandomGenerator random) {
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1: " + attempt);
        }
        long cap = max.toMillis();
        long wait = initial.toMillis();
        for (int i = 1; i < attempt && wait < cap; i++) {
            // Saturating at the cap before doubling keeps the arithmetic clear of overflow.
            wait = wait > cap / 2 ? cap : wait * 2;
        }
        long taken = (long) (wait * jitter * random.nextDouble());
        return Duration.ofMillis(wait - taken);
    }
}
