package io.videomerge.benchmarks;

import io.videomerge.AspectRatio;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.job.FileTrees;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.bytedeco.javacpp.Pointer;

/**
 * Whether the resident set of a JVM that merges in-process grows from merge to merge: runs {@code count} merges
 * of the same request in one {@link MergeService} and prints, after each, the process's resident set ({@code VmRSS}
 * of {@code /proc/self/status}, Linux only) and JavaCPP's count of the native memory it allocated and has not freed
 * yet ({@link Pointer#totalBytes()}, {@link Pointer#totalCount()}), then the peak ({@code VmHWM}) and the
 * least-squares slope of the resident set over the merges after the warm-up.
 *
 * <p>Usage: {@code MemoryGrowth <count> [warmup=3] [none|fade] [<corpus-dir> <file>...]}; without files, two 3 s
 * 1280x720 clips made by the testkit's {@link ClipGenerator}. Every line is {@code key=value} pairs; the summary
 * lines are {@code rss_first_mib=}, {@code rss_last_mib=}, {@code rss_min_mib=}, {@code rss_max_mib=},
 * {@code rss_peak_mib=}, {@code slope_mib_per_100=}, {@code growth_mib_per_merge=}, {@code javacpp_bytes_first=},
 * {@code javacpp_bytes_last=}, {@code merges=}, {@code seconds=}.
 */
public final class MemoryGrowth {
    private MemoryGrowth() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: MemoryGrowth <count> [warmup=3] [none|fade] [<corpus-dir> <file>...]");
            System.exit(2);
        }
        int count = Integer.parseInt(args[0]);
        int warmup = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Transition transition = args.length > 2 && args[2].equals("none") ? Transition.none() : Transition.DEFAULT;
        Path scratch = Files.createTempDirectory("videomerge-growth-");
        try {
            Path corpus;
            List<String> files;
            if (args.length > 4) {
                corpus = Path.of(args[3]).toAbsolutePath();
                files = Arrays.asList(args).subList(4, args.length);
            } else {
                corpus = Files.createDirectories(scratch.resolve("corpus"));
                files = List.of(
                        ClipGenerator.write(ClipSpec.of(1280, 720).withDuration(3), corpus, "a")
                                .getFileName()
                                .toString(),
                        ClipGenerator.write(ClipSpec.of(1280, 720).withDuration(3), corpus, "b")
                                .getFileName()
                                .toString());
            }
            run(count, warmup, transition, corpus, files, scratch);
        } finally {
            FileTrees.deleteTree(scratch);
        }
    }

    private static void run(int count, int warmup, Transition transition, Path corpus, List<String> files, Path scratch)
            throws IOException {
        Path out = Files.createDirectories(scratch.resolve("out"));
        List<double[]> samples = new ArrayList<>();
        long started = System.nanoTime();
        try (ClipServer server = ClipServer.serve(corpus);
                MergeService service =
                        Compare.loopbackService(out, scratch.resolve("work")).build()) {
            MergeRequest request = MergeRequest.of(
                            files.stream().map(server::url).toList())
                    .withQuality(Quality.P720)
                    .withAspectRatio(AspectRatio.LANDSCAPE_16_9)
                    .withTransition(transition);
            System.out.printf(
                    Locale.ROOT,
                    "merge=0 rss_mib=%.1f javacpp_bytes=%d javacpp_count=%d%n",
                    ProcStatus.selfKib("VmRSS") / 1024.0,
                    Pointer.totalBytes(),
                    Pointer.totalCount());
            for (int i = 1; i <= count; i++) {
                service.merge(request);
                FileTrees.deleteTree(out);
                Files.createDirectories(out);
                double rss = ProcStatus.selfKib("VmRSS") / 1024.0;
                samples.add(new double[] {i, rss, Pointer.totalBytes()});
                System.out.printf(
                        Locale.ROOT,
                        "merge=%d rss_mib=%.1f javacpp_bytes=%d javacpp_count=%d%n",
                        i,
                        rss,
                        Pointer.totalBytes(),
                        Pointer.totalCount());
            }
        }
        report(samples, warmup, ProcStatus.selfKib("VmHWM") / 1024.0, (System.nanoTime() - started) / 1e9);
    }

    private static void report(List<double[]> samples, int warmup, double peak, double seconds) {
        List<double[]> after = samples.stream().filter(s -> s[0] > warmup).toList();
        if (after.isEmpty()) {
            after = samples;
        }
        double n = after.size();
        double mx = after.stream().mapToDouble(s -> s[0]).sum() / n;
        double my = after.stream().mapToDouble(s -> s[1]).sum() / n;
        double sxy = after.stream().mapToDouble(s -> (s[0] - mx) * (s[1] - my)).sum();
        double sxx = after.stream().mapToDouble(s -> (s[0] - mx) * (s[0] - mx)).sum();
        double slope = sxx > 0 ? sxy / sxx : 0;
        double[] first = after.get(0);
        double[] last = after.get(after.size() - 1);
        System.out.printf(Locale.ROOT, "merges=%d%n", samples.size());
        System.out.printf(Locale.ROOT, "warmup=%d%n", warmup);
        System.out.printf(Locale.ROOT, "seconds=%.1f%n", seconds);
        System.out.printf(Locale.ROOT, "rss_first_mib=%.1f%n", first[1]);
        System.out.printf(Locale.ROOT, "rss_last_mib=%.1f%n", last[1]);
        System.out.printf(
                Locale.ROOT,
                "rss_min_mib=%.1f%n",
                after.stream().mapToDouble(s -> s[1]).min().orElseThrow());
        System.out.printf(
                Locale.ROOT,
                "rss_max_mib=%.1f%n",
                after.stream().mapToDouble(s -> s[1]).max().orElseThrow());
        System.out.printf(Locale.ROOT, "rss_peak_mib=%.1f%n", peak);
        System.out.printf(Locale.ROOT, "slope_mib_per_100=%.2f%n", 100 * slope);
        System.out.printf(Locale.ROOT, "growth_mib_per_merge=%.3f%n", slope);
        System.out.printf(Locale.ROOT, "javacpp_bytes_first=%d%n", (long) first[2]);
        System.out.printf(Locale.ROOT, "javacpp_bytes_last=%d%n", (long) last[2]);
    }
}
