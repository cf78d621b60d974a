package io.videomerge.internal.isolate;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.ProcessingException;
import io.videomerge.internal.media.MediaStep;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MediaStep} in a child JVM per merge (see {@link io.videomerge.Isolation}). A child that ends without
 * an outcome crashed: the merge runs once more in a new child, and a second crash fails it for good with
 * {@link ErrorCode#INPUT_CRASHED_DECODER}. Interrupting the calling thread kills the child at once;
 * {@link #close()} kills every child this step started.
 */
public final class ChildProcessStep implements MediaStep {
    private static final Logger LOG = LoggerFactory.getLogger(ChildProcessStep.class);
    /** Crashes of one merge after which it fails instead of running again. */
    static final int CRASHES_ALLOWED = 2;
    /** Children that died before taking a request, per merge, before the merge gives up. */
    private static final int LAUNCH_FAILURES_ALLOWED = 2;

    /**
     * glibc malloc settings for the child, unless this process's environment sets them already. A fixed mmap
     * threshold keeps every block of 128 KiB or more (decoded pictures, encoder buffers) in a mapping of its own that
     * goes back to the system when freed; left to glibc, the threshold rises to the largest block freed so far and
     * freed pictures stay resident in the arenas of the decoder, filter and encoder threads (one arena per thread, up
     * to eight per core) until a trim. Two arenas are plenty for one merge's threads. Measured on the 6-clip 720p
     * fade merge: the child's peak 294 MiB before, 260 MiB with these and the trims (benchmarks/NOTES.md).
     */
    static final Map<String, String> MALLOC_ENVIRONMENT =
            Map.of("MALLOC_ARENA_MAX", "2", "MALLOC_MMAP_THRESHOLD_", "131072");

    private final ChildSettings settings;
    private final Limits limits;
    private final Path workDirectory;
    private final AtomicReference<Child> spare = new AtomicReference<>();
    private final Set<Child> live = ConcurrentHashMap.newKeySet();
    private final LongAdder started = new LongAdder();
    private volatile boolean closed;

    private ChildProcessStep(ChildSettings settings, Limits limits, Path workDirectory) {
        this.settings = requireNonNull(settings, "settings");
        this.limits = requireNonNull(limits, "limits");
        this.workDirectory = requireNonNull(workDirectory, "workDirectory").toAbsolutePath();
    }

    /**
     * A step launching children with {@code settings}; they run in {@code workDirectory} (where a crashing
     * JVM's report lands). Starts the warm spare at once when the settings ask for one.
     */
    public static ChildProcessStep open(ChildSettings settings, Limits limits, Path workDirectory) {
        ChildProcessStep step = new ChildProcessStep(settings, limits, workDirectory);
        if (settings.warmSpare()) {
            step.refillSpare();
        }
        return step;
    }

    @Override
    public boolean isolated() {
        return true;
    }

    /** How many child processes this step has started, the spare included: for tests and diagnostics. */
    public long childrenStarted() {
        return started.sum();
    }

    @Override
    public MediaOutcome run(
            MergeRequest request, List<Path> inputs, Path output, Optional<PosterTarget> poster, Observer observer) {
        requireNonNull(request, "request");
        requireNonNull(poster, "poster");
        requireNonNull(observer, "observer");
        String line = Protocol.writeRequest(new Protocol.Request(List.copyOf(inputs), output, request, limits, poster));
        int crashes = 0;
        int launchFailures = 0;
        while (true) {
            checkOpen();
            try {
                return checked(attempt(line, observer), poster);
            } catch (ChildCrashed crash) {
                checkOpen();
                if (!crash.accepted) {
                    if (++launchFailures >= LAUNCH_FAILURES_ALLOWED) {
                        throw new ProcessingException(
                                ErrorCode.PROCESSING_FAILED, "the merge process could not be started", -1, true, null);
                    }
                    continue;
                }
                if (++crashes >= CRASHES_ALLOWED) {
                    throw crashed(crash.input);
                }
                LOG.warn("a merge process crashed on input {}; running the merge once more", crash.input);
                deletePartial(output);
                poster.ifPresent(p -> deletePartial(p.file()));
            }
        }
    }

    /**
     * The child's outcome once its poster is the one asked for: the very file, regular, of the size reported.
     * Anything else is not published.
     */
    private static MediaOutcome checked(MediaOutcome outcome, Optional<PosterTarget> asked) {
        if (outcome.poster().isEmpty() && asked.isEmpty()) {
            return outcome;
        }
        boolean matches = false;
        if (outcome.poster().isPresent() && asked.isPresent()) {
            Poster told = outcome.poster().get();
            Path file = asked.get().file().toAbsolutePath();
            try {
                matches = told.file().equals(file)
                        && Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                        && Files.size(file) == told.bytes();
            } catch (IOException e) {
                matches = false;
            }
        }
        if (!matches) {
            throw new ProcessingException(
                    ErrorCode.PROCESSING_FAILED,
                    "the merge process did not make the poster it was asked for",
                    -1,
                    false,
                    null);
        }
        return outcome;
    }

    private MediaOutcome attempt(String request, Observer observer) {
        Child child = take();
        try {
            try {
                child.send(request);
            } catch (IOException e) {
                // The child is gone before it read the request: its end will show as a crash below.
                LOG.debug("a merge process did not take its request", e);
            }
            long deadline = System.nanoTime() + settings.timeout().toNanos();
            boolean accepted = false;
            int input = -1;
            while (true) {
                long left = deadline - System.nanoTime();
                Protocol.Frame frame;
                try {
                    frame = left > 0 ? child.frames.poll(left, TimeUnit.NANOSECONDS) : null;
                } catch (InterruptedException e) {
                    child.kill();
                    Thread.currentThread().interrupt();
                    throw new MergeException(ErrorCode.CANCELLED, "the merge was interrupted");
                }
                if (frame == null) {
                    child.kill();
                    throw new ProcessingException(
                            ErrorCode.PROCESSING_FAILED,
                            "the merge took longer than its " + "time budget of "
                                    + settings.timeout().toSeconds() + " s",
                            -1,
                            false,
                            null);
                }
                switch (frame.kind()) {
                    case READY -> {}
                    case ACCEPTED -> accepted = true;
                    case INPUT -> {
                        input = frame.index();
                        observer.input(input);
                    }
                    case PROGRESS -> observer.progress(frame.fraction());
                    case DONE -> {
                        return frame.outcome();
                    }
                    case ERROR -> throw frame.failure();
                    case END -> {
                        // close() killed it: not the input's fault, nothing to report.
                        checkOpen();
                        int status = child.awaitExit();
                        child.reportCrash(status, accepted ? input : -1);
                        throw new ChildCrashed(accepted, input);
                    }
                    default -> throw new IllegalStateException("unknown frame " + frame.kind());
                }
            }
        } finally {
            child.kill();
            live.remove(child);
        }
    }

    /** The spare if one is waiting and alive, else a new child; then a new spare is started behind it. */
    private Child take() {
        Child child = spare.getAndSet(null);
        if (child != null && !child.process.isAlive()) {
            child.kill();
            live.remove(child);
            child = null;
        }
        if (child == null) {
            child = launch();
        }
        if (settings.warmSpare()) {
            refillSpare();
        }
        return child;
    }

    private void refillSpare() {
        if (closed || spare.get() != null) {
            return;
        }
        Child next;
        try {
            next = launch();
        } catch (MergeException e) {
            LOG.warn("no spare merge process could be started", e);
            return;
        }
        if (!spare.compareAndSet(null, next)) {
            next.kill();
            live.remove(next);
        }
    }

    private Child launch() {
        List<String> command = new ArrayList<>();
        command.add(settings.java().toString());
        command.add("-Xmx" + (settings.maxHeapBytes() >> 10) + "k");
        command.add("-XX:+ExitOnOutOfMemoryError");
        command.add("-XX:-CreateCoredumpOnCrash");
        command.add("-XX:ErrorFile=" + workDirectory.resolve("hs_err_pid%p.log"));
        // One merge thread: the serial collector costs the least memory and start-up.
        command.add("-XX:+UseSerialGC");
        command.add("-Djava.awt.headless=true");
        // JavaCPP settings of this JVM (cache folder, memory caps) hold for the child too.
        System.getProperties().stringPropertyNames().stream()
                .filter(k -> k.startsWith("org.bytedeco."))
                .sorted()
                .forEach(k -> command.add("-D" + k + "=" + System.getProperty(k)));
        command.addAll(settings.jvmOptions());
        command.add("-cp");
        command.add(settings.classPath());
        command.add(settings.mainClass());
        // Tells this child's frames from anything else on its stdout; not a secret.
        String token = UUID.randomUUID().toString().replace("-", "");
        command.add(token);
        try {
            Files.createDirectories(workDirectory);
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDirectory.toFile());
            MALLOC_ENVIRONMENT.forEach(builder.environment()::putIfAbsent);
            Process process = builder.start();
            started.increment();
            Child child = new Child(process, Protocol.marker(token), workDirectory);
            live.add(child);
            if (closed) {
                child.kill();
                live.remove(child);
                throw new MergeException(ErrorCode.CANCELLED, "the service is closing");
            }
            return child;
        } catch (IOException e) {
            throw new ProcessingException(
                    ErrorCode.PROCESSING_FAILED, "the merge process could not be started", -1, true, e);
        }
    }

    private static MergeException crashed(int input) {
        if (input >= 0) {
            return new MediaException(
                    ErrorCode.INPUT_CRASHED_DECODER, "the decoder crashed on input " + input + ", twice", input);
        }
        return new MediaException(ErrorCode.INPUT_CRASHED_DECODER, "the decoder crashed, twice", -1);
    }

    private void checkOpen() {
        if (closed) {
            throw new MergeException(ErrorCode.CANCELLED, "the service is closing");
        }
    }

    private static void deletePartial(Path output) {
        try {
            Files.deleteIfExists(output);
        } catch (IOException e) {
            LOG.debug("could not remove a crashed merge's output", e);
        }
    }

    /** Kills the spare and every child still running; merges in those children fail. */
    @Override
    public void close() {
        closed = true;
        Child waiting = spare.getAndSet(null);
        if (waiting != null) {
            waiting.kill();
            live.remove(waiting);
        }
        for (Child child : List.copyOf(live)) {
            child.kill();
            live.remove(child);
        }
    }

    /** Process ids of the children alive now: for tests that check nothing is left behind. */
    public List<Long> livePids() {
        return live.stream()
                .filter(c -> c.process.isAlive())
                .map(c -> c.process.pid())
                .toList();
    }

    /** The child ended without an outcome. */
    private static final class ChildCrashed extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final boolean accepted;
        final int input;

        ChildCrashed(boolean accepted, int input) {
            super(null, null, false, false);
            this.accepted = accepted;
            this.input = input;
        }
    }
}
