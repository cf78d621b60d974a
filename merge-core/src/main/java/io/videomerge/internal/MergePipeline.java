package io.videomerge.internal;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.ProcessingException;
import io.videomerge.internal.encode.ClipOpener;
import io.videomerge.internal.encode.ProgressListener;
import io.videomerge.internal.encode.Remuxer;
import io.videomerge.internal.encode.Transcoder;
import io.videomerge.internal.fetch.ByteBudget;
import io.videomerge.internal.plan.Plan;
import io.videomerge.internal.plan.Planner;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Demuxer;
import io.videomerge.internal.probe.InputOpener;
import io.videomerge.internal.probe.Prober;
import io.videomerge.spi.Uploader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One merge, start to end, in the calling thread: fetch → probe → plan → encode → upload, inside a
 * fresh folder under the work directory that is removed on every path out (success, failure,
 * interruption).
 *
 * <p>Thread-safe: every call works in its own folder.
 */
public final class MergePipeline {
    private static final Logger LOG = LoggerFactory.getLogger(MergePipeline.class);
    private static final Pattern SAFE_NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,118}");

    /** Downloads one input into the job's folder and returns the file. */
    @FunctionalInterface
    public interface Download {
        /**
         * @param budget the job's byte budget, shared by all its inputs
         * @throws MergeException naming {@code index} when the URL is refused or the download fails
         */
        Path fetch(URI url, int index, Path jobDir, ByteBudget budget);
    }

    private final Limits limits;
    private final Uploader uploader;
    private final Path workDirectory;
    private final Clock clock;
    private final Download download;
    private final Prober prober;
    private final InputOpener inputs;
    private final Demuxer demuxer;

    public MergePipeline(Limits limits, Uploader uploader, Path workDirectory, Clock clock, Download download) {
        this.limits = requireNonNull(limits, "limits");
        this.uploader = requireNonNull(uploader, "uploader");
        this.workDirectory = requireNonNull(workDirectory, "workDirectory").toAbsolutePath();
        this.clock = requireNonNull(clock, "clock");
        this.download = requireNonNull(download, "download");
        this.prober = new Prober(limits);
        this.inputs = new InputOpener(limits);
        this.demuxer = new Demuxer(limits);
    }

    /**
     * Runs the merge and uploads the result as {@code name + ".mp4"}.
     *
     * @param name     the upload's base name, {@code [a-z0-9-]+} (a task id, for example)
     * @param progress receives the share of input time encoded
     * @throws MergeException with the failing stage's code, naming the input where one applies;
     *         {@link ErrorCode#CANCELLED} when the thread was interrupted (its flag stays set)
     */
    public MergeResult run(MergeRequest request, String name, ProgressListener progress) {
        requireNonNull(request, "request");
        requireNonNull(progress, "progress");
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unsafe upload name");
        }
        Instant started = clock.instant();
        Path jobDir = createJobDirectory();
        try {
            List<Path> files = new ArrayList<>();
            ByteBudget budget = new ByteBudget(limits.maxBytesPerJob());
            for (int i = 0; i < request.videoUrls().size(); i++) {
                checkInterrupted();
                files.add(download.fetch(request.videoUrls().get(i), i, jobDir, budget));
            }
            return mergeFiles(request, files, jobDir, name, progress, started);
        } catch (MergeException e) {
            throw Thread.currentThread().isInterrupted() && e.code() != ErrorCode.CANCELLED ? cancelled(e) : e;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw cancelled(e);
            }
            LOG.warn("merge failed unexpectedly", e);
            throw new ProcessingException("the merge failed", e);
        } finally {
            deleteTree(jobDir);
        }
    }

    private MergeResult mergeFiles(MergeRequest request, List<Path> files, Path jobDir, String name,
                                   ProgressListener progress, Instant started) {
        List<ClipInfo> clips = new ArrayList<>();
        List<Prober.Inspection> inspections = new ArrayList<>();
        double total = 0;
        for (int i = 0; i < files.size(); i++) {
            checkInterrupted();
            Prober.Inspection inspection = prober.inspect(files.get(i), i);
            inspections.add(inspection);
            clips.add(inspection.info());
            total += inspection.info().durationSeconds();
        }
        double max = limits.maxTotalDuration().toMillis() / 1000.0;
        if (total > max) {
            throw new MediaException(ErrorCode.INPUT_TOO_LONG, String.format(Locale.ROOT,
                    "the inputs last %.1f s together, more than the limit of %.0f s", total, max), -1);
        }
        Plan plan = Planner.plan(clips, request);
        Path output = jobDir.resolve("merged.mp4");
        boolean copied = false;
        if (plan.streamCopy()) {
            try {
                new Remuxer(demuxer::open, max).remux(plan, files, output, progress);
                copied = true;
            } catch (Remuxer.NotCopyableException e) {
                LOG.debug("stream copy not possible, re-encoding: {}", e.getMessage());
                plan = new Plan(plan.canvas(), plan.clips(), 0, false);
            }
        }
        if (!copied) {
            // Each file was probed above: the opener starts its decoders on the inspected streams directly.
            ClipOpener opener = (file, index) -> inputs.open(file, inspections.get(index));
            new Transcoder(opener, limits.maxUndecodableShare()).transcode(plan, files, output, progress);
        }
        checkInterrupted();
        double duration = measure(output);
        URI url;
        try {
            url = uploader.upload(output, name + ".mp4");
        } catch (IOException e) {
            throw new ProcessingException(ErrorCode.UPLOAD_FAILED, "the merged file could not be stored", -1, true, e);
        }
        if (url == null) {
            throw new ProcessingException(ErrorCode.UPLOAD_FAILED, "the uploader returned no URL", -1, false, null);
        }
        Duration took = Duration.between(started, clock.instant());
        return new MergeResult(url, duration, took.isNegative() ? Duration.ZERO : took, clips.size(), copied);
    }

    private double measure(Path output) {
        try {
            return prober.probe(output, 0).durationSeconds();
        } catch (MediaException e) {
            throw new ProcessingException("the merged file is unreadable", e);
        }
    }

    private Path createJobDirectory() {
        try {
            Files.createDirectories(workDirectory);
            return Files.createDirectory(workDirectory.resolve("job-" + UUID.randomUUID()));
        } catch (IOException e) {
            throw new ProcessingException(ErrorCode.PROCESSING_FAILED, "no room for the merge's files", -1, true, e);
        }
    }

    private static void checkInterrupted() {
        if (Thread.currentThread().isInterrupted()) {
            throw new MergeException(ErrorCode.CANCELLED, "the merge was interrupted");
        }
    }

    private static MergeException cancelled(Throwable cause) {
        return new MergeException(ErrorCode.CANCELLED, "the merge was interrupted", -1, false, cause);
    }

    /** Deletes a folder and everything in it, logging (not throwing) what cannot be deleted. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not remove a job folder", e);
        }
    }
}
