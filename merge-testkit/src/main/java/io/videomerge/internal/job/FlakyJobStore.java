package io.videomerge.internal.job;

import io.videomerge.MergeResult;
import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.spi.Renewal;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real store behind a switch: while {@link #down} is set every call throws
 * {@link StoreUnavailableException}, as a store whose database or Redis went away does; {@link #refuseCompletes}
 * refuses only {@code complete}, so a test can hold a finished merge's outcome back while the rest of the store
 * answers. Counts claims, delivery claims, finds and purges (one per janitor run).
 */
final class FlakyJobStore implements JobStore {
    private final JobStore store;
    private final AtomicInteger claims = new AtomicInteger();
    private final AtomicInteger finds = new AtomicInteger();
    private final AtomicInteger refused = new AtomicInteger();
    private final AtomicInteger purges = new AtomicInteger();
    private final AtomicInteger deliveryClaims = new AtomicInteger();
    private volatile boolean down;
    private volatile boolean refuseCompletes;

    FlakyJobStore(JobStore store) {
        this.store = store;
    }

    void down(boolean down) {
        this.down = down;
    }

    /** While set, {@code complete} throws as if the store were down; every other call is answered. */
    void refuseCompletes(boolean refuse) {
        this.refuseCompletes = refuse;
    }

    /** How many purges reached the store, answered or refused: one per janitor run. */
    int purges() {
        return purges.get();
    }

    /** How many delivery claims reached the store, answered or refused. */
    int deliveryClaims() {
        return deliveryClaims.get();
    }

    /** How many claims reached the store, answered or refused. */
    int claims() {
        return claims.get();
    }

    /** How many finds reached the store, answered or refused. */
    int finds() {
        return finds.get();
    }

    /** How many calls were refused while down. */
    int refused() {
        return refused.get();
    }

    private void check() {
        if (down) {
            refused.incrementAndGet();
            throw new StoreUnavailableException("the job store is not reachable", null);
        }
    }

    @Override
    public Job create(NewJob job) {
        check();
        return store.create(job);
    }

    @Override
    public Optional<Job> find(TaskId id) {
        finds.incrementAndGet();
        check();
        return store.find(id);
    }

    @Override
    public Optional<Job> claim(String owner, Duration leaseTime) {
        claims.incrementAndGet();
        check();
        return store.claim(owner, leaseTime);
    }

    @Override
    public Renewal renew(Lease lease, Duration leaseTime, double progress, String message) {
        check();
        return store.renew(lease, leaseTime, progress, message);
    }

    @Override
    public boolean complete(Lease lease, MergeResult result) {
        check();
        if (refuseCompletes) {
            refused.incrementAndGet();
            throw new StoreUnavailableException("the job store is not reachable", null);
        }
        return store.complete(lease, result);
    }

    @Override
    public boolean fail(Lease lease, JobError error, Optional<Instant> retryAt) {
        check();
        return store.fail(lease, error, retryAt);
    }

    @Override
    public boolean release(Lease lease) {
        check();
        return store.release(lease);
    }

    @Override
    public int requeueExpired() {
        check();
        return store.requeueExpired();
    }

    @Override
    public boolean cancel(TaskId id) {
        check();
        return store.cancel(id);
    }

    @Override
    public List<Job> purgeFinished(Instant cutoff, int limit) {
        purges.incrementAndGet();
        check();
        return store.purgeFinished(cutoff, limit);
    }

    @Override
    public long countPending() {
        check();
        return store.countPending();
    }

    @Override
    public Optional<Job> claimDelivery(Duration leaseTime) {
        deliveryClaims.incrementAndGet();
        check();
        return store.claimDelivery(leaseTime);
    }

    @Override
    public boolean deliveryDone(TaskId id, long token) {
        check();
        return store.deliveryDone(id, token);
    }

    @Override
    public boolean retryDelivery(TaskId id, long token, Instant at) {
        check();
        return store.retryDelivery(id, token, at);
    }

    @Override
    public void close() {
        store.close();
    }
}
