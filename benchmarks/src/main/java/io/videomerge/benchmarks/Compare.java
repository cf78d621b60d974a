package io.videomerge.benchmarks;

import io.videomerge.AspectRatio;
import io.videomerge.FileSystemUploader;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.testing.ClipServer;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Times whole merges in one warm JVM for {@code compare.sh}: serves the corpus over loopback HTTP, runs
 * the warm-up merges, then the timed ones, and prints {@code median_ms=…} and {@code stream_copied=…}.
 *
 * <pre>java -cp benchmarks.jar io.videomerge.benchmarks.Compare CORPUS OUT none|fade WARMUPS RUNS FILE…</pre>
 */
public final class Compare {
    private Compare() {
    }

    public static void main(String[] args) {
        if (args.length < 7) {
            System.err.println("usage: Compare CORPUS OUT none|fade WARMUPS RUNS FILE FILE…");
            System.exit(2);
        }
        Path corpus = Path.of(args[0]);
        Path out = Path.of(args[1]);
        Transition transition = "none".equals(args[2]) ? Transition.none() : Transition.DEFAULT;
        int warmups = Integer.parseInt(args[3]);
        int runs = Integer.parseInt(args[4]);
        List<String> files = Arrays.asList(args).subList(5, args.length);

        try (ClipServer server = ClipServer.serve(corpus)) {
            List<URI> urls = new ArrayList<>();
            for (String f : files) {
                urls.add(server.url(f));
            }
            MergeRequest request = new MergeRequest(urls, Quality.P720, AspectRatio.LANDSCAPE_16_9, Fit.PAD, transition);
            Limits limits = Limits.builder().allowLoopbackUrls(true).build();
            try (MergeService service = MergeService.builder()
                    .limits(limits)
                    .uploader(new FileSystemUploader(out, URI.create("http://127.0.0.1/")))
                    .workDirectory(out.resolve("work"))
                    .build()) {
                for (int i = 0; i < warmups; i++) {
                    service.merge(request);
                }
                long[] millis = new long[runs];
                boolean copied = false;
                for (int i = 0; i < runs; i++) {
                    long start = System.nanoTime();
                    MergeResult result = service.merge(request);
                    millis[i] = (System.nanoTime() - start) / 1_000_000;
                    copied = result.streamCopied();
                    System.out.println("run_ms=" + millis[i] + " duration_s=" + result.durationSeconds());
                }
                Arrays.sort(millis);
                long median = runs % 2 == 1 ? millis[runs / 2] : (millis[runs / 2 - 1] + millis[runs / 2]) / 2;
                System.out.println("median_ms=" + median);
                System.out.println("stream_copied=" + copied);
            }
        }
    }
}
