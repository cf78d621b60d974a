package io.videomerge.benchmarks;

import io.videomerge.AspectRatio;
import io.videomerge.Isolation;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.job.FileTrees;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link MergeService#merge} end to end — download over loopback HTTP, probe, plan, encode or remux, measure,
 * upload to a folder — on 2, 6 or 10 identical 10 s 720p clips into the 720p 16:9 canvas.
 *
 * <ul>
 *   <li>{@link #streamCopy}: clips that match the canvas joined with a cut: packets are remuxed, nothing is
 *       decoded or encoded (the benchmark fails if the engine does not take that path).</li>
 *   <li>{@link #reencode}: the same clips with {@code transition=fade} (0.5 s cross-fades), or, with
 *       {@code transition=none}, clips whose mono audio keeps them from being copied, joined with cuts: every
 *       frame is decoded, normalised and encoded (libx264 with the GPL natives, libopenh264 otherwise).</li>
 * </ul>
 * Each invocation is one whole merge ({@link Mode#SingleShotTime}); the clips are generated once per trial.
 */
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms64m", "-Xmx512m"})
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class MergeBenchmark {

    /** The merge service, its loopback server and its folders; the clips are set up by the subclasses. */
    public abstract static class Merging {
        Corpus corpus;
        ClipServer server;
        MergeService service;
        Path output;
        MergeRequest request;

        void start(ClipSpec spec, int clips, Transition transition) {
            start(spec, clips, transition, Isolation.inProcess());
        }

        void start(ClipSpec spec, int clips, Transition transition, Isolation isolation) {
            corpus = Corpus.create();
            server = ClipServer.serve(corpus.folder());
            request = MergeRequest.of(corpus.identical(spec, "clip", clips).stream()
                            .map(server::url)
                            .toList())
                    .withQuality(Quality.P720)
                    .withAspectRatio(AspectRatio.LANDSCAPE_16_9)
                    .withTransition(transition);
            try {
                output = Files.createTempDirectory("videomerge-bench-out-");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            service = MergeService.builder()
                    .limits(Limits.builder().allowLoopbackUrls(true).build())
                    .uploader(new FileSystemUploader(
                            output.resolve("merged"), output.resolve("merged").toUri()))
                    .workDirectory(output.resolve("work"))
                    .isolation(isolation)
                    .build();
        }

        MergeResult merge(boolean expectCopy) {
            MergeResult result = service.merge(request);
            if (result.streamCopied() != expectCopy) {
                throw new IllegalStateException(
                        "expected " + (expectCopy ? "a stream copy" : "a re-encode") + " but the engine did the other");
            }
            return result;
        }

        /** Merged files pile up otherwise: ten 100 s outputs per iteration. */
        @TearDown(Level.Iteration)
        public void removeOutputs() {
            FileTrees.deleteTree(output.resolve("merged"));
        }

        @TearDown(Level.Trial)
        public void stop() {
            service.close();
            server.close();
            corpus.close();
            FileTrees.deleteTree(output);
        }
    }

    /** Identical clips matching the canvas, joined with cuts. */
    @State(Scope.Benchmark)
    public static class CopyCase extends Merging {
        @Param({"2", "6", "10"})
        public int clips;

        @Setup(Level.Trial)
        public void generate() {
            start(Corpus.CLIP_720P, clips, Transition.none());
        }
    }

    /** Identical clips that must be decoded and encoded: cross-faded, or cut but not copyable. */
    @State(Scope.Benchmark)
    public static class ReencodeCase extends Merging {
        @Param({"2", "6", "10"})
        public int clips;

        @Param({"none", "fade"})
        public String transition;

        @Setup(Level.Trial)
        public void generate() {
            if ("fade".equals(transition)) {
                start(Corpus.CLIP_720P, clips, Transition.DEFAULT);
            } else {
                // Mono audio is the smallest difference that rules the copy out: the video work is the same.
                start(Corpus.CLIP_720P.withAudio(ClipSpec.Audio.MONO), clips, Transition.none());
            }
        }
    }

    /** Under a second each: more shots than the re-encodes can afford. */
    @Benchmark
    @Warmup(iterations = 3)
    @Measurement(iterations = 10)
    public MergeResult streamCopy(CopyCase state) {
        return state.merge(true);
    }

    @Benchmark
    public MergeResult reencode(ReencodeCase state) {
        return state.merge(false);
    }
}
