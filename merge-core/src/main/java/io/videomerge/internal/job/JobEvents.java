package io.videomerge.internal.job;

import io.videomerge.MergeException;
import io.videomerge.MergeResult;
import io.videomerge.spi.Job;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.slf4j.LoggerFactory;

/**
 * What happens to jobs, told as it happens: the one place where the job layer reports its work, so that each event
 * has a single call site and each concern (the log lines of {@link JobLog}, the metrics of
 * {@code internal.metrics}) one implementation. Every method has a default that does nothing.
 *
 * <p>Events about a job run on the thread that did the work, with the job's {@link JobContext} in the MDC
 * ({@link #submitted} on the submitting thread, the others on the worker's job thread). Implementations must be
 * thread-safe and quick; {@link #all} keeps an exception of one from reaching the worker.
 */
public interface JobEvents {
    /** Observes nothing. */
    JobEvents NONE = new JobEvents() {};

    /**
     * The worker started; {@code load} answers for it from now on (cheaply: no store call) until
     * {@link #workerStopped()}.
     */
    default void workerStarted(WorkerLoad load) {}

    /** The worker stopped: {@link #workerStarted}'s load no longer changes. */
    default void workerStopped() {}

    /**
     * Whether {@link WorkerLoad#pending()} must be kept current: the janitor then counts pending jobs in the store at
     * each of its runs, a store call it otherwise skips.
     */
    default boolean needsPendingCount() {
        return false;
    }

    /**
     * A new job was recorded (not when an idempotency key returned an earlier one). Told once the store holds it, so
     * a worker may have claimed it already: its {@link #claimed} may come first.
     */
    default void submitted(Job job) {}

    /** This worker claimed {@code job} (its attempt is {@code job.attempt()}) as {@code owner}. */
    default void claimed(Job job, String owner) {}

    /** A stage of {@code job}'s merge ended without failing. */
    default void stageEnded(Job job, StageReport report) {}

    /**
     * The store recorded {@code job} as completed.
     *
     * @param outputBytes the size of the published file, or -1 when the runner did not report an upload
     */
    default void completed(Job job, MergeResult result, long outputBytes) {}

    /**
     * The store recorded {@code job}'s attempt as failed.
     *
     * @param retryAt when the job runs again; empty when the failure is final (not retryable, attempts spent,
     *     cancelled)
     */
    default void failed(Job job, MergeException failure, Optional<Instant> retryAt) {}

    /**
     * This worker let {@code job} go without an outcome: handed back at shutdown, or its lease was lost (the outcome,
     * if any, is discarded; the job runs again elsewhere).
     */
    default void released(Job job, String reason) {}

    /**
     * Each of {@code events}, in order. An exception from one is logged and does not keep the others from hearing
     * of the event: observing must never break the work it observes.
     */
    static JobEvents all(List<JobEvents> events) {
        List<JobEvents> list = List.copyOf(events);
        return new JobEvents() {
            @Override
            public void workerStarted(WorkerLoad load) {
                each(list, e -> e.workerStarted(load));
            }

            @Override
            public void workerStopped() {
                each(list, JobEvents::workerStopped);
            }

            @Override
            public boolean needsPendingCount() {
                return list.stream().anyMatch(JobEvents::needsPendingCount);
            }

            @Override
            public void submitted(Job job) {
                each(list, e -> e.submitted(job));
            }

            @Override
            public void claimed(Job job, String owner) {
                each(list, e -> e.claimed(job, owner));
            }

            @Override
            public void stageEnded(Job job, StageReport report) {
                each(list, e -> e.stageEnded(job, report));
            }

            @Override
            public void completed(Job job, MergeResult result, long outputBytes) {
                each(list, e -> e.completed(job, result, outputBytes));
            }

            @Override
            public void failed(Job job, MergeException failure, Optional<Instant> retryAt) {
                each(list, e -> e.failed(job, failure, retryAt));
            }

            @Override
            public void released(Job job, String reason) {
                each(list, e -> e.released(job, reason));
            }
        };
    }

    private static void each(List<JobEvents> events, Consumer<JobEvents> event) {
        for (JobEvents e : events) {
            try {
                event.accept(e);
            } catch (RuntimeException failure) {
                LoggerFactory.getLogger(JobEvents.class).warn("a job event observer failed", failure);
            }
        }
    }

    /** What the worker holds now, read without a store call. */
    interface WorkerLoad {
        /** Jobs downloading their inputs. */
        int fetching();

        /** Fetched jobs waiting for a merge slot. */
        int waiting();

        /** Jobs merging: probe, encode, upload. */
        int merging();

        /** Pending jobs in the store at the janitor's last count; -1 before the first or when not counted. */
        long pending();
    }
}
