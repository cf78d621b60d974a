package io.videomerge.internal.media;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.MergeRequest;
import io.videomerge.ProcessingException;
import io.videomerge.Speed;
import io.videomerge.internal.encode.ClipOpener;
import io.videomerge.internal.encode.Deadline;
import io.videomerge.internal.encode.Interruption;
import io.videomerge.internal.encode.NativeMemory;
import io.videomerge.internal.encode.PosterWriter;
import io.videomerge.internal.encode.ProgressListener;
import io.videomerge.internal.encode.Remuxer;
import io.videomerge.internal.encode.Transcoder;
import io.videomerge.internal.plan.Plan;
import io.videomerge.internal.plan.Planner;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.DecodeBudget;
import io.videomerge.internal.probe.Demuxer;
import io.videomerge.internal.probe.InputOpener;
import io.videomerge.internal.probe.Prober;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MediaStep} in this JVM: probe → plan → encode or remux → measure → poster, in the calling thread.
 *
 * <p>Each input is charged to the job's {@link DecodeBudget} as soon as it is probed, so that a job too costly to
 * decode is refused before the next input is even opened. Once the plan knows the output's length, encoding runs
 * against the {@link Deadline} that length earns ({@link Limits#processingDeadline(double)}), counted from the start
 * of this step.
 */
final class LocalMediaStep implements MediaStep {
    private static final Logger LOG = LoggerFactory.getLogger(LocalMediaStep.class);

    private final Limits limits;
    private final Prober prober;
    private final InputOpener inputs;
    private final Demuxer demuxer;

    LocalMediaStep(Limits limits) {
        this.limits = requireNonNull(limits, "limits");
        this.prober = new Prober(limits);
        this.inputs = new InputOpener(limits);
        this.demuxer = new Demuxer(limits);
    }

    @Override
    public MediaOutcome run(
            MergeRequest request, List<Path> files, Path output, Optional<PosterTarget> poster, Observer observer) {
        try {
            return merge(request, files, output, poster, observer);
        } finally {
            // What the merge freed stays in malloc's arenas otherwise (see NativeMemory): a process that runs merges
            // one after another would keep the largest merge's pages for good.
            NativeMemory.release();
        }
    }

    private MediaOutcome merge(
            MergeRequest request, List<Path> files, Path output, Optional<PosterTarget> poster, Observer observer) {
        requireNonNull(request, "request");
        requireNonNull(files, "files");
        requireNonNull(output, "output");
        requireNonNull(poster, "poster");
        requireNonNull(observer, "observer");
        long started = System.nanoTime();
        List<ClipInfo> clips = new ArrayList<>();
        List<Prober.Inspection> inspections = new ArrayList<>();
        DecodeBudget budget = new DecodeBudget(limits);
        double total = 0;
        for (int i = 0; i < files.size(); i++) {
            Interruption.check();
            observer.input(i);
            Prober.Inspection inspection = prober.inspect(files.get(i), i);
            budget.charge(inspection);
            inspections.add(inspection);
            clips.add(inspection.info());
            total += inspection.info().durationSeconds();
        }
        double max = limits.maxTotalDuration().toMillis() / 1000.0;
        if (total > max) {
            throw new MediaException(
                    ErrorCode.INPUT_TOO_LONG,
                    String.format(
                            Locale.ROOT, "the inputs last %.1f s together, more than the limit of %.0f s", total, max),
                    -1);
        }
        Plan plan = Planner.plan(clips, request);
        long planned = System.nanoTime();
        Deadline deadline =
                new Deadline(started, limits.processingDeadline(plan.outputSeconds()), plan.outputSeconds());
        ProgressListener progress = new InputTracker(clips, observer);
        observer.input(0);
        boolean copied = false;
        if (plan.streamCopy()) {
            try {
                new Remuxer(demuxer::open, max).remux(plan, files, output, progress, deadline);
                copied = true;
            } catch (Remuxer.NotCopyableException e) {
                LOG.debug("stream copy not possible, re-encoding: {}", e.getMessage());
                plan = new Plan(plan.canvas(), plan.clips(), 0, false);
            }
        }
        if (!copied) {
            // Each file was probed above: the opener starts its decoders on the inspected streams directly.
            ClipOpener opener = (file, index) -> inputs.open(file, inspections.get(index));
            new Transcoder(opener, limits.maxUndecodableShare(), request.speed().orElse(Speed.DEFAULT))
                    .transcode(plan, files, output, progress, deadline);
        }
        Interruption.check();
        observer.input(-1);
        Prober.Inspection measured = measure(output);
        double seconds = measured.info().durationSeconds();
        Duration encoded = Duration.ofNanos(System.nanoTime() - planned);
        Optional<Poster> written = poster.map(p -> writePoster(output, measured, p));
        return new MediaOutcome(clips.size(), seconds, copied, Duration.ofNanos(planned - started), encoded, written);
    }

    private Prober.Inspection measure(Path output) {
        try {
            return prober.inspect(output, 0);
        } catch (MediaException e) {
            throw new ProcessingException("the merged file is unreadable", e);
        }
    }

    /**
     * The poster, taken from the merged file as written (opened like any input, since it is a file FFmpeg parses, but
     * its video only and single-threaded: one frame is read).
     */
    private Poster writePoster(Path output, Prober.Inspection measured, PosterTarget target) {
        ClipInfo info = measured.info();
        double at = PosterWriter.instant(target.at().toNanos() / 1e9, info.durationSeconds());
        try {
            long bytes = new PosterWriter(limits.maxUndecodableShare())
                    .write(inputs.openForOneFrame(output, measured), info.startSeconds(), at, target.file());
            return new Poster(target.file(), bytes);
        } catch (MediaException e) {
            throw new ProcessingException("the merged file is unreadable", e);
        }
    }

    /**
     * Progress is the share of input time done, so the input being read is the one whose span of the summed
     * durations holds that share: the encoders need not know about inputs for a crash to be blamed on one.
     */
    private static final class InputTracker implements ProgressListener {
        private final double[] ends;
        private final Observer observer;
        private int current;

        InputTracker(List<ClipInfo> clips, Observer observer) {
            this.ends = new double[clips.size()];
            double total = clips.stream().mapToDouble(ClipInfo::durationSeconds).sum();
            double sum = 0;
            for (int i = 0; i < ends.length; i++) {
                sum += clips.get(i).durationSeconds();
                ends[i] = total > 0 ? sum / total : 1;
            }
            this.observer = observer;
        }

        @Override
        public void progress(double fraction) {
            int i = current;
            while (i < ends.length - 1 && fraction >= ends[i]) {
                i++;
            }
            if (i != current) {
                current = i;
                observer.input(i);
            }
            observer.progress(fraction);
        }
    }
}
