package io.videomerge.internal.fetch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes all downloads of one job may hold on disk together ({@code new
 * ByteBudget(limits.maxBytesPerJob())}); thread-safe, so a job may fetch its inputs in parallel.
 *
 * <p>{@link Fetcher} charges each chunk before it writes it and gives the bytes of a partial file back
 * when it deletes that file, so the budget always matches what the job's folder holds.
 */
public final class ByteBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    /**
     * @param limit the most bytes the job's downloads may hold together
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    public ByteBudget(long limit) {
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0: " + limit);
        }
        this.limit = limit;
    }

    /** The cap this budget was made with. */
    public long limit() {
        return limit;
    }

    /** Bytes charged so far and not given back. */
    public long used() {
        return used.get();
    }

    /** Bytes that may still be charged. */
    public long remaining() {
        return limit - used.get();
    }

    /** Charges {@code bytes} if they fit, all or nothing; returns whether they did. */
    boolean tryCharge(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
        }
        while (true) {
            long current = used.get();
            if (current + bytes > limit) {
                return false;
            }
            if (used.compareAndSet(current, current + bytes)) {
                return true;
            }
        }
    }

    /** Gives back bytes of a file that was deleted. */
    void release(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0: " + bytes);
        }
        used.addAndGet(-bytes);
    }
}
