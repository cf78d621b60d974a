package io.videomerge.spi;

import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Keeps merge jobs durable and hands them to workers under fenced leases, with exactly one final
 * outcome per job however many workers race.
 *
 * <p>All times come from the {@link java.time.Clock} the store was built with. Every method is
 * thread-safe and, for stores shared by several processes, atomic across them. A store that cannot
 * be reached throws {@link io.videomerge.StoreUnavailableException}; it never reports a change it did
 * not make. The rules below are checked by the contract suite in the merge-testkit module
 * ({@code io.videomerge.spi.JobStoreContract}).
 *
 * <p>Rules common to every method:
 * <ul>
 *   <li>A {@link Lease} passed in is matched by its task id and token only; its owner and expiry are
 *       not compared (a worker keeps the lease it claimed and renews it many times).</li>
 *   <li>A lease that expired is still honoured until {@link #requeueExpired} takes the job back: expiry
 *       makes a job eligible for rescue, it does not by itself change the job.</li>
 *   <li>Every change sets {@code updatedAt} to now; reaching a final state also sets {@code finishedAt}
 *       to now and drops the lease. A job going back to {@link JobState#PENDING} has no lease and
 *       progress 0. The delivery methods are the exception: they change the job's {@link Delivery} only.</li>
 *   <li>Instants are kept to the millisecond at least; the request and result survive a round trip
 *       through the store equal to what was written (see {@link JobCodec}).</li>
 * </ul>
 *
 * <p>Webhook deliveries: a job whose request has a {@link io.videomerge.MergeRequest#callbackUrl() callback URL}
 * carries a {@link Delivery}, created {@link Delivery.State#WAITING} with attempt 1, token 0 and {@code notBefore}
 * = {@code createdAt}; a job without one never has a delivery. Whatever makes the job final ({@link #complete}, a
 * {@link #fail} without retry, the {@link #cancel} of a pending job, the {@link #release} of a job whose
 * cancellation was requested, a {@link #requeueExpired} that ends it FAILED or CANCELLED) makes its waiting delivery
 * {@link Delivery.State#DUE} with {@code notBefore} = {@code finishedAt}, in the same atomic change; a job that
 * goes back to {@link JobState#PENDING} keeps its delivery waiting. Deliverers then take due deliveries under a
 * lease ({@link #claimDelivery}) and end each attempt with {@link #deliveryDone} or {@link #retryDelivery}, fenced by
 * the claim's token; a {@link #purgeFinished purged} job's delivery goes with it, in whatever state.
 */
public interface JobStore extends AutoCloseable {

    /**
     * Creates a job in {@link JobState#PENDING} with attempt 1, progress 0, {@code notBefore} =
     * {@code createdAt} = {@code updatedAt} = now, no lease, result or error.
     * The job keeps its principal and its request's {@link NewJob#fingerprint() fingerprint}.
     * When {@code job.idempotencyKey()} is present and a job of the same principal with that key exists (in any
     * state, until it is purged), returns that job unchanged, whatever its request, and creates nothing (also under
     * concurrent creates with the same key, from any number of threads or processes); the caller compares the
     * fingerprints. Keys of different principals never meet: each may use any key.
     *
     * @param job the job to create
     * @return the job now stored under the id or key
     */
    Job create(NewJob job);

    /**
     * {@return the job with this id, or empty when there is none (never created, or purged)}
     *
     * @param id the task id
     */
    Optional<Job> find(TaskId id);

    /**
     * Atomically moves one {@link JobState#PENDING} job whose {@code notBefore} is not after now to
     * {@link JobState#PROCESSING}, oldest {@code notBefore} first (then oldest created), and gives it a
     * lease: {@code owner}, a token greater than any earlier token of that job, expiry now + {@code leaseTime}.
     * The attempt is not changed by a claim. Two concurrent claims never return the same job.
     *
     * @param owner     the claiming worker instance's id, kept in the lease for diagnostics
     * @param leaseTime how long the lease lasts unless renewed
     * @return the claimed job, whose {@link Job#lease()} is present; empty when no job is ready
     */
    Optional<Job> claim(String owner, Duration leaseTime);

    /**
     * The heartbeat: while the job is {@link JobState#PROCESSING} under this lease's token, extends the
     * lease to now + {@code leaseTime} and records {@code progress} (clamped to 0..1, never lowered; NaN
     * leaves it as it is) and {@code message}.
     *
     * @param lease     the worker's lease
     * @param leaseTime how long the renewed lease lasts from now
     * @param progress  the share of the work done
     * @param message   the status line
     * @return {@link Renewal#RENEWED}, {@link Renewal#CANCEL_REQUESTED} when cancellation was requested
     *         (the lease is still extended), or {@link Renewal#LOST} with no change when the token no
     *         longer matches or the job is not processing
     */
    Renewal renew(Lease lease, Duration leaseTime, double progress, String message);

    /**
     * Completes the job with {@code result} (progress 1) if it is still {@link JobState#PROCESSING}
     * under this lease's token (even when cancellation was requested meanwhile: the work is done);
     * otherwise changes nothing.
     *
     * @param lease  the worker's lease
     * @param result the merge's result
     * @return whether the job was completed by this call
     */
    boolean complete(Lease lease, MergeResult result);

    /**
     * Fails the job if it is still {@link JobState#PROCESSING} under this lease's token; otherwise
     * changes nothing. When {@code retryAt} is present and {@code attempt < maxAttempts} (and no
     * cancellation was requested), the job goes back to {@link JobState#PENDING} with attempt + 1,
     * {@code notBefore = retryAt}, no lease, progress 0 and {@code error} kept as the last error; otherwise it ends in
     * {@link JobError#finalState()} ({@code FAILED}, or {@code CANCELLED} for the CANCELLED code).
     *
     * @param lease   the worker's lease
     * @param error   why the attempt failed
     * @param retryAt when a retryable failure may be tried again; empty for a permanent one
     * @return whether this call changed the job
     */
    boolean fail(Lease lease, JobError error, Optional<Instant> retryAt);

    /**
     * Gives the job back without spending an attempt (graceful shutdown): if it is still
     * {@link JobState#PROCESSING} under this lease's token, it becomes {@link JobState#PENDING} with
     * the same attempt, no lease (or {@code CANCELLED} if cancellation was
     * requested); otherwise nothing changes. The job keeps its place in the queue: {@code notBefore} becomes
     * its {@code createdAt}, so it is claimed before every ready job created after it.
     *
     * @param lease the worker's lease
     * @return whether this call changed the job
     */
    boolean release(Lease lease);

    /**
     * Rescues jobs whose worker vanished: every {@link JobState#PROCESSING} job whose lease expired
     * before now goes back to {@link JobState#PENDING} with attempt + 1, no lease and progress 0 (its last error
     * is kept) and its place in the queue ({@code notBefore} = its {@code createdAt}: a rescued job is claimed
     * before every ready job created after it), or, when
     * {@code attempt >= maxAttempts}, ends {@link JobState#FAILED} with
     * {@link io.videomerge.ErrorCode#WORKER_LOST} (or {@code CANCELLED} if cancellation was requested).
     * Never touches a job that is final or whose lease was renewed meanwhile, even when racing the
     * {@link #complete}, {@link #fail}, {@link #renew} or {@link #release} of its worker: exactly one
     * of them takes effect.
     *
     * @return how many jobs this call changed
     */
    int requeueExpired();

    /**
     * Requests cancellation: a {@link JobState#PENDING} job ends {@link JobState#CANCELLED} at once
     * (error code CANCELLED); a {@link JobState#PROCESSING} job gets {@code cancelRequested}, which its
     * worker learns at the next {@link #renew}; {@link #release} and {@link #requeueExpired} then end it
     * {@code CANCELLED}, and a {@link #fail} ends it for good (no retry). A final job is left as it is.
     *
     * @param id the task id
     * @return whether the job exists and was not final (also when cancellation had been requested before)
     */
    boolean cancel(TaskId id);

    /**
     * Deletes at most {@code limit} final jobs whose {@code finishedAt} is before {@code cutoff}, oldest
     * finished first, with their idempotency keys (a later create with such a key makes a new job) and their
     * deliveries, in whatever state. Jobs that
     * are not final are never deleted; a job is returned by one call only, however many race.
     *
     * @param cutoff jobs that finished before this instant are deleted
     * @param limit  at least 1
     * @return the deleted jobs as they were, so that the caller can remove their outputs
     */
    List<Job> purgeFinished(Instant cutoff, int limit);

    /**
     * How many jobs are {@link JobState#PENDING} now (also those waiting for their {@code notBefore}); the
     * admission check calls it on every submit, so it is cheap: a counter or an indexed count, never a scan of
     * stored jobs. Under concurrent changes it may be slightly stale.
     *
     * @return the number of pending jobs
     */
    long countPending();

    /**
     * Atomically takes one {@link Delivery.State#DUE} delivery whose {@code notBefore} is not after now, earliest
     * {@code notBefore} first, under a lease: its {@code notBefore} becomes now + {@code leaseTime} and its token
     * greater than any earlier token of that delivery; its state and attempt do not change, nor does anything else of
     * the job. Until the lease ends, no claim returns it again; after that (the deliverer vanished) any claim may.
     * Two concurrent claims never return the same delivery.
     *
     * @param leaseTime how long the claim holds the delivery before another claim may take it; positive
     * @return the job, final, with the claimed delivery; empty when no delivery is due
     */
    Optional<Job> claimDelivery(Duration leaseTime);

    /**
     * Ends a delivery for good, delivered or given up: when the job's delivery is {@link Delivery.State#DUE} with this
     * token, it becomes {@link Delivery.State#DONE} (attempt and {@code notBefore} unchanged) and is never claimed
     * again; otherwise nothing changes.
     *
     * @param id    the task id
     * @param token the token of the claim that made the last attempt, as in the claimed {@link Delivery}
     * @return whether this call changed the delivery
     */
    boolean deliveryDone(TaskId id, long token);

    /**
     * Schedules the next attempt of a failed delivery: when the job's delivery is {@link Delivery.State#DUE} with this
     * token, its attempt becomes attempt + 1 and its {@code notBefore} {@code at} (the token is unchanged: the next
     * claim raises it); otherwise nothing changes.
     *
     * @param id    the task id
     * @param token the token of the claim that made the failed attempt, as in the claimed {@link Delivery}
     * @param at    the earliest time the next attempt may be claimed
     * @return whether this call changed the delivery
     */
    boolean retryDelivery(TaskId id, long token, Instant at);

    /**
     * Checks that the store answers.
     *
     * @throws io.videomerge.StoreUnavailableException when it does not
     */
    default void ping() {
        find(TaskId.random());
    }

    /** Releases connections this store opened itself; a store given a client or pool leaves it open. */
    @Override
    default void close() {}
}
