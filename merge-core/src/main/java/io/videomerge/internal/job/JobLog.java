package io.videomerge.internal.job;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Transition;
import io.videomerge.spi.Job;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job lifecycle in the log: one line per event, on the logger {@value #LOGGER}, at INFO (a failure for lack of
 * disk space at WARN), with the job's {@link JobContext} in the MDC. Lines name hosts, never URLs: a URL's query may
 * carry a signature.
 */
final class JobLog implements JobEvents {
    /** The logger of the lifecycle lines: one name to filter on or to set the level of. */
    static final String LOGGER = "io.videomerge.jobs";

    private static final Logger LOG = LoggerFactory.getLogger(LOGGER);
    private static final int HOSTS_NAMED = 3;

    @Override
    public void submitted(Job job) {
        if (!LOG.isInfoEnabled()) {
            return;
        }
        MergeRequest r = job.request();
        LOG.info(
                "submitted: {} clips from {}, {} ({}, {}, {}, {})",
                r.videoUrls().size(),
                hosts(r),
                r.canvas(),
                r.quality(),
                r.aspectRatio(),
                r.fit(),
                transition(r.transition()));
    }

    @Override
    public void claimed(Job job, String owner) {
        LOG.info(
                "claimed by {}: attempt {} of {}, {} s after submit",
                owner,
                job.attempt(),
                job.maxAttempts(),
                seconds(Duration.between(job.createdAt(), job.updatedAt())));
    }

    @Override
    public void stageEnded(Job job, StageReport report) {
        switch (report.stage()) {
            case FETCH ->
                LOG.info(
                        "fetch: {} inputs, {} in {} s ({}/s)",
                        job.request().videoUrls().size(),
                        bytes(report.bytes()),
                        seconds(report.took()),
                        bytes((long) report.bytesPerSecond()));
            case PROBE ->
                LOG.info("probe: {} inputs in {} s", job.request().videoUrls().size(), seconds(report.took()));
            case ENCODE ->
                LOG.info(
                        "encode: {} s of output in {} s ({}x real time, {})",
                        format("%.2f", report.outputSeconds()),
                        seconds(report.took()),
                        format("%.2f", report.speed()),
                        report.streamCopied() ? "stream copy" : "re-encoded");
            case ISOLATION ->
                LOG.info(
                        "isolation: {} s in the merge process outside probe and encode (start, hand-over)",
                        seconds(report.took()));
            case UPLOAD -> LOG.info("upload: {} in {} s", bytes(report.bytes()), seconds(report.took()));
        }
    }

    @Override
    public void completed(Job job, MergeResult result, long outputBytes) {
        LOG.info(
                "completed: {} s of output, {}, {} clips{}, processing {} s",
                format("%.2f", result.durationSeconds()),
                outputBytes >= 0 ? bytes(outputBytes) : "size unknown",
                result.clipsMerged(),
                result.streamCopied() ? " (stream copy)" : "",
                seconds(result.processingTime()));
    }

    @Override
    public void failed(Job job, MergeException failure, Optional<Instant> retryAt) {
        String input = failure.inputIndex().isPresent()
                ? " on input " + failure.inputIndex().getAsInt()
                : "";
        String next = retryAt.map(
                        t -> "retry at " + t + " (attempt " + job.attempt() + " of " + job.maxAttempts() + ")")
                .orElse("final (attempt " + job.attempt() + " of " + job.maxAttempts() + ")");
        String line = "failed: {}{}: {}; {}";
        if (failure.code() == ErrorCode.STORAGE_FULL) {
            LOG.warn(line, failure.code(), input, failure.getMessage(), next);
        } else {
            LOG.info(line, failure.code(), input, failure.getMessage(), next);
        }
    }

    @Override
    public void released(Job job, String reason) {
        LOG.info("released: {}", reason);
    }

    /** The distinct hosts of the request's URLs, the first few of them: never a path or a query. */
    private static String hosts(MergeRequest request) {
        Set<String> hosts = new LinkedHashSet<>();
        for (URI url : request.videoUrls()) {
            hosts.add(url.getHost() == null ? "?" : url.getHost());
        }
        if (hosts.size() <= HOSTS_NAMED) {
            return String.join(",", hosts);
        }
        return String.join(",", hosts.stream().limit(HOSTS_NAMED).toList()) + " and " + (hosts.size() - HOSTS_NAMED)
                + " more";
    }

    private static String transition(Transition t) {
        return t.kind() == Transition.Kind.NONE ? "cut" : "fade " + format("%.2f", t.seconds()) + " s";
    }

    private static String seconds(Duration d) {
        return format("%.3f", Math.max(0, d.toNanos()) / 1e9);
    }

    /** {@code bytes} in B, KiB, MiB or GiB, whichever reads best. */
    static String bytes(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return format("%.1f", value) + " " + units[unit];
    }

    private static String format(String pattern, double value) {
        return String.format(Locale.ROOT, pattern, value);
    }
}
