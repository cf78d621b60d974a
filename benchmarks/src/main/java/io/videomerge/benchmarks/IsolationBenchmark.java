package io.videomerge.benchmarks;

import io.videomerge.Isolation;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Transition;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * What running the media work in a child JVM costs: {@link MergeService#merge} of 6 identical 10 s 720p clips with
 * 0.5 s fades (the {@link MergeBenchmark#reencode} case), in this JVM ({@code in-process}), in a child process per
 * merge with a warm spare started ahead ({@code process}), and in a child started cold for each merge
 * ({@code process-cold}). Compare the three in one run: the machine's load moves them together.
 */
@Fork(
        value = 1,
        jvmArgsAppend = {"-Xms64m", "-Xmx512m"})
@BenchmarkMode(Mode.SingleShotTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1)
@Measurement(iterations = 3)
public class IsolationBenchmark {

    /** The 6-clip fade merge, with the isolation under test. */
    @State(Scope.Benchmark)
    public static class FadeCase extends MergeBenchmark.Merging {
        @Param({"in-process", "process", "process-cold"})
        public String isolation;

        @Setup(Level.Trial)
        public void generate() {
            Isolation chosen = switch (isolation) {
                case "in-process" -> Isolation.inProcess();
                case "process" -> Isolation.process();
                case "process-cold" -> Isolation.process().withWarmSpare(false);
                default -> throw new IllegalArgumentException("isolation: " + isolation);
            };
            start(Corpus.CLIP_720P, 6, Transition.DEFAULT, chosen);
        }
    }

    @Benchmark
    public MergeResult fade6(FadeCase state) {
        return state.merge(false);
    }
}
