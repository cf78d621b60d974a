package io.videomerge.benchmarks;

import io.videomerge.Limits;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Probing one downloaded 10 s 720p H.264/AAC clip with the default {@link Limits}: open under the whitelists,
 * find the streams, decode the first video and audio frames. Every merge pays this once per input, and once more
 * to measure its output.
 */
@State(Scope.Benchmark)
@Fork(1)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
public class ProbeBenchmark {
    private Corpus corpus;
    private Path clip;
    private Prober prober;

    @Setup(Level.Trial)
    public void generate() {
        corpus = Corpus.create();
        clip = corpus.write(Corpus.CLIP_720P, "clip");
        prober = new Prober(Limits.defaults());
    }

    @TearDown(Level.Trial)
    public void remove() {
        corpus.close();
    }

    @Benchmark
    public ClipInfo probe() {
        return prober.probe(clip, 0);
    }
}
