package io.videomerge.store.redis;

import io.videomerge.spi.Job;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.Lease;
import io.videomerge.spi.Renewal;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;

/**
 * A worker process for {@link RedisJobStoreCrashTest}: claims one job, reports its lease on standard
 * output, then heartbeats as a long merge would until it is killed.
 */
public final class CrashingWorker {
    private CrashingWorker() {}

    /** Arguments: Redis URI, key prefix, lease time in milliseconds. */
    public static void main(String[] args) {
        Duration leaseTime = Duration.ofMillis(Long.parseLong(args[2]));
        try (RedisJobStore store =
                RedisJobStore.builder(args[0]).keyPrefix(args[1]).build()) {
            Job job = store.claim("crashing-worker", leaseTime).orElseThrow();
            Lease lease = job.lease().orElseThrow();
            System.out.println("CLAIMED " + lease.taskId() + " " + lease.token());
            System.out.flush();
            double progress = 0;
            while (store.renew(lease, leaseTime, progress, JobMessages.MERGING) == Renewal.RENEWED) {
                progress = Math.min(0.9, progress + 0.01);
                // The heartbeat period of a real worker: a third of the lease.
                LockSupport.parkNanos(leaseTime.dividedBy(3).toNanos());
            }
        }
    }
}
