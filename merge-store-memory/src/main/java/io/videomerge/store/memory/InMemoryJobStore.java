package io.videomerge.store.memory;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeResult;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import io.videomerge.spi.Delivery;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.JobState;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.spi.Renewal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * A {@link JobStore} held in this process's memory: every operation is atomic under one lock, and
 * nothing survives the process.
 *
 * <p>Pending jobs wait in a queue ordered by {@code notBefore}, so a claim costs O(log n) whatever the
 * number of jobs and {@link #countPending} is the queue's size; finished jobs wait in a queue ordered by
 * finish time for {@link #purgeFinished}, and due webhook deliveries in one ordered by their {@code notBefore}.
 */
public final class InMemoryJobStore implements JobStore {
    private static final JobError CANCELLED = JobMessages.CANCELLED;
    private static final JobError WORKER_LOST = JobMessages.WORKER_LOST;

    private final Clock clock;
    private final Object lock = new Object();
    private final Map<TaskId, Entry> jobs = new HashMap<>();
    private final Map<ScopedKey, TaskId> keys = new HashMap<>();
    private final TreeMap<ReadyKey, Entry> ready = new TreeMap<>();
    private final Map<TaskId, Entry> processing = new LinkedHashMap<>();
    private final TreeMap<DueKey, Entry> due = new TreeMap<>();
    private final PriorityQueue<Entry> finished = new PriorityQueue<>(
            Comparator.comparing((Entry e) -> e.job.finishedAt().orElseThrow()).thenComparingLong(e -> e.seq));
    private long sequence;
    private long lastToken;

    /**
     * A store whose times come from {@code clock}.
     *
     * @param clock the clock of every recorded time, lease expiry and retry time
     */
    public InMemoryJobStore(Clock clock) {
        this.clock = requireNonNull(clock, "clock");
    }

    /** A store on the system clock in UTC. */
    public InMemoryJobStore() {
        this(Clock.systemUTC());
    }

    @Override
    public Job create(NewJob job) {
        requireNonNull(job, "job");
        synchronized (lock) {
            Optional<ScopedKey> key = job.idempotencyKey().map(k -> new ScopedKey(job.principal(), k));
            if (key.isPresent()) {
                TaskId existing = keys.get(key.get());
                if (existing != null) {
                    return jobs.get(existing).job;
                }
            }
            if (jobs.containsKey(job.id())) {
                throw new IllegalArgumentException("a job with this id exists already");
            }
            Instant now = clock.instant();
            Job created = job.pendingAt(now);
            Entry entry = new Entry(created, ++sequence);
            jobs.put(job.id(), entry);
            key.ifPresent(k -> keys.put(k, job.id()));
            enqueue(entry);
            return created;
        }
    }

    @Override
    public Optional<Job> find(TaskId id) {
        requireNonNull(id, "id");
        synchronized (lock) {
            Entry entry = jobs.get(id);
            return entry == null ? Optional.empty() : Optional.of(entry.job);
        }
    }

    @Override
    public Optional<Job> claim(String owner, Duration leaseTime) {
        requireNonNull(owner, "owner");
        requirePositive(leaseTime);
        synchronized (lock) {
            Map.Entry<ReadyKey, Entry> first = ready.firstEntry();
            Instant now = clock.instant();
            if (first == null || first.getKey().notBefore().isAfter(now)) {
                return Optional.empty();
            }
            Entry entry = first.getValue();
            ready.pollFirstEntry();
            entry.readyKey = null;
            Job j = entry.job;
            Lease lease = new Lease(j.id(), owner, ++lastToken, now.plus(leaseTime));
            entry.job = j.withState(JobState.PROCESSING)
                    .withLease(Optional.of(lease))
                    .withCancelRequested(false)
                    .withProgress(0)
                    .withMessage(JobMessages.PROCESSING)
                    .withUpdatedAt(now);
            processing.put(j.id(), entry);
            return Optional.of(entry.job);
        }
    }

    @Override
    public Renewal renew(Lease lease, Duration leaseTime, double progress, String message) {
        requireNonNull(message, "message");
        requirePositive(leaseTime);
        synchronized (lock) {
            Entry entry = held(lease);
            if (entry == null) {
                return Renewal.LOST;
            }
            Job j = entry.job;
            Instant now = clock.instant();
            Lease current = j.lease().orElseThrow();
            double clamped = Double.isNaN(progress) ? j.progress() : Math.max(j.progress(), Math.min(1, progress));
            entry.job = j.withLease(
                            Optional.of(new Lease(j.id(), current.owner(), current.token(), now.plus(leaseTime))))
                    .withProgress(clamped)
                    .withMessage(message)
                    .withUpdatedAt(now);
            return j.cancelRequested() ? Renewal.CANCEL_REQUESTED : Renewal.RENEWED;
        }
    }

    @Override
    public boolean complete(Lease lease, MergeResult result) {
        requireNonNull(result, "result");
        synchronized (lock) {
            Entry entry = held(lease);
            if (entry == null) {
                return false;
            }
            finish(entry, JobState.COMPLETED, 1, JobMessages.COMPLETED, Optional.of(result), Optional.empty());
            return true;
        }
    }

    @Override
    public boolean fail(Lease lease, JobError error, Optional<Instant> retryAt) {
        requireNonNull(error, "error");
        requireNonNull(retryAt, "retryAt");
        synchronized (lock) {
            Entry entry = held(lease);
            if (entry == null) {
                return false;
            }
            Job j = entry.job;
            if (retryAt.isPresent() && j.attempt() < j.maxAttempts() && !j.cancelRequested()) {
                backToPending(entry, j.attempt() + 1, retryAt.get(), error.message(), Optional.of(error));
            } else {
                finish(entry, error.finalState(), j.progress(), error.message(), Optional.empty(), Optional.of(error));
            }
            return true;
        }
    }

    @Override
    public boolean release(Lease lease) {
        synchronized (lock) {
            Entry entry = held(lease);
            if (entry == null) {
                return false;
            }
            Job j = entry.job;
            if (j.cancelRequested()) {
                finish(
                        entry,
                        JobState.CANCELLED,
                        j.progress(),
                        CANCELLED.message(),
                        Optional.empty(),
                        Optional.of(CANCELLED));
            } else {
                backToPending(entry, j.attempt(), j.createdAt(), JobMessages.RELEASED, j.error());
            }
            return true;
        }
    }

    @Override
    public int requeueExpired() {
        synchronized (lock) {
            Instant now = clock.instant();
            int changed = 0;
            Iterator<Entry> it = processing.values().iterator();
            while (it.hasNext()) {
                Entry entry = it.next();
                Job j = entry.job;
                if (!j.lease().orElseThrow().expiresAt().isBefore(now)) {
                    continue;
                }
                // Removed here, so that finish/backToPending need not touch the map being iterated.
                it.remove();
                if (j.cancelRequested()) {
                    finish(
                            entry,
                            JobState.CANCELLED,
                            j.progress(),
                            CANCELLED.message(),
                            Optional.empty(),
                            Optional.of(CANCELLED));
                } else if (j.attempt() >= j.maxAttempts()) {
                    finish(
                            entry,
                            JobState.FAILED,
                            j.progress(),
                            WORKER_LOST.message(),
                            Optional.empty(),
                            Optional.of(WORKER_LOST));
                } else {
                    backToPending(entry, j.attempt() + 1, j.createdAt(), JobMessages.REQUEUED, j.error());
                }
                changed++;
            }
            return changed;
        }
    }

    @Override
    public boolean cancel(TaskId id) {
        requireNonNull(id, "id");
        synchronized (lock) {
            Entry entry = jobs.get(id);
            if (entry == null || entry.job.state().isFinal()) {
                return false;
            }
            Job j = entry.job;
            if (j.state() == JobState.PENDING) {
                ready.remove(entry.readyKey);
                entry.readyKey = null;
                finish(
                        entry,
                        JobState.CANCELLED,
                        j.progress(),
                        CANCELLED.message(),
                        Optional.empty(),
                        Optional.of(CANCELLED));
            } else if (!j.cancelRequested()) {
                entry.job = j.withCancelRequested(true)
                        .withMessage(JobMessages.CANCELLING)
                        .withUpdatedAt(clock.instant());
            }
            return true;
        }
    }

    @Override
    public List<Job> purgeFinished(Instant cutoff, int limit) {
        requireNonNull(cutoff, "cutoff");
        requireLimit(limit);
        synchronized (lock) {
            List<Job> purged = new ArrayList<>();
            while (purged.size() < limit
                    && !finished.isEmpty()
                    && finished.peek().job.finishedAt().orElseThrow().isBefore(cutoff)) {
                Entry entry = finished.poll();
                Job job = entry.job;
                jobs.remove(job.id());
                unscheduleDelivery(entry);
                job.idempotencyKey().ifPresent(k -> keys.remove(new ScopedKey(job.principal(), k), job.id()));
                purged.add(job);
            }
            return purged;
        }
    }

    @Override
    public long countPending() {
        synchronized (lock) {
            // Every pending job is in the ready queue, also while it waits for its notBefore.
            return ready.size();
        }
    }

    @Override
    public Optional<Job> claimDelivery(Duration leaseTime) {
        requirePositive(leaseTime);
        synchronized (lock) {
            Map.Entry<DueKey, Entry> first = due.firstEntry();
            Instant now = clock.instant();
            if (first == null || first.getKey().notBefore().isAfter(now)) {
                return Optional.empty();
            }
            Entry entry = first.getValue();
            Delivery d = entry.job.delivery().orElseThrow();
            scheduleDelivery(entry, new Delivery(Delivery.State.DUE, d.attempt(), d.token() + 1, now.plus(leaseTime)));
            return Optional.of(entry.job);
        }
    }

    @Override
    public boolean deliveryDone(TaskId id, long token) {
        synchronized (lock) {
            Entry entry = claimedDelivery(id, token);
            if (entry == null) {
                return false;
            }
            unscheduleDelivery(entry);
            Delivery d = entry.job.delivery().orElseThrow();
            entry.job = entry.job.withDelivery(
                    Optional.of(new Delivery(Delivery.State.DONE, d.attempt(), d.token(), d.notBefore())));
            return true;
        }
    }

    @Override
    public boolean retryDelivery(TaskId id, long token, Instant at) {
        requireNonNull(at, "at");
        synchronized (lock) {
            Entry entry = claimedDelivery(id, token);
            if (entry == null) {
                return false;
            }
            Delivery d = entry.job.delivery().orElseThrow();
            scheduleDelivery(entry, new Delivery(Delivery.State.DUE, d.attempt() + 1, d.token(), at));
            return true;
        }
    }

    @Override
    public void ping() {
        // Memory always answers.
    }

    /** The entry whose delivery is due under this token, or null. */
    private Entry claimedDelivery(TaskId id, long token) {
        requireNonNull(id, "id");
        Entry entry = jobs.get(id);
        if (entry == null) {
            return null;
        }
        Optional<Delivery> d = entry.job.delivery();
        return d.isPresent() && d.get().state() == Delivery.State.DUE && d.get().token() == token ? entry : null;
    }

    /** Gives the entry this due delivery and puts it at its place among the due ones. */
    private void scheduleDelivery(Entry entry, Delivery delivery) {
        unscheduleDelivery(entry);
        entry.job = entry.job.withDelivery(Optional.of(delivery));
        entry.dueKey = new DueKey(delivery.notBefore(), entry.seq);
        due.put(entry.dueKey, entry);
    }

    private void unscheduleDelivery(Entry entry) {
        if (entry.dueKey != null) {
            due.remove(entry.dueKey);
            entry.dueKey = null;
        }
    }

    /** The entry of the job this lease holds, or null when the lease no longer holds it. */
    private Entry held(Lease lease) {
        requireNonNull(lease, "lease");
        Entry entry = jobs.get(lease.taskId());
        if (entry == null
                || entry.job.state() != JobState.PROCESSING
                || entry.job.lease().orElseThrow().token() != lease.token()) {
            return null;
        }
        return entry;
    }

    private void backToPending(Entry entry, int attempt, Instant notBefore, String message, Optional<JobError> error) {
        Job j = entry.job;
        processing.remove(j.id());
        entry.job = j.withState(JobState.PENDING)
                .withAttempt(attempt)
                .withNotBefore(notBefore)
                .withLease(Optional.empty())
                .withCancelRequested(false)
                .withProgress(0)
                .withMessage(message)
                .withResult(Optional.empty())
                .withError(error)
                .withUpdatedAt(clock.instant());
        enqueue(entry);
    }

    private void finish(
            Entry entry,
            JobState state,
            double progress,
            String message,
            Optional<MergeResult> result,
            Optional<JobError> error) {
        Job j = entry.job;
        processing.remove(j.id());
        Instant now = clock.instant();
        entry.job = j.withState(state)
                .withLease(Optional.empty())
                .withProgress(progress)
                .withMessage(message)
                .withResult(result)
                .withError(error)
                .withUpdatedAt(now)
                .withFinishedAt(Optional.of(now));
        finished.add(entry);
        Optional<Delivery> d = entry.job.delivery();
        if (d.isPresent() && d.get().state() == Delivery.State.WAITING) {
            scheduleDelivery(
                    entry,
                    new Delivery(Delivery.State.DUE, d.get().attempt(), d.get().token(), now));
        }
    }

    private void enqueue(Entry entry) {
        Job j = entry.job;
        entry.readyKey = new ReadyKey(j.notBefore(), j.createdAt(), entry.seq);
        ready.put(entry.readyKey, entry);
    }

    private static void requireLimit(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
    }

    private static void requirePositive(Duration leaseTime) {
        requireNonNull(leaseTime, "leaseTime");
        if (leaseTime.isNegative() || leaseTime.isZero()) {
            throw new IllegalArgumentException("leaseTime must be > 0: " + leaseTime);
        }
    }

    /** The order of ready jobs: earliest notBefore, then oldest created, then first stored. */
    private record ReadyKey(Instant notBefore, Instant createdAt, long seq) implements Comparable<ReadyKey> {
        @Override
        public int compareTo(ReadyKey o) {
            int c = notBefore.compareTo(o.notBefore);
            if (c == 0) {
                c = createdAt.compareTo(o.createdAt);
            }
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** The order of due deliveries: earliest notBefore, then first stored. */
    private record DueKey(Instant notBefore, long seq) implements Comparable<DueKey> {
        @Override
        public int compareTo(DueKey o) {
            int c = notBefore.compareTo(o.notBefore);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }
    }

    /** One job's current snapshot and its places in the ready and due queues; guarded by {@code lock}. */
    private static final class Entry {
        private final long seq;
        private Job job;
        private ReadyKey readyKey;
        private DueKey dueKey;

        private Entry(Job job, long seq) {
            this.job = job;
            this.seq = seq;
        }
    }

    /** An idempotency key as a principal used it: keys of different principals never meet. */
    private record ScopedKey(Principal principal, String key) {}
}
