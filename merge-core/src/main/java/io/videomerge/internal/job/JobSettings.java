package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import io.videomerge.spi.JobStore;
import java.time.Clock;
import java.time.Duration;

/**
 * How the asynchronous side of a service runs, as collected by {@link io.videomerge.MergeService.Builder}.
 *
 * @param store           where jobs live
 * @param mergeConcurrency merges this instance runs at once (0: this instance only records and answers)
 * @param fetchConcurrency jobs whose inputs this instance downloads at once (at least 1)
 * @param fetchedQueue     fetched jobs that may wait for a merge slot, their leases kept alive (0: a fetched job
 *                         holds its fetch slot until a merge slot is free)
 * @param maxPendingJobs   the most pending jobs the store may hold before a submit is refused with QUEUE_FULL
 *                         (0: no limit)
 * @param leaseTime       how long a claim or heartbeat holds a job (default 30 s)
 * @param heartbeat       how often running jobs' leases are renewed (default 10 s; less than leaseTime)
 * @param maxAttempts     how many times a job may be tried (default 3)
 * @param backoff         the wait before a retry after a transient failure
 * @param retention       how long finished jobs are kept (default 24 h)
 * @param janitorInterval how often expired leases are requeued and old jobs purged
 * @param pollInterval    the longest an idle merge thread waits before looking for work again
 * @param closeGrace      how long {@code close()} lets running merges finish before handing them back
 * @param owner           this instance's name in leases
 * @param clock           the clock of retry times and purge cut-offs
 */
public record JobSettings(
        JobStore store,
        int mergeConcurrency,
        int fetchConcurrency,
        int fetchedQueue,
        long maxPendingJobs,
        Duration leaseTime,
        Duration heartbeat,
        int maxAttempts,
        RetryBackoff backoff,
        Duration retention,
        Duration janitorInterval,
        Duration pollInterval,
        Duration closeGrace,
        String owner,
        Clock clock) {
    public JobSettings {
        requireNonNull(store, "store");
        requireNonNull(backoff, "backoff");
        requireNonNull(owner, "owner");
        requireNonNull(clock, "clock");
        if (mergeConcurrency < 0 || mergeConcurrency > 1024) {
            throw new IllegalArgumentException("mergeConcurrency must be between 0 and 1024: " + mergeConcurrency);
        }
        if (fetchConcurrency < 1 || fetchConcurrency > 1024) {
            throw new IllegalArgumentException("fetchConcurrency must be between 1 and 1024: " + fetchConcurrency);
        }
        if (fetchedQueue < 0 || fetchedQueue > 1024) {
            throw new IllegalArgumentException("fetchedQueue must be between 0 and 1024: " + fetchedQueue);
        }
        if (maxPendingJobs < 0) {
            throw new IllegalArgumentException("maxPendingJobs must be >= 0: " + maxPendingJobs);
        }
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1: " + maxAttempts);
        }
        positive(leaseTime, "leaseTime");
        positive(heartbeat, "heartbeat");
        positive(retention, "retention");
        positive(janitorInterval, "janitorInterval");
        positive(pollInterval, "pollInterval");
        requireNonNull(closeGrace, "closeGrace");
        if (closeGrace.isNegative()) {
            throw new IllegalArgumentException("closeGrace must be >= 0: " + closeGrace);
        }
        if (heartbeat.compareTo(leaseTime) >= 0) {
            throw new IllegalArgumentException(
                    "heartbeat must be shorter than leaseTime, or leases lapse between beats");
        }
        if (owner.isBlank()) {
            throw new IllegalArgumentException("owner must not be blank");
        }
    }

    /** A name unique to this process and instance: {@code pid-<pid>-<random>}. */
    public static String defaultOwner() {
        return "pid-" + ProcessHandle.current().pid() + "-"
                + Long.toHexString(
                        java.util.concurrent.ThreadLocalRandom.current().nextLong() & 0xffffffffL);
    }

    private static void positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0: " + d);
        }
    }
}
