package io.videomerge;

import static java.util.Objects.requireNonNull;

import io.videomerge.internal.DefaultMergeService;
import io.videomerge.internal.ServiceConfig;
import io.videomerge.spi.Uploader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Merges video clips: {@link #merge} runs one merge in the calling thread; {@link #submit} records an
 * asynchronous job that a worker of this or any other instance sharing the job store runs.
 *
 * <p>Build one with {@code MergeService.builder()}; {@link #close()} stops claiming work, lets running
 * merges finish within a grace period and hands the rest back to the store.
 */
public interface MergeService extends AutoCloseable {

    /**
     * Downloads, probes, merges and uploads in the calling thread. Interrupting the thread stops the
     * merge promptly and removes its files.
     *
     * @throws MergeException with the code of what failed, and the input index where one applies
     */
    MergeResult merge(MergeRequest request);

    /**
     * Checks the request against the limits and records it as a pending job.
     *
     * @return the new task's id
     * @throws InvalidRequestException when the request breaks a limit (it never becomes a job)
     * @throws StoreUnavailableException when the store could not record it
     * @throws MergeException with {@link ErrorCode#QUEUE_FULL} when too many jobs are pending
     */
    TaskId submit(MergeRequest request);

    /**
     * Like {@link #submit(MergeRequest)}, but a second submit with the same key returns the first
     * task's id and creates nothing.
     */
    TaskId submit(MergeRequest request, String idempotencyKey);

    /**
     * Checks a request against the limits without running or recording it.
     *
     * @throws InvalidRequestException naming what is wrong
     */
    void validate(MergeRequest request);

    /**
     * The task's current status.
     *
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id
     */
    TaskStatus status(TaskId id);

    /**
     * The result of a completed task.
     *
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id,
     *         {@link ErrorCode#TASK_NOT_FINISHED} while it runs, or the failure's own code when it failed
     */
    MergeResult result(TaskId id);

    /**
     * Waits until the task is final or {@code timeout} passes, whichever is first.
     *
     * @return the status at that moment
     * @throws MergeException with {@link ErrorCode#TASK_NOT_FOUND} for an unknown id
     * @throws InterruptedException when the waiting thread is interrupted
     */
    TaskStatus await(TaskId id, Duration timeout) throws InterruptedException;

    /**
     * Requests cancellation: a pending task fails at once with {@link ErrorCode#CANCELLED}, a running one
     * stops at its next heartbeat.
     *
     * @return whether the task existed and was not finished
     */
    boolean cancel(TaskId id);

    /** Checks that the job store answers. @throws StoreUnavailableException when it does not */
    void ping();

    @Override
    void close();

    /** A builder of the in-process service; only {@link Builder#uploader(io.videomerge.spi.Uploader)} is required. */
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

        Builder() {
        }

        /** The limits every request and input is checked against (default {@link Limits#defaults()}). */
        public Builder limits(Limits limits) {
            this.limits = requireNonNull(limits, "limits");
            return this;
        }

        /** Where merged files are published (required). */
        public Builder uploader(Uploader uploader) {
            this.uploader = requireNonNull(uploader, "uploader");
            return this;
        }

        /**
         * The folder under which each merge gets its own temporary folder, removed when the merge ends
         * (default {@code videomerge} under {@code java.io.tmpdir}).
         */
        public Builder workDirectory(Path workDirectory) {
            this.workDirectory = requireNonNull(workDirectory, "workDirectory");
            return this;
        }

        /** The clock of processing times and job timestamps (default the system UTC clock). */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The service.
         *
         * @throws IllegalStateException when no uploader was set
         */
        public MergeService build() {
            if (uploader == null) {
                throw new IllegalStateException("an uploader is required");
            }
            return new DefaultMergeService(new ServiceConfig(limits, uploader, workDirectory, clock));
        }
    }
}
