package io.videomerge.benchmarks;

import io.videomerge.AspectRatio;
import io.videomerge.Isolation;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.job.FileTrees;
import io.videomerge.testing.ClipServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peak resident set of the child JVM that runs an isolated merge with the defaults merge-server uses
 * ({@link Isolation#process()}: the child's command line and environment as {@code ChildProcessStep} builds them):
 * runs {@code runs} merges of the given corpus files, served over loopback HTTP, and samples {@code VmHWM} and the
 * CPU time of every process descended from this JVM every 20 ms (Linux only). A child's last sample is at most 20 ms
 * before its exit, so its CPU time may miss the last instants; its peak, taken by the kernel, misses nothing sampled
 * before the merge's last 20 ms.
 *
 * <p>Usage: {@code ChildPeak <corpus-dir> <runs> <none|fade> <file>...}. Prints, per merge,
 * {@code merge= wall_s= child_peak_mib= child_cpu_s=}, then {@code child_peak_mib_max=}, {@code wall_s_median=},
 * {@code child_cpu_s_median=}. The warm spare's own peak (about 60 MiB, it merges nothing) is below any merging
 * child's, so the largest peak among the children is the merging one's.
 */
public final class ChildPeak {
    private static final long SAMPLE_MILLIS = 20;
    private static final double CLOCK_TICKS = 100.0;

    private ChildPeak() {}

    /** What was last seen of one child. */
    private record Seen(long peakKib, double cpuSeconds) {}

    public static void main(String[] args) throws Exception {
        if (args.length < 4) {
            System.err.println("usage: ChildPeak <corpus-dir> <runs> <none|fade> <file>...");
            System.exit(2);
        }
        Path corpus = Path.of(args[0]).toAbsolutePath();
        int runs = Integer.parseInt(args[1]);
        Transition transition = args[2].equals("none") ? Transition.none() : Transition.DEFAULT;
        List<String> files = Arrays.asList(args).subList(3, args.length);
        Path scratch = Files.createTempDirectory("videomerge-childpeak-");
        Map<Long, Seen> seen = new ConcurrentHashMap<>();
        Thread sampler = new Thread(() -> sample(seen), "child-peak-sampler");
        sampler.setDaemon(true);
        sampler.start();
        double[] walls = new double[runs];
        double[] cpus = new double[runs];
        long maxPeak = 0;
        try (ClipServer server = ClipServer.serve(corpus);
                MergeService service = Compare.loopbackService(scratch.resolve("out"), scratch.resolve("work"))
                        .isolation(Isolation.process())
                        .build()) {
            MergeRequest request = MergeRequest.of(
                            files.stream().map(server::url).toList())
                    .withQuality(Quality.P720)
                    .withAspectRatio(AspectRatio.LANDSCAPE_16_9)
                    .withTransition(transition);
            for (int i = 0; i < runs; i++) {
                seen.clear();
                long start = System.nanoTime();
                service.merge(request);
                walls[i] = (System.nanoTime() - start) / 1e9;
                // The children seen during this merge: the merging one and the next spare; the merging one peaks
                // higher.
                long peak = 0;
                double cpu = 0;
                for (Map.Entry<Long, Seen> e : Map.copyOf(seen).entrySet()) {
                    System.out.printf(
                            Locale.ROOT,
                            "child pid=%d peak_mib=%.1f cpu_s=%.2f%n",
                            e.getKey(),
                            e.getValue().peakKib() / 1024.0,
                            e.getValue().cpuSeconds());
                    if (e.getValue().peakKib() > peak) {
                        peak = e.getValue().peakKib();
                        cpu = e.getValue().cpuSeconds();
                    }
                }
                cpus[i] = cpu;
                maxPeak = Math.max(maxPeak, peak);
                System.out.printf(
                        Locale.ROOT,
                        "merge=%d wall_s=%.2f child_peak_mib=%.1f child_cpu_s=%.2f%n",
                        i + 1,
                        walls[i],
                        peak / 1024.0,
                        cpu);
                FileTrees.deleteTree(scratch.resolve("out"));
            }
        } finally {
            FileTrees.deleteTree(scratch);
        }
        System.out.printf(Locale.ROOT, "child_peak_mib_max=%.1f%n", maxPeak / 1024.0);
        System.out.printf(Locale.ROOT, "wall_s_median=%.2f%n", median(walls));
        System.out.printf(Locale.ROOT, "child_cpu_s_median=%.2f%n", median(cpus));
    }

    private static void sample(Map<Long, Seen> seen) {
        while (true) {
            ProcessHandle.current().descendants().forEach(p -> {
                try {
                    long peak = ProcStatus.kib(p.pid(), "VmHWM").orElse(0);
                    String stat = Files.readString(Path.of("/proc/" + p.pid() + "/stat"));
                    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                    // utime and stime: fields 14 and 15 of stat, 12 and 13 after the command name.
                    double cpu = (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) / CLOCK_TICKS;
                    // An exiting child's status has no VmHWM any more: keep what was seen before.
                    seen.merge(
                            p.pid(),
                            new Seen(peak, cpu),
                            (a, b) -> new Seen(
                                    Math.max(a.peakKib(), b.peakKib()), Math.max(a.cpuSeconds(), b.cpuSeconds())));
                } catch (IOException | RuntimeException e) {
                    // The process ended between the listing and the read.
                }
            });
            try {
                Thread.sleep(SAMPLE_MILLIS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }
}
