package io.videomerge.benchmarks;

import io.videomerge.Isolation;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.job.FileTrees;
import io.videomerge.testing.ClipServer;
import io.videomerge.upload.FileSystemUploader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The cost of isolation on a shared, noisy machine: the 6 × 10 s 720p fade merge of {@link IsolationBenchmark}, but
 * with in-process, warm-spare and cold-child merges taken in turns within each round, so that load from elsewhere
 * moves all three alike instead of whichever ran last (JMH measures its parameters one after another). Prints every
 * time, then the median of each and its ratio to in-process.
 *
 * <pre>java -Xmx512m -cp benchmarks/target/benchmarks.jar io.videomerge.benchmarks.IsolationOverhead [rounds=6]</pre>
 */
public final class IsolationOverhead {
    private IsolationOverhead() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 6;
        Map<String, Isolation> modes = new LinkedHashMap<>();
        modes.put("in-process", Isolation.inProcess());
        modes.put("process", Isolation.process());
        modes.put("process-cold", Isolation.process().withWarmSpare(false));
        Path output = Files.createTempDirectory("videomerge-overhead-");
        try (Corpus corpus = Corpus.create();
                ClipServer server = ClipServer.serve(corpus.folder())) {
            MergeRequest request = MergeRequest.of(corpus.identical(Corpus.CLIP_720P, "clip", 6).stream()
                            .map(server::url)
                            .toList())
                    .withQuality(Quality.P720)
                    .withTransition(Transition.DEFAULT);
            Map<String, MergeService> services = new LinkedHashMap<>();
            Map<String, List<Double>> times = new LinkedHashMap<>();
            for (Map.Entry<String, Isolation> mode : modes.entrySet()) {
                services.put(
                        mode.getKey(),
                        MergeService.builder()
                                .limits(Limits.builder().allowLoopbackUrls(true).build())
                                .uploader(new FileSystemUploader(
                                        output.resolve("merged"),
                                        output.resolve("merged").toUri()))
                                .workDirectory(output.resolve("work-" + mode.getKey()))
                                .isolation(mode.getValue())
                                .build());
                times.put(mode.getKey(), new ArrayList<>());
            }
            try {
                for (int round = 0; round <= rounds; round++) {
                    StringBuilder line = new StringBuilder(round == 0 ? "warm-up" : "round " + round);
                    for (Map.Entry<String, MergeService> s : services.entrySet()) {
                        long start = System.nanoTime();
                        s.getValue().merge(request);
                        double seconds = (System.nanoTime() - start) / 1e9;
                        if (round > 0) {
                            times.get(s.getKey()).add(seconds);
                        }
                        line.append(String.format(Locale.ROOT, "  %s %.2f s", s.getKey(), seconds));
                        FileTrees.deleteTree(output.resolve("merged"));
                    }
                    System.out.println(line);
                }
            } finally {
                services.values().forEach(MergeService::close);
            }
            double base = median(times.get("in-process"));
            for (Map.Entry<String, List<Double>> t : times.entrySet()) {
                double m = median(t.getValue());
                System.out.printf(
                        Locale.ROOT, "%-13s median %.2f s  ratio %.3f  (+%.2f s)%n", t.getKey(), m, m / base, m - base);
            }
        } finally {
            FileTrees.deleteTree(output);
        }
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
