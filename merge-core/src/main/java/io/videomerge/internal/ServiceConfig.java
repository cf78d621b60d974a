package io.videomerge.internal;

import static java.util.Objects.requireNonNull;

import io.videomerge.Limits;
import io.videomerge.Speed;
import io.videomerge.Webhooks;
import io.videomerge.internal.isolate.ChildSettings;
import io.videomerge.internal.job.JobEvents;
import io.videomerge.internal.job.JobSettings;
import io.videomerge.spi.Uploader;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;

/**
 * What {@link io.videomerge.MergeService.Builder} collected, handed to {@link DefaultMergeService}.
 *
 * @param limits        the limits requests and inputs are checked against
 * @param uploader      where merged files are published
 * @param workDirectory the folder holding each merge's temporary folder
 * @param clock         the clock of processing times
 * @param jobs          how asynchronous jobs are stored and run; empty when no job store was given
 * @param isolation     how child merge processes are launched; empty when merges run in this JVM
 * @param minFreeDiskBytes the free space under the work directory below which the service reports itself
 *                      unhealthy (STORAGE_FULL from {@code ping}); 0 turns the check off
 * @param webhooks      how submitted tasks' final statuses are posted to their callback URLs; empty when the service
 *                      sends no webhooks (and refuses requests with a callback URL)
 * @param observer      told of every job event besides the log (the metrics, when a meter registry was given)
 * @param posterAt      the instant of the merged file each merge's JPEG poster shows; empty: no posters
 * @param speed         how the encoder trades time for size in merges whose request names no speed
 */
public record ServiceConfig(
        Limits limits,
        Uploader uploader,
        Path workDirectory,
        Clock clock,
        Optional<JobSettings> jobs,
        Optional<ChildSettings> isolation,
        long minFreeDiskBytes,
        Optional<Webhooks> webhooks,
        JobEvents observer,
        Optional<Duration> posterAt,
        Speed speed) {
    /** The default of {@code minFreeDiskBytes}: 256 MiB, room for a few merges' downloads and output. */
    public static final long DEFAULT_MIN_FREE_DISK_BYTES = 256L << 20;

    /** The default of {@code posterAt}: one second in, past a fade-in or a black first frame. */
    public static final Duration DEFAULT_POSTER_AT = Duration.ofSeconds(1);

    public ServiceConfig {
        requireNonNull(limits, "limits");
        requireNonNull(uploader, "uploader");
        requireNonNull(workDirectory, "workDirectory");
        requireNonNull(clock, "clock");
        requireNonNull(jobs, "jobs");
        requireNonNull(isolation, "isolation");
        requireNonNull(webhooks, "webhooks");
        if (webhooks.isPresent() && jobs.isEmpty()) {
            throw new IllegalArgumentException("webhooks need a job store: they are sent for submitted tasks");
        }
        requireNonNull(observer, "observer");
        if (minFreeDiskBytes < 0) {
            throw new IllegalArgumentException("minFreeDiskBytes must be >= 0: " + minFreeDiskBytes);
        }
        requireNonNull(posterAt, "posterAt");
        posterAt.ifPresent(at -> {
            if (at.isNegative()) {
                throw new IllegalArgumentException("posterAt must be >= 0: " + at);
            }
        });
        requireNonNull(speed, "speed");
    }

    /** A configuration whose merges run in this JVM. */
    public ServiceConfig(
            Limits limits, Uploader uploader, Path workDirectory, Clock clock, Optional<JobSettings> jobs) {
        this(
                limits,
                uploader,
                workDirectory,
                clock,
                jobs,
                Optional.empty(),
                DEFAULT_MIN_FREE_DISK_BYTES,
                Optional.empty(),
                JobEvents.NONE,
                Optional.of(DEFAULT_POSTER_AT),
                Speed.DEFAULT);
    }

    /** A configuration without asynchronous jobs. */
    public ServiceConfig(Limits limits, Uploader uploader, Path workDirectory, Clock clock) {
        this(limits, uploader, workDirectory, clock, Optional.empty());
    }
}
