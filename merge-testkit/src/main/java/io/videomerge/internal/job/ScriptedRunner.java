package io.videomerge.internal.job;

import static org.junit.jupiter.api.Assertions.fail;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import java.util.function.Supplier;

/**
 * A {@link JobRunner} whose every merge blocks until the test decides its outcome, so that tests see each
 * run start, report progress, and end exactly when they say. Interrupting a run ends it with CANCELLED,
 * as the real pipeline does, unless the test made it ignore interrupts. Fetches pass at once, unless the test
 * holds them ({@link #holdFetches()}): then each blocks until the test passes or fails it. A fetch that passes reports
 * a fetch stage of {@value #FETCHED_BYTES} bytes, a run that succeeds an upload of {@value #OUTPUT_BYTES} bytes.
 */
final class ScriptedRunner implements JobRunner {
    static final long WAIT_SECONDS = 30;
    static final long FETCHED_BYTES = 4321;
    static final long OUTPUT_BYTES = 1234;

    private final BlockingQueue<Run> started = new LinkedBlockingQueue<>();
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicInteger mostActive = new AtomicInteger();
    private final BlockingQueue<Fetch> fetching = new LinkedBlockingQueue<>();
    private final List<MergeResult> discarded = new CopyOnWriteArrayList<>();
    private final AtomicInteger closedFetches = new AtomicInteger();
    private volatile boolean ignoreInterrupts;
    private volatile boolean holdFetches;

    @Override
    public Fetched fetch(TaskId id, MergeRequest request, Consumer<StageReport> stages) {
        if (holdFetches) {
            Fetch fetch = new Fetch(id);
            fetching.add(fetch);
            fetch.await();
        }
        stages.accept(StageReport.fetched(FETCHED_BYTES, Duration.ofMillis(1)));
        return new Fetched() {
            @Override
            public MergeResult merge(DoubleConsumer progress) {
                return run(id, progress, stages);
            }

            @Override
            public void close() {
                closedFetches.incrementAndGet();
            }
        };
    }

    @Override
    public void discard(MergeResult result) {
        discarded.add(result);
    }

    /** The results the worker asked to discard (outputs of purged tasks), in order. */
    List<MergeResult> discarded() {
        return discarded;
    }

    /** How many fetched jobs were closed (their files removed), merged or not. */
    int closedFetches() {
        return closedFetches.get();
    }

    /** Makes the fetches started from now on wait until the test passes or fails them ({@link #nextFetch()}). */
    void holdFetches() {
        holdFetches = true;
    }

    /** The next held fetch to start, waiting for it up to {@value #WAIT_SECONDS} s. */
    Fetch nextFetch() throws InterruptedException {
        Fetch fetch = fetching.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (fetch == null) {
            fail("no fetch started within " + WAIT_SECONDS + " s");
        }
        return fetch;
    }

    private MergeResult run(TaskId id, DoubleConsumer progress, Consumer<StageReport> stages) {
        Run run = new Run(id, progress, stages, ignoreInterrupts);
        mostActive.accumulateAndGet(active.incrementAndGet(), Math::max);
        started.add(run);
        try {
            return run.await();
        } finally {
            active.decrementAndGet();
        }
    }

    /** The next run to start, waiting for it up to {@value #WAIT_SECONDS} s. */
    Run next() throws InterruptedException {
        Run run = started.poll(WAIT_SECONDS, TimeUnit.SECONDS);
        if (run == null) {
            fail("no run started within " + WAIT_SECONDS + " s");
        }
        return run;
    }

    /** Makes the runs started from now on carry on when interrupted (a merge that was just finishing). */
    void ignoreInterrupts() {
        ignoreInterrupts = true;
    }

    int active() {
        return active.get();
    }

    int mostActive() {
        return mostActive.get();
    }

    /** A result as a merge of task {@code id} would publish it. */
    static MergeResult resultFor(TaskId id) {
        return new MergeResult(
                URI.create("https://cdn.example.com/merged/" + id + ".mp4"), 4.5, Duration.ofMillis(1200), 2, false);
    }

    /** One held fetch: a download the test lets through or fails. Interrupting it ends it with CANCELLED. */
    static final class Fetch {
        final TaskId id;
        private final CompletableFuture<Optional<RuntimeException>> outcome = new CompletableFuture<>();

        private Fetch(TaskId id) {
            this.id = id;
        }

        private void await() {
            Optional<RuntimeException> failure;
            try {
                failure = outcome.get();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MergeException(ErrorCode.CANCELLED, "the download was interrupted");
            } catch (ExecutionException e) {
                throw new IllegalStateException(e);
            }
            if (failure.isPresent()) {
                throw failure.get();
            }
        }

        /** The download succeeds: the job goes on to the merge stage. */
        void pass() {
            outcome.complete(Optional.empty());
        }

        /** The download fails with {@code e}. */
        void fail(RuntimeException e) {
            outcome.complete(Optional.of(e));
        }
    }

    /** One run, held until the test ends it. */
    static final class Run {
        final TaskId id;
        private final DoubleConsumer progress;
        private final Consumer<StageReport> stages;
        private final boolean ignoreInterrupts;
        private final CompletableFuture<Supplier<MergeResult>> outcome = new CompletableFuture<>();
        private final CountDownLatch ended = new CountDownLatch(1);
        private volatile boolean interrupted;

        private Run(TaskId id, DoubleConsumer progress, Consumer<StageReport> stages, boolean ignoreInterrupts) {
            this.id = id;
            this.progress = progress;
            this.stages = stages;
            this.ignoreInterrupts = ignoreInterrupts;
        }

        private MergeResult await() {
            try {
                while (true) {
                    try {
                        return outcome.get().get();
                    } catch (InterruptedException e) {
                        interrupted = true;
                        if (!ignoreInterrupts) {
                            throw new MergeException(ErrorCode.CANCELLED, "the merge was interrupted");
                        }
                    } catch (ExecutionException e) {
                        throw new IllegalStateException(e);
                    }
                }
            } finally {
                ended.countDown();
            }
        }

        void progress(double fraction) {
            progress.accept(fraction);
        }

        void succeed() {
            succeed(resultFor(id));
        }

        void succeed(MergeResult result) {
            outcome.complete(() -> {
                stages.accept(StageReport.uploaded(OUTPUT_BYTES, Duration.ofMillis(1)));
                return result;
            });
        }

        boolean wasInterrupted() {
            return interrupted;
        }

        void fail(RuntimeException e) {
            outcome.complete(() -> {
                throw e;
            });
        }

        void crash(Error e) {
            outcome.complete(() -> {
                throw e;
            });
        }

        /** Waits until the run returned or threw, and tells whether it was interrupted. */
        boolean awaitEnd() throws InterruptedException {
            if (!ended.await(WAIT_SECONDS, TimeUnit.SECONDS)) {
                org.junit.jupiter.api.Assertions.fail("run of " + id + " did not end within " + WAIT_SECONDS + " s");
            }
            return interrupted;
        }
    }
}
