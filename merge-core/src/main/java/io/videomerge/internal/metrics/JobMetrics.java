package io.videomerge.internal.metrics;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.videomerge.MergeException;
import io.videomerge.MergeResult;
import io.videomerge.internal.job.JobEvents;
import io.videomerge.internal.job.StageReport;
import io.videomerge.internal.job.StageReport.Stage;
import io.videomerge.spi.Job;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.ToDoubleFunction;

/**
 * The job layer's meters: jobs by outcome and code, stage timers, encode speed, bytes fetched, and gauges of the
 * queue and of the jobs this instance holds. The gauges read the worker's own counts; the queue depth is the
 * janitor's last count (a store call per janitor run, never one per scrape).
 *
 * <p>Several services may share a registry: counters and timers add up, and each gauge reports the first service
 * that registered it.
 */
public final class JobMetrics implements JobEvents {
    /** Jobs by {@code outcome} (completed, failed, retried, released) and {@code code} (an ErrorCode, or none). */
    public static final String JOBS = "videomerge.jobs";
    /** Jobs recorded by submits (an idempotent repeat records none). */
    public static final String SUBMITTED = "videomerge.jobs.submitted";
    /** Pending jobs in the store, at the janitor's last count. */
    public static final String PENDING = "videomerge.jobs.pending";
    /** Jobs this instance holds, by {@code stage}: fetch, wait (for a merge slot), merge. */
    public static final String RUNNING = "videomerge.jobs.running";
    /**
     * Time of each stage that ended without failing, by {@code stage}: fetch, probe, encode, isolation (the media
     * step's time outside probe and encode, when it runs in a child process), upload.
     */
    public static final String STAGE = "videomerge.stage.duration";
    /** Seconds of output encoded per second of wall-clock time, by {@code path}: copy or reencode. */
    public static final String ENCODE_SPEED = "videomerge.encode.speed";
    /** Bytes downloaded by fetch stages that ended without failing. */
    public static final String FETCHED_BYTES = "videomerge.fetch.bytes";

    private static final String NO_CODE = "none";

    private final MeterRegistry registry;
    private final Counter submitted;
    private final Counter fetchedBytes;
    private final Map<Stage, Timer> stages = new EnumMap<>(Stage.class);
    private final DistributionSummary copySpeed;
    private final DistributionSummary reencodeSpeed;
    private final List<Meter> gauges = new CopyOnWriteArrayList<>();

    /** Registers the counters and timers at once, so that they read 0 before the first job. */
    public JobMetrics(MeterRegistry registry) {
        this.registry = requireNonNull(registry, "registry");
        this.submitted = Counter.builder(SUBMITTED)
                .description("Jobs recorded by submits")
                .register(registry);
        this.fetchedBytes = Counter.builder(FETCHED_BYTES)
                .description("Bytes downloaded by fetch stages that ended without failing")
                .baseUnit("bytes")
                .register(registry);
        for (Stage stage : Stage.values()) {
            stages.put(
                    stage,
                    Timer.builder(STAGE)
                            .description("Time of each stage of a merge that ended without failing")
                            .tag("stage", name(stage))
                            .register(registry));
        }
        this.copySpeed = speed("copy");
        this.reencodeSpeed = speed("reencode");
    }

    private DistributionSummary speed(String path) {
        return DistributionSummary.builder(ENCODE_SPEED)
                .description("Seconds of output written per second of wall-clock time (x real time)")
                .tag("path", path)
                .register(registry);
    }

    @Override
    public void workerStarted(WorkerLoad load) {
        requireNonNull(load, "load");
        gauges.add(gauge(PENDING, "Pending jobs in the store at the last count", load, l -> {
            long pending = l.pending();
            return pending < 0 ? Double.NaN : pending;
        }));
        gauges.add(runningGauge("fetch", load, WorkerLoad::fetching));
        gauges.add(runningGauge("wait", load, WorkerLoad::waiting));
        gauges.add(runningGauge("merge", load, WorkerLoad::merging));
    }

    private Meter runningGauge(String stage, WorkerLoad load, ToDoubleFunction<WorkerLoad> count) {
        return Gauge.builder(RUNNING, load, count)
                .description("Jobs this instance holds, by stage")
                .tag("stage", stage)
                .strongReference(true)
                .register(registry);
    }

    private Meter gauge(String name, String description, WorkerLoad load, ToDoubleFunction<WorkerLoad> value) {
        return Gauge.builder(name, load, value)
                .description(description)
                .strongReference(true)
                .register(registry);
    }

    @Override
    public void workerStopped() {
        gauges.forEach(registry::remove);
        gauges.clear();
    }

    @Override
    public boolean needsPendingCount() {
        return true;
    }

    @Override
    public void submitted(Job job) {
        submitted.increment();
    }

    @Override
    public void stageEnded(Job job, StageReport report) {
        stages.get(report.stage()).record(report.took());
        if (report.stage() == Stage.FETCH) {
            fetchedBytes.increment(report.bytes());
        } else if (report.stage() == Stage.ENCODE && report.speed() > 0) {
            (report.streamCopied() ? copySpeed : reencodeSpeed).record(report.speed());
        }
    }

    @Override
    public void completed(Job job, MergeResult result, long outputBytes) {
        jobs("completed", NO_CODE);
    }

    @Override
    public void failed(Job job, MergeException failure, Optional<Instant> retryAt) {
        jobs(retryAt.isPresent() ? "retried" : "failed", failure.code().name());
    }

    @Override
    public void released(Job job, String reason) {
        jobs("released", NO_CODE);
    }

    private void jobs(String outcome, String code) {
        Counter.builder(JOBS)
                .description("Jobs by outcome of an attempt and error code")
                .tag("outcome", outcome)
                .tag("code", code)
                .register(registry)
                .increment();
    }

    private static String name(Stage stage) {
        return stage.name().toLowerCase(Locale.ROOT);
    }
}
