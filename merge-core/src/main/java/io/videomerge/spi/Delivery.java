package io.videomerge.spi;

import static java.util.Objects.requireNonNull;

import java.time.Instant;

/**
 * The webhook delivery of a job whose request has a callback URL: the final status is posted to it, at least once,
 * after the job ends. See {@link JobStore#claimDelivery} for the rules.
 *
 * @param state     where the delivery is in its life
 * @param attempt   the number of the current or next attempt, starting at 1; +1 on each {@link JobStore#retryDelivery}
 * @param token     the fencing token of the last claim, 0 before the first; each claim raises it
 * @param notBefore a due delivery is not claimed before this time: the job's finish, a retry's time, or the end of
 *                  the lease of the last claim
 */
public record Delivery(State state, int attempt, long token, Instant notBefore) {
    /** The life of a delivery. */
    public enum State {
        /** The job is not final yet: nothing to deliver. */
        WAITING,
        /** The job is final and its status not yet delivered: claimable from {@code notBefore} on. */
        DUE,
        /** Delivered, or given up: never claimed again. */
        DONE
    }

    /**
     * A delivery as stored.
     *
     * @param state     where the delivery is in its life
     * @param attempt   the number of the current or next attempt, at least 1
     * @param token     the fencing token of the last claim, 0 before the first, never negative
     * @param notBefore the earliest time a due delivery may be claimed
     * @throws IllegalArgumentException when {@code attempt} is below 1 or {@code token} is negative
     * @throws NullPointerException when {@code state} or {@code notBefore} is null
     */
    public Delivery {
        requireNonNull(state, "state");
        requireNonNull(notBefore, "notBefore");
        if (attempt < 1) {
            throw new IllegalArgumentException("attempt must be >= 1: " + attempt);
        }
        if (token < 0) {
            throw new IllegalArgumentException("token must be >= 0: " + token);
        }
    }

    /**
     * The delivery a job with a callback URL is created with: waiting, attempt 1, never claimed.
     *
     * @param now the job's creation time, the delivery's {@code notBefore} until the job ends
     * @return a {@link State#WAITING} delivery at attempt 1 with token 0
     */
    public static Delivery waitingSince(Instant now) {
        return new Delivery(State.WAITING, 1, 0, now);
    }
}
