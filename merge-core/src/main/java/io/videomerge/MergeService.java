package io.videomerge;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.videomerge.internal.DefaultMergeService;
import io.videomerge.internal.ServiceConfig;
import io.videomerge.internal.fetch.CallbackClient;
import io.videomerge.internal.isolate.ChildSettings;
import io.videomerge.internal.job.JobEvents;
import io.videomerge.internal.job.JobSettings;
import io.videomerge.internal.job.RetryBackoff;
import io.videomerge.internal.metrics.JobMetrics;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Uploader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * Merges video clips: {@link #merge} runs one merge in the calling thread; {@link #submit} records an
 * asynchronous job that a worker of this or any other instance sharing the job store runs.
 *
 * <p>Tasks belong to the {@link Principal} that submitted them. The methods that take a principal act for that
 * caller: another principal's task is answered exactly as an unknown id ({@link ErrorCode#TASK_NOT_FOUND}), and
 * idempotency keys are its own. The methods without one act for the application itself: they submit as
 * {@link Principal#ANONYMOUS} and read, wait on and cancel any task. A server facing several clients uses the
 * first kind with the principal its authentication found.
 *
 * <p>Build one with {@code MergeService.builder()}; {@link #close()} stops claiming work, lets running
 * merges finish within a grace period, hands the rest back to the store, and returns once the service's threads
 * have ended (each wait bounded), so that none outlives a web application that closes it when it stops.
 */
public interface MergeService extends AutoCloseable {

    /**
     * Downloads, probes, merges and uploads in the calling thread. Interrupting the thread stops the
     * merge promptly and removes its files. A request with a callback URL is refused: only submitted tasks send
     * webhooks.
     *
     * @param request the clips and how to merge them
     * @return where the merged file is and what it is
     * @throws MergeException with the code of what failed, and the input index where one applies
     */
    MergeResult merge(MergeRequest request);

    /**
     * Checks the request against the limits and records it as a pending job.
     *
     * @param request the clips and how to merge them
     * @return the new task's id
     * @throws InvalidRequestException when the request breaks a limit (it never becomes a job)
     * @throws StoreUnavailableException when the store could not record it
     * @throws MergeException with {@link ErrorCode#QUEUE_FULL} when too many jobs are pending
     */
    TaskId submit(MergeRequest request);

    /**
     * Like {@link #submit(MergeRequest)}, but a second submit with the same key returns the first
     * task's id and creates nothing; as {@link #submit(Principal, MergeRequest, Optional)} for
     * {@link Principal#ANONYMOUS}.
     *
     * @param request        the clips and how to merge them
     * @param idempotencyKey the client's name for this request
     * @return the new task's id, or the first one's for a key used before with the same request
     * @throws InvalidRequestException when the request or the key breaks a limit
     * @throws MergeException with {@link ErrorCode#IDEMPOTENCY_KEY_REUSED} when the key was used for a different
     *     request, with {@link ErrorCode#QUEUE_FULL} when too many jobs are pending
     * @throws StoreUnavailableException when the store could not record it
     */
    TaskId submit(MergeRequest request, String idempotencyKey);

    /**
     * Checks the request against the limits and records it as a pending job of {@code principal}.
     *
     * <p>With an idempotency key, as the IETF draft on the {@code Idempotency-Key} header describes: the key is
     * scoped to the principal and stored with the request's fingerprint until the task is purged. The same key
     * with the same request returns the first task's id and creates nothing, also when the submits race on any
     * number of instances; the same key with a different request is refused.
     *
     * @param principal      who submits, and so owns the task
     * @param request        the clips and how to merge them
     * @param idempotencyKey the client's name for this request, if it sent one
     * @return the new task's id, or the first one's for a key used before with the same request
     * @throws InvalidRequestException when the request or the key breaks a limit (it never becomes a job)
     * @throws MergeException with {@link ErrorCode#IDEMPOTENCY_KEY_REUSED} when the principal used the key for a
     *         different request, with {@link ErrorCode#QUEUE_FULL} when too many jobs are pending
     * @throws StoreUnavailableException when the store could not record it
     */
    TaskId submit(Principal principal, MergeRequest request, Optional<String> idempotencyKey);

    /**
     * Checks a request against the limits without running or recording it: the clips, and the callback URL by the
     * same URL rules (a service without {@link Builder#webhooks webhooks} refuses any callback URL).
     *
     * @param request the request to check
     * @throws InvalidRequestException naming what is wrong
     * @throws FetchException with {@link ErrorCode#UNSUPPORTED_SCHEME} or {@link ErrorCode#URL_FORBIDDEN} naming the
     *         input, or {@code callback_url}, whose URL is refused
     */
    void validate(MergeRequest request);

    /**
     * The task's current status.
     *
     * @param id the task
     * @return its status
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id
     */
    TaskStatus status(TaskId id);

    /**
     * The result of a completed task.
     *
     * @param id the task
     * @return its result
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id,
     *         {@link ErrorCode#TASK_NOT_FINISHED} while it runs, or the failure's own code when it failed
     */
    MergeResult result(TaskId id);

    /**
     * The status of one of {@code principal}'s tasks.
     *
     * @param principal who asks
     * @param id        the task
     * @return its status
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id or another principal's task
     */
    TaskStatus status(Principal principal, TaskId id);

    /**
     * The result of one of {@code principal}'s tasks, as {@link #result(TaskId)} answers it.
     *
     * @param principal who asks
     * @param id        the task
     * @return its result
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id or another principal's task,
     *         {@link ErrorCode#TASK_NOT_FINISHED} while it runs, or the failure's own code when it failed
     */
    MergeResult result(Principal principal, TaskId id);

    /**
     * Waits until the task is final or {@code timeout} passes, whichever is first, in the calling thread: the
     * blocking form of {@link #awaitFinal}.
     *
     * @param id      the task
     * @param timeout the longest to wait
     * @return the status at that moment
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id
     * @throws InterruptedException when the waiting thread is interrupted
     */
    TaskStatus await(TaskId id, Duration timeout) throws InterruptedException;

    /**
     * A future that completes with the task's status once it is final, or with its status at that moment when
     * {@code timeout} passes; no thread is held while it waits, so a server may keep thousands of such waits.
     * A task that is already final, or a timeout of zero, completes the future before this returns. Tasks that
     * other instances sharing the job store finish are seen within half a second.
     *
     * <p>The future fails with {@link MergeException} {@link ErrorCode#TASK_NOT_FOUND} for an unknown id, and
     * with {@link StoreUnavailableException} when the store failed on the last read before the timeout (a store
     * that fails earlier is asked again). Once the service is closed, outstanding and new waits complete with
     * the current status at once. Cancelling the future gives the wait up. Its dependent actions run on the
     * service's waiting thread and must not block; use the {@code ...Async} variants for slow work.
     *
     * @param id      the task
     * @param timeout the longest to wait; zero reads the status once
     * @return the future status
     */
    CompletableFuture<TaskStatus> awaitFinal(TaskId id, Duration timeout);

    /**
     * {@link #awaitFinal(TaskId, Duration)} on one of {@code principal}'s tasks: another principal's task fails
     * the future with {@link ErrorCode#TASK_NOT_FOUND}, as an unknown id does.
     *
     * @param principal who waits
     * @param id        the task
     * @param timeout   the longest to wait; zero reads the status once
     * @return the future status
     */
    CompletableFuture<TaskStatus> awaitFinal(Principal principal, TaskId id, Duration timeout);

    /**
     * Requests cancellation: a pending task fails at once with {@link ErrorCode#CANCELLED}, a running one
     * stops at its next heartbeat.
     *
     * @param id the task
     * @return whether the task existed and was not finished
     */
    boolean cancel(TaskId id);

    /**
     * {@link #cancel(TaskId)} on one of {@code principal}'s tasks: another principal's task is left alone and
     * answers false, as an unknown id does.
     *
     * @param principal who cancels
     * @param id        the task
     * @return whether the task existed, was the principal's and was not finished
     */
    boolean cancel(Principal principal, TaskId id);

    /**
     * Checks that the service can take work: the job store answers and the work directory has the configured
     * free space ({@link Builder#minFreeDiskBytes}).
     *
     * @throws StoreUnavailableException when the store does not answer
     * @throws MergeException with {@link ErrorCode#STORAGE_FULL} when the disk is low
     */
    void ping();

    /**
     * Stops claiming work, lets running merges finish within {@link Builder#shutdownGrace(Duration)}, then
     * interrupts them and hands their jobs back to the store for another instance. Outstanding waits complete with
     * the current status. The job store is not closed.
     */
    @Override
    void close();

    /**
     * {@return a builder of the in-process service; only {@link Builder#uploader(io.videomerge.spi.Uploader)} is
     * required}
     */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Collects the service's collaborators; {@link #build()} checks them and returns the service.
     * Not thread-safe; build once, share the service.
     */
    final class Builder {
        private Limits limits = Limits.defaults();
        private Uploader uploader;
        private Path workDirectory = Path.of(System.getProperty("java.io.tmpdir"), "videomerge");
        private Clock clock = Clock.systemUTC();
        private JobStore jobStore;
        private int mergeConcurrency = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        private int fetchConcurrency = 4;
        private int fetchedQueue = -1;
        private long maxPendingJobs = 1000;
        private long minFreeDiskBytes = ServiceConfig.DEFAULT_MIN_FREE_DISK_BYTES;
        private Duration leaseTime = Duration.ofSeconds(30);
        private Duration heartbeat = Duration.ofSeconds(10);
        private int maxAttempts = 3;
        private RetryBackoff retryBackoff = RetryBackoff.DEFAULT;
        private Duration retention = Duration.ofHours(24);
        private Duration pollInterval = Duration.ofSeconds(1);
        private Duration shutdownGrace = Duration.ofSeconds(30);
        private String ownerId;
        private Isolation isolation = Isolation.inProcess();
        private Webhooks webhooks;
        private JobEvents metrics = JobEvents.NONE;
        private Duration posterAt = ServiceConfig.DEFAULT_POSTER_AT;
        private boolean posters = true;
        private Speed speed = Speed.DEFAULT;

        Builder() {}

        /**
         * The limits every request and input is checked against (default {@link Limits#defaults()}).
         *
         * @param limits the limits
         * @return this builder
         */
        public Builder limits(Limits limits) {
            this.limits = requireNonNull(limits, "limits");
            return this;
        }

        /**
         * Where merged files are published (required).
         *
         * @param uploader the uploader, for example a {@link io.videomerge.upload.FileSystemUploader}
         * @return this builder
         */
        public Builder uploader(Uploader uploader) {
            this.uploader = requireNonNull(uploader, "uploader");
            return this;
        }

        /**
         * The folder under which each merge gets its own temporary folder, removed when the merge ends
         * (default {@code videomerge} under {@code java.io.tmpdir}).
         *
         * @param workDirectory the folder, created if missing
         * @return this builder
         */
        public Builder workDirectory(Path workDirectory) {
            this.workDirectory = requireNonNull(workDirectory, "workDirectory");
            return this;
        }

        /**
         * The clock of processing times, retry times and purge cut-offs (default the system UTC clock).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Where asynchronous jobs live; without one, {@link MergeService#submit} and the other task methods
         * throw {@link UnsupportedOperationException}. Instances sharing a store share the work. The service
         * does not close the store.
         *
         * @param jobStore the store, for example an {@code InMemoryJobStore}, {@code JdbcJobStore} or
         *     {@code RedisJobStore}
         * @return this builder
         */
        public Builder jobStore(JobStore jobStore) {
            this.jobStore = requireNonNull(jobStore, "jobStore");
            return this;
        }

        /**
         * How many merges this instance runs at once: the CPU stage (default half the processors, at least 1). With
         * 0 the instance records and answers for tasks that other instances run.
         *
         * @param merges the number of merges at once, 0 or more
         * @return this builder
         */
        public Builder mergeConcurrency(int merges) {
            this.mergeConcurrency = merges;
            return this;
        }

        /**
         * How many jobs this instance downloads the inputs of at once: the I/O stage, separate from the merges, so
         * that a slow source never holds a merge slot and downloads overlap merges (default 4).
         *
         * @param fetches the number of jobs downloading at once
         * @return this builder
         */
        public Builder fetchConcurrency(int fetches) {
            this.fetchConcurrency = fetches;
            return this;
        }

        /**
         * How many fetched jobs may wait for a merge slot, their leases kept alive (default: the merge concurrency,
         * so each merge slot has its next job ready). With 0 a fetched job keeps its fetch slot until it can merge.
         *
         * @param jobs the number of fetched jobs that may wait, 0 or more
         * @return this builder
         */
        public Builder fetchedQueue(int jobs) {
            this.fetchedQueue = jobs;
            return this;
        }

        /**
         * The most pending tasks the job store may hold: a submit beyond it is refused with
         * {@link ErrorCode#QUEUE_FULL} and nothing is recorded (default 1000; 0 for no limit).
         *
         * @param jobs the most pending tasks
         * @return this builder
         */
        public Builder maxPendingJobs(long jobs) {
            this.maxPendingJobs = jobs;
            return this;
        }

        /**
         * The free disk space under the work directory below which {@link MergeService#ping()} reports
         * {@link ErrorCode#STORAGE_FULL}, so that a health check takes the instance out of rotation before merges
         * fail (default 256 MiB; 0 turns the check off).
         *
         * @param bytes the free space in bytes
         * @return this builder
         */
        public Builder minFreeDiskBytes(long bytes) {
            this.minFreeDiskBytes = bytes;
            return this;
        }

        /**
         * How long a claim or a heartbeat holds a job; a worker silent for longer loses it (default 30 s).
         *
         * @param leaseTime the lease time, longer than the heartbeat
         * @return this builder
         */
        public Builder leaseTime(Duration leaseTime) {
            this.leaseTime = requireNonNull(leaseTime, "leaseTime");
            return this;
        }

        /**
         * How often running jobs' leases are renewed, carrying progress, and how often expired leases and
         * old finished tasks are looked for (default 10 s; below the lease time).
         *
         * @param heartbeat the heartbeat interval, shorter than the lease time
         * @return this builder
         */
        public Builder heartbeat(Duration heartbeat) {
            this.heartbeat = requireNonNull(heartbeat, "heartbeat");
            return this;
        }

        /**
         * How many times a job may be tried, counting the first, after transient failures or lost workers (default 3).
         *
         * @param maxAttempts the number of attempts, at least 1
         * @return this builder
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = maxAttempts;
            return this;
        }

        /**
         * The wait before retrying after a transient failure: {@code initial}, doubled per attempt, capped at
         * {@code max}, up to half of it taken off at random (default 2 s and 5 min).
         *
         * @param initial the wait before the second attempt
         * @param max     the longest wait
         * @return this builder
         */
        public Builder retryBackoff(Duration initial, Duration max) {
            this.retryBackoff = new RetryBackoff(
                    requireNonNull(initial, "initial"), requireNonNull(max, "max"), RetryBackoff.DEFAULT.jitter());
            return this;
        }

        /**
         * How long finished tasks stay readable before they are purged, their merged files deleted through
         * {@link io.videomerge.spi.Uploader#delete} (default 24 h).
         *
         * @param retention the time a finished task is kept
         * @return this builder
         */
        public Builder retention(Duration retention) {
            this.retention = requireNonNull(retention, "retention");
            return this;
        }

        /**
         * The longest an idle worker waits before looking for jobs again (default 1 s); a submit to this
         * instance wakes it at once, jobs submitted elsewhere are found within this time.
         *
         * @param pollInterval the longest idle wait
         * @return this builder
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = requireNonNull(pollInterval, "pollInterval");
            return this;
        }

        /**
         * How long {@link MergeService#close()} lets running merges finish before it interrupts them and
         * hands their jobs back to the store for another instance (default 30 s).
         *
         * @param shutdownGrace the grace period
         * @return this builder
         */
        public Builder shutdownGrace(Duration shutdownGrace) {
            this.shutdownGrace = requireNonNull(shutdownGrace, "shutdownGrace");
            return this;
        }

        /**
         * This instance's name in job leases, for diagnostics (default {@code pid-<pid>-<random>}).
         *
         * @param ownerId the name
         * @return this builder
         */
        public Builder ownerId(String ownerId) {
            this.ownerId = requireNonNull(ownerId, "ownerId");
            return this;
        }

        /**
         * Where each merge's media work runs (default {@link Isolation#inProcess()}): {@link Isolation#process()}
         * runs it in a child JVM per merge, so that a native crash or an out-of-memory on a hostile input fails
         * that merge alone instead of ending this JVM; see {@link Isolation} for what that costs.
         *
         * @param isolation where media work runs
         * @return this builder
         */
        public Builder isolation(Isolation isolation) {
            this.isolation = requireNonNull(isolation, "isolation");
            return this;
        }

        /**
         * Posts each submitted task's final status to its callback URL, signed, as {@link Webhooks} describes
         * (default: no webhooks, and a request with a callback URL is refused with {@link ErrorCode#INVALID_REQUEST}).
         * Needs a job store, which keeps the deliveries; the deliveries' URLs follow the {@link Limits}' URL rules.
         *
         * @param webhooks the signing secret and delivery settings
         * @return this builder
         */
        public Builder webhooks(Webhooks webhooks) {
            this.webhooks = requireNonNull(webhooks, "webhooks");
            return this;
        }

        /**
         * The instant of the merged file that each merge's poster shows (default 1 s): a JPEG of the frame shown
         * then, the size of the canvas, published next to the video and named in
         * {@link MergeResult#thumbnailUrl()}. A merged file that is not longer than this gets its middle frame.
         *
         * @param at the instant from the start of the merged file, 0 or more
         * @return this builder
         * @throws IllegalArgumentException when the instant is negative
         */
        public Builder posterAt(Duration at) {
            requireNonNull(at, "at");
            if (at.isNegative()) {
                throw new IllegalArgumentException("posterAt must be >= 0: " + at);
            }
            this.posterAt = at;
            return this;
        }

        /**
         * Where the job layer's meters go (default: nowhere): jobs by outcome and error code, the time of each
         * stage, encode speed, bytes fetched, the pending queue and the jobs this instance holds, all named
         * {@code videomerge.*}. Micrometer is an optional dependency of videomerge: an application that never
         * calls this method needs no Micrometer on its class path.
         *
         * @param registry the registry the meters are registered in
         * @return this builder
         */
        public Builder meterRegistry(MeterRegistry registry) {
            this.metrics = new JobMetrics(requireNonNull(registry, "registry"));
            return this;
        }

        /**
         * Whether each merge also publishes a JPEG poster (default true); without, results carry no
         * {@link MergeResult#thumbnailUrl()}.
         *
         * @param make whether to make posters
         * @return this builder
         */
        public Builder posters(boolean make) {
            this.posters = make;
            return this;
        }

        /**
         * How the H.264 encoder trades encoding time for file size in merges whose request names no speed
         * (default {@link Speed#FAST}); a request's own {@link MergeRequest#speed()} wins. A submitted request
         * without one is encoded at the speed of the instance whose worker runs it.
         *
         * @param speed the speed of requests that name none
         * @return this builder
         */
        public Builder speed(Speed speed) {
            this.speed = requireNonNull(speed, "speed");
            return this;
        }

        /**
         * The service, its worker started when a job store was given.
         *
         * @return the service, to {@link MergeService#close() close} when done
         * @throws IllegalStateException when no uploader was set, or webhooks without a job store
         * @throws IllegalArgumentException when a job setting is out of range (a negative worker count, a
         *         heartbeat not shorter than the lease time, fewer than 1 attempt, a non-positive duration), when
         *         tasks would be purged before their webhooks give up (a retention shorter than
         *         {@link Webhooks#maxAge()}), or when the default callback URL breaks the URL rules
         */
        public MergeService build() {
            if (uploader == null) {
                throw new IllegalStateException("an uploader is required");
            }
            if (webhooks != null && jobStore == null) {
                throw new IllegalStateException("webhooks need a job store, which keeps their deliveries");
            }
            if (webhooks != null && retention.compareTo(webhooks.maxAge()) < 0) {
                throw new IllegalArgumentException("the retention (" + retention + ") is shorter than the webhooks'"
                        + " maximum age (" + webhooks.maxAge() + "): tasks would be purged before their webhooks");
            }
            if (webhooks != null && webhooks.defaultCallbackUrl().isPresent()) {
                try {
                    CallbackClient.checkUrl(webhooks.defaultCallbackUrl().get(), limits);
                } catch (FetchException e) {
                    throw new IllegalArgumentException("the default callback URL is refused: " + e.getMessage(), e);
                }
            }
            Optional<JobSettings> jobs = Optional.ofNullable(jobStore)
                    .map(store -> new JobSettings(
                            store,
                            mergeConcurrency,
                            fetchConcurrency,
                            fetchedQueue < 0 ? mergeConcurrency : fetchedQueue,
                            maxPendingJobs,
                            leaseTime,
                            heartbeat,
                            maxAttempts,
                            retryBackoff,
                            retention,
                            heartbeat,
                            pollInterval,
                            shutdownGrace,
                            ownerId != null ? ownerId : JobSettings.defaultOwner(),
                            clock));
            Optional<ChildSettings> children = !isolation.isProcess()
                    ? Optional.empty()
                    : Optional.of(new ChildSettings(
                            isolation.javaExecutable().orElseGet(ChildSettings::currentJava),
                            ChildSettings.absolute(
                                    isolation.classPath().orElseGet(() -> System.getProperty("java.class.path"))),
                            isolation.maxHeapBytes(),
                            isolation.timeout(),
                            isolation.jvmOptions(),
                            isolation.warmSpare(),
                            isolation.mainClass().orElse(ChildSettings.DEFAULT_MAIN_CLASS)));
            return new DefaultMergeService(new ServiceConfig(
                    limits,
                    uploader,
                    workDirectory,
                    clock,
                    jobs,
                    children,
                    minFreeDiskBytes,
                    Optional.ofNullable(webhooks),
                    metrics,
                    posters ? Optional.of(posterAt) : Optional.empty(),
                    speed));
        }
    }
}
