package io.videomerge.internal;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.ProcessingException;
import io.videomerge.Speed;
import io.videomerge.internal.disk.DiskSpace;
import io.videomerge.internal.encode.Interruption;
import io.videomerge.internal.encode.ProgressListener;
import io.videomerge.internal.fetch.ByteBudget;
import io.videomerge.internal.job.FileTrees;
import io.videomerge.internal.job.StageReport;
import io.videomerge.internal.media.MediaStep;
import io.videomerge.spi.Uploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One merge, start to end, in the calling thread, in two stages a job worker may run on different threads:
 * {@link #fetch} → {@link Inputs#merge}: {@link MediaStep} (probe → plan → encode →
 * measure → poster, in this JVM or in a child process) → upload of the video and its poster, inside a
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
    private final MediaStep media;
    private final Optional<Duration> posterAt;
    private final Speed speed;

    /** A pipeline whose media work runs in this JVM, making no poster. */
    public MergePipeline(Limits limits, Uploader uploader, Path workDirectory, Clock clock, Download download) {
        this(limits, uploader, workDirectory, clock, download, MediaStep.local(limits));
    }

    /**
     * A pipeline whose probe, plan, encode and measure run in {@code media}, making no poster; fetching and
     * uploading stay in the calling thread. The pipeline does not close {@code media}.
     */
    public MergePipeline(
            Limits limits, Uploader uploader, Path workDirectory, Clock clock, Download download, MediaStep media) {
        this(limits, uploader, workDirectory, clock, download, media, Optional.empty());
    }

    /**
     * A pipeline whose media work runs in {@code media} and that publishes, with each merged file, a JPEG poster of
     * the merged file's frame at {@code posterAt} (its middle frame when it is not that long), named
     * {@code <name>-poster.jpg}; none when {@code posterAt} is empty.
     */
    public MergePipeline(
            Limits limits,
            Uploader uploader,
            Path workDirectory,
            Clock clock,
            Download download,
            MediaStep media,
            Optional<Duration> posterAt) {
        this(limits, uploader, workDirectory, clock, download, media, posterAt, Speed.DEFAULT);
    }

    /**
     * A pipeline like {@link #MergePipeline(Limits, Uploader, Path, Clock, Download, MediaStep, Optional)} whose
     * merges encode at {@code speed} when their request names no speed: the request that reaches {@code media}
     * always names one, so a child process encodes at the speed this JVM resolved.
     */
    public MergePipeline(
            Limits limits,
            Uploader uploader,
            Path workDirectory,
            Clock clock,
            Download download,
            MediaStep media,
            Optional<Duration> posterAt,
            Speed speed) {
        this.limits = requireNonNull(limits, "limits");
        this.uploader = requireNonNull(uploader, "uploader");
        this.workDirectory = requireNonNull(workDirectory, "workDirectory").toAbsolutePath();
        this.clock = requireNonNull(clock, "clock");
        this.download = requireNonNull(download, "download");
        this.media = requireNonNull(media, "media");
        this.posterAt = requireNonNull(posterAt, "posterAt");
        this.speed = requireNonNull(speed, "speed");
    }

    /**
     * Runs the merge and uploads the result as {@code name + ".mp4"}: {@link #fetch}, then {@link Inputs#merge}.
     *
     * @param name     the upload's base name, {@code [a-z0-9-]+} (a task id, for example)
     * @param progress receives the share of input time encoded
     * @throws MergeException with the failing stage's code, naming the input where one applies;
     *         {@link ErrorCode#CANCELLED} when the thread was interrupted (its flag stays set)
     */
    public MergeResult run(MergeRequest request, String name, ProgressListener progress) {
        requireNonNull(progress, "progress");
        try (Inputs inputs = fetch(request, name, report -> {})) {
            return inputs.merge(progress);
        }
    }

    /**
     * The I/O stage: downloads every input of {@code request} into a fresh folder. The folder is removed when
     * this throws, and by {@link Inputs#close()} otherwise.
     *
     * @param name   the upload's base name, {@code [a-z0-9-]+} (a task id, for example)
     * @param stages receives the report of each stage that ends without failing, in the thread that ran it: the
     *     fetch from this method, probe, encode and upload from {@link Inputs#merge}
     * @throws MergeException as {@link #run} does
     */
    public Inputs fetch(MergeRequest request, String name, Consumer<StageReport> stages) {
        requireNonNull(request, "request");
        requireNonNull(stages, "stages");
        if (name == null || !SAFE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("unsafe upload name");
        }
        Instant started = clock.instant();
        long startedNanos = System.nanoTime();
        Path jobDir = createJobDirectory();
        try {
            List<Path> files = new ArrayList<>();
            ByteBudget budget = new ByteBudget(limits.maxBytesPerJob());
            for (int i = 0; i < request.videoUrls().size(); i++) {
                Interruption.check();
                files.add(download.fetch(request.videoUrls().get(i), i, jobDir, budget));
            }
            stages.accept(StageReport.fetched(budget.used(), Duration.ofNanos(System.nanoTime() - startedNanos)));
            return new Inputs(request, name, jobDir, List.copyOf(files), started, stages);
        } catch (RuntimeException e) {
            FileTrees.deleteTree(jobDir);
            throw translate(e);
        }
    }

    /** One job's downloaded inputs, in their own folder, waiting to be merged. */
    public final class Inputs implements AutoCloseable {
        private final MergeRequest request;
        private final String name;
        private final Path jobDir;
        private final List<Path> files;
        private final Instant started;
        private final Consumer<StageReport> stages;

        private Inputs(
                MergeRequest request,
                String name,
                Path jobDir,
                List<Path> files,
                Instant started,
                Consumer<StageReport> stages) {
            this.request = request;
            this.name = name;
            this.jobDir = jobDir;
            this.files = files;
            this.started = started;
            this.stages = stages;
        }

        /**
         * The CPU stage: probes, plans, encodes and uploads. The processing time reported counts from the start
         * of the downloads.
         *
         * @throws MergeException as {@link #run} does
         */
        public MergeResult merge(ProgressListener progress) {
            requireNonNull(progress, "progress");
            try {
                return mergeFiles(request, files, jobDir, name, progress, started, stages);
            } catch (RuntimeException e) {
                throw translate(e);
            }
        }

        /** Removes the folder and everything in it. */
        @Override
        public void close() {
            FileTrees.deleteTree(jobDir);
        }
    }

    /** What a stage's failure is reported as: CANCELLED when the thread was interrupted, the merge's own code otherwise. */
    private static MergeException translate(RuntimeException e) {
        if (e instanceof MergeException m) {
            return Thread.currentThread().isInterrupted() && m.code() != ErrorCode.CANCELLED ? cancelled(m) : m;
        }
        if (Thread.currentThread().isInterrupted()) {
            return cancelled(e);
        }
        if (DiskSpace.isFull(e)) {
            return DiskSpace.full("a file of the merge", e);
        }
        LOG.warn("merge failed unexpectedly", e);
        return new ProcessingException("the merge failed", e);
    }

    private MergeResult mergeFiles(
            MergeRequest request,
            List<Path> files,
            Path jobDir,
            String name,
            ProgressListener progress,
            Instant started,
            Consumer<StageReport> stages) {
        Path merged = jobDir.resolve("merged.mp4");
        Optional<MediaStep.PosterTarget> poster =
                posterAt.map(at -> new MediaStep.PosterTarget(jobDir.resolve("poster.jpg"), at));
        long mediaStarted = System.nanoTime();
        MergeRequest resolved = request.speed().isPresent() ? request : request.withSpeed(speed);
        MediaStep.MediaOutcome outcome = media.run(resolved, files, merged, poster, progress::progress);
        Duration mediaTime = Duration.ofNanos(System.nanoTime() - mediaStarted);
        stages.accept(StageReport.probed(outcome.probeTime()));
        stages.accept(StageReport.encoded(outcome.durationSeconds(), outcome.streamCopied(), outcome.encodeTime()));
        if (media.isolated()) {
            Duration outside = mediaTime.minus(outcome.probeTime()).minus(outcome.encodeTime());
            stages.accept(StageReport.isolation(outside.isNegative() ? Duration.ZERO : outside));
        }
        Interruption.check();
        long uploadStarted = System.nanoTime();
        long size;
        try {
            // Before the upload, which may move the file away.
            size = Files.size(merged);
        } catch (IOException e) {
            throw new ProcessingException(ErrorCode.UPLOAD_FAILED, "the merged file could not be read", -1, true, e);
        }
        URI url = upload(merged, name + ".mp4", "the merged file");
        Optional<URI> thumbnail = Optional.empty();
        if (outcome.poster().isPresent()) {
            Interruption.check();
            thumbnail = Optional.of(upload(outcome.poster().get().file(), name + "-poster.jpg", "the poster"));
        }
        stages.accept(StageReport.uploaded(size, Duration.ofNanos(System.nanoTime() - uploadStarted)));
        Duration took = Duration.between(started, clock.instant());
        return new MergeResult(
                url,
                outcome.durationSeconds(),
                took.isNegative() ? Duration.ZERO : took,
                outcome.clipsMerged(),
                outcome.streamCopied(),
                thumbnail);
    }

    private URI upload(Path file, String uploadName, String what) {
        URI url;
        try {
            url = uploader.upload(file, uploadName);
        } catch (IOException e) {
            if (DiskSpace.isFull(e)) {
                throw DiskSpace.full(what + "'s copy for publishing", e);
            }
            throw new ProcessingException(ErrorCode.UPLOAD_FAILED, what + " could not be stored", -1, true, e);
        }
        if (url == null) {
            throw new ProcessingException(ErrorCode.UPLOAD_FAILED, "the uploader returned no URL", -1, false, null);
        }
        return url;
    }

    private Path createJobDirectory() {
        try {
            // The owner's alone: downloaded clips are user data (the instance folder is so too, this holds anyway).
            FileTrees.createDirectories(workDirectory, FileTrees.OWNER_ONLY);
            return FileTrees.createDirectory(workDirectory.resolve("job-" + UUID.randomUUID()), FileTrees.OWNER_ONLY);
        } catch (IOException e) {
            if (DiskSpace.isFull(e)) {
                throw DiskSpace.full("the merge's folder", e);
            }
            throw new ProcessingException(ErrorCode.PROCESSING_FAILED, "no room for the merge's files", -1, true, e);
        }
    }

    private static MergeException cancelled(Throwable cause) {
        return new MergeException(ErrorCode.CANCELLED, "the merge was interrupted", -1, false, cause);
    }
}
