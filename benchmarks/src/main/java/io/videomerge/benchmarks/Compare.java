package io.videomerge.benchmarks;

import io.videomerge.AspectRatio;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Speed;
import io.videomerge.Transition;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.upload.FileSystemUploader;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The library's side of {@code benchmarks/compare.sh}: merges files of a corpus folder, served over loopback
 * HTTP as a client's URLs would be, in one warm JVM, and prints the median wall time of the timed merges.
 *
 * <p>Usage: {@code Compare <corpus-dir> <out-dir> <none|fade> <warmups> <runs> <file>... [--speed=fast|balanced|small]
 * [--no-poster]}: the merges are made at that speed ({@link io.videomerge.MergeRequest#withSpeed}); without it, at the
 * service's default; {@code --no-poster} turns the poster frame off ({@code MergeService.Builder.posters(false)}), for
 * the same work as the CLI, which makes none. Prints {@code median_ms=…}, {@code runs_ms=…}, the process CPU time of each timed merge
 * ({@code runs_cpu_ms=…}), the last result's {@code duration_s=…}, {@code stream_copied=…} and
 * {@code output_bytes=…} (the merged file's size), the speed asked for ({@code speed=…}, {@code default} when none)
 * and the H.264 encoder the natives offer ({@code h264_encoder=…}), one per line.
 */
public final class Compare {
    private Compare() {}

    /**
     * CPU time of the whole process (every thread, native ones included), which a busy shared machine stretches
     * far less than wall time; -1 where the JVM cannot tell.
     */
    private static long processCpuNanos() {
        return ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os
                ? os.getProcessCpuTime()
                : -1;
    }

    /**
     * A service for merging a corpus served on loopback, as the benchmarks' mains use it: loopback URLs allowed, up
     * to 64 clips, merged files "uploaded" into {@code out}, its work folder at {@code work}.
     */
    static MergeService.Builder loopbackService(Path out, Path work) {
        return MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).clips(1, 64).build())
                .uploader(new FileSystemUploader(out, out.toUri()))
                .workDirectory(work);
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: Compare <corpus-dir> <out-dir> <none|fade> <warmups> <runs> <file>..."
                    + " [--speed=fast|balanced|small] [--no-poster]");
            System.exit(2);
        }
        Path corpus = Path.of(args[0]).toAbsolutePath();
        Path out = Path.of(args[1]).toAbsolutePath();
        Transition transition = switch (args[2]) {
            case "none" -> Transition.none();
            case "fade" -> Transition.DEFAULT;
            default -> throw new IllegalArgumentException("transition must be none or fade: " + args[2]);
        };
        int warmups = Integer.parseInt(args[3]);
        int runs = Integer.parseInt(args[4]);
        if (warmups < 0 || runs < 1) {
            throw new IllegalArgumentException("warmups must be >= 0 and runs >= 1");
        }
        List<String> files = new ArrayList<>();
        Optional<Speed> speed = Optional.empty();
        boolean posters = true;
        for (String arg : Arrays.asList(args).subList(5, args.length)) {
            if (arg.equals("--no-poster")) {
                posters = false;
            } else if (arg.startsWith("--speed=")) {
                speed = Optional.of(
                        Speed.valueOf(arg.substring("--speed=".length()).toUpperCase(Locale.ROOT)));
            } else {
                files.add(arg);
            }
        }
        if (files.isEmpty()) {
            throw new IllegalArgumentException("no files to merge");
        }

        Files.createDirectories(out);
        try (ClipServer server = ClipServer.serve(corpus);
                MergeService service = loopbackService(out, out.resolve("work"))
                        .posters(posters)
                        .build()) {
            MergeRequest request = MergeRequest.of(
                            files.stream().map(server::url).toList())
                    .withQuality(Quality.P720)
                    .withAspectRatio(AspectRatio.LANDSCAPE_16_9)
                    .withTransition(transition);
            if (speed.isPresent()) {
                request = request.withSpeed(speed.get());
            }
            for (int i = 0; i < warmups; i++) {
                service.merge(request);
            }
            long[] ms = new long[runs];
            long[] cpuMs = new long[runs];
            MergeResult last = null;
            for (int i = 0; i < runs; i++) {
                long cpuStart = processCpuNanos();
                long start = System.nanoTime();
                last = service.merge(request);
                ms[i] = (System.nanoTime() - start) / 1_000_000;
                cpuMs[i] = (processCpuNanos() - cpuStart) / 1_000_000;
            }
            long[] sorted = ms.clone();
            Arrays.sort(sorted);
            long median = runs % 2 == 1 ? sorted[runs / 2] : (sorted[runs / 2 - 1] + sorted[runs / 2]) / 2;
            System.out.println("median_ms=" + median);
            System.out.println("runs_ms=" + Arrays.toString(ms));
            System.out.println("runs_cpu_ms=" + Arrays.toString(cpuMs));
            System.out.println("duration_s=" + last.durationSeconds());
            System.out.println("stream_copied=" + last.streamCopied());
            System.out.println("output_bytes=" + Files.size(Path.of(last.mergedUrl())));
            System.out.println(
                    "speed=" + speed.map(v -> v.name().toLowerCase(Locale.ROOT)).orElse("default"));
            System.out.println("h264_encoder=" + ClipGenerator.h264Encoder());
        }
    }
}
