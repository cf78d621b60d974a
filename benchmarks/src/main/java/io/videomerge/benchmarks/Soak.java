package io.videomerge.benchmarks;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.internal.job.FileTrees;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A soak of merge-server in its default isolated mode: starts the server jar on loopback with the in-memory store,
 * runs {@code count} merges of mixed small generated clips through its HTTP API (a few in flight at once), and
 * samples the server process's resident set ({@code VmRSS} of {@code /proc/PID/status}, Linux only) after every
 * tenth finished merge. Prints every sample ({@code merges= seconds= rss_mib=}), then one {@code key=value} per line:
 * {@code completed=}, {@code failed=}, {@code seconds=}, {@code warmup=}, and over the samples after the warm-up
 * {@code rss_first_mib=}, {@code rss_last_mib=}, {@code rss_min_mib=}, {@code rss_max_mib=}, {@code rss_spread_mib=}
 * and the least-squares {@code slope_mib_per_100=} (merges). Stops by itself after {@code count} merges or
 * {@code minutes}, whichever comes first, and stops the server. {@code workers} is the server's
 * {@code --merge-concurrency}.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar io.videomerge.benchmarks.Soak merge-server/target/merge-server.jar
 *     [count=300] [workers=2] [minutes=40] [warmup=50]</pre>
 */
public final class Soak {
    private static final Duration POLL = Duration.ofMillis(200);
    private static final int SAMPLE_EVERY = 10;

    private Soak() {}

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            System.err.println("usage: Soak SERVER_JAR [count=300] [workers=2] [minutes=40] [warmup=50]");
            System.exit(2);
        }
        Path jar = Path.of(args[0]);
        int count = args.length > 1 ? Integer.parseInt(args[1]) : 300;
        int workers = args.length > 2 ? Integer.parseInt(args[2]) : 2;
        long minutes = args.length > 3 ? Long.parseLong(args[3]) : 40;
        int warmup = args.length > 4 ? Integer.parseInt(args[4]) : 50;
        Path data = Files.createTempDirectory("videomerge-soak-");
        try {
            run(jar, data, count, workers, Duration.ofMinutes(minutes), warmup);
        } finally {
            FileTrees.deleteTree(data);
        }
    }

    private static List<String> clips(Path files) {
        List<String> names = new ArrayList<>();
        names.add(ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), files, "landscape")
                .getFileName()
                .toString());
        names.add(ClipGenerator.write(ClipSpec.of(240, 320).withFps(24).withDuration(1.2), files, "portrait")
                .getFileName()
                .toString());
        names.add(ClipGenerator.write(ClipSpec.of(320, 320).withDuration(0.8).withoutAudio(), files, "silent")
                .getFileName()
                .toString());
        names.add(ClipGenerator.write(
                        ClipSpec.of(320, 180).withDuration(1.0).withAudio(ClipSpec.Audio.MONO, 44_100), files, "mono")
                .getFileName()
                .toString());
        names.add(ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0).asWebm(), files, "webm")
                .getFileName()
                .toString());
        return names;
    }

    private static void run(Path jar, Path data, int count, int workers, Duration budget, int warmup) throws Exception {
        // The clips are served by a server of their own: merge-server's /files/ serves only what it merged.
        Path clipFolder = Files.createDirectories(data.resolve("clips"));
        List<String> clips = clips(clipFolder);
        try (ClipServer clipServer = ClipServer.serve(clipFolder)) {
            run(
                    jar,
                    data,
                    count,
                    workers,
                    budget,
                    warmup,
                    clips.stream().map(clipServer::url).toList());
        }
    }

    private static void run(Path jar, Path data, int count, int workers, Duration budget, int warmup, List<URI> clips)
            throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process server = new ProcessBuilder(
                        java.toString(),
                        "-Xmx256m",
                        "-jar",
                        jar.toString(),
                        "--port",
                        String.valueOf(port),
                        "--host",
                        "127.0.0.1",
                        "--store",
                        "memory",
                        "--data-dir",
                        data.toString(),
                        "--allow-loopback-urls",
                        "--merge-concurrency",
                        String.valueOf(workers))
                .redirectErrorStream(true)
                .redirectOutput(data.resolve("server.log").toFile())
                .start();
        // A soak stopped by a signal must not leave its server behind.
        Thread reaper = new Thread(server::destroyForcibly, "soak-server-reaper");
        Runtime.getRuntime().addShutdownHook(reaper);
        URI base = URI.create("http://127.0.0.1:" + port);
        HttpClient http =
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        ObjectMapper json = new ObjectMapper();
        long deadline = System.nanoTime() + budget.toNanos();
        try {
            awaitHealth(http, base, deadline);
            System.out.printf(
                    Locale.ROOT, "server_pid=%d count=%d workers=%d isolation=process%n", server.pid(), count, workers);
            Deque<String> inFlight = new ArrayDeque<>();
            int submitted = 0;
            int completed = 0;
            int failed = 0;
            List<long[]> samples = new ArrayList<>();
            long started = System.nanoTime();
            while ((completed + failed) < count && System.nanoTime() < deadline) {
                while (inFlight.size() < workers * 2 && submitted < count) {
                    String body = request(clips, submitted);
                    HttpResponse<String> r = http.send(
                            HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                                    .header("Content-Type", "application/json")
                                    .POST(HttpRequest.BodyPublishers.ofString(body))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
                    if (r.statusCode() != 202) {
                        throw new IllegalStateException("submit answered " + r.statusCode() + ": " + r.body());
                    }
                    inFlight.add(json.readTree(r.body()).get("task_id").asText());
                    submitted++;
                }
                String task = inFlight.poll();
                JsonNode status = json.readTree(http.send(
                                HttpRequest.newBuilder(base.resolve("/api/v1/merge/" + task + "/status"))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString())
                        .body());
                String state = status.path("status").asText();
                if (state.equals("completed") || state.equals("failed")) {
                    if (state.equals("completed")) {
                        completed++;
                        Files.deleteIfExists(data.resolve("files").resolve(task + ".mp4"));
                    } else {
                        failed++;
                        System.out.println("failed: " + status);
                    }
                    int done = completed + failed;
                    if (done % SAMPLE_EVERY == 0) {
                        long rss = ProcStatus.kib(server.pid(), "VmRSS").orElseThrow();
                        samples.add(new long[] {done, rss});
                        System.out.printf(
                                Locale.ROOT,
                                "merges=%d seconds=%.1f rss_mib=%.1f%n",
                                done,
                                (System.nanoTime() - started) / 1e9,
                                rss / 1024.0);
                    }
                } else {
                    inFlight.add(task);
                    LockSupport.parkNanos(POLL.toNanos() / Math.max(1, inFlight.size()));
                }
            }
            report(samples, warmup, completed, failed, (System.nanoTime() - started) / 1e9);
        } finally {
            server.destroy();
            if (!server.waitFor(30, TimeUnit.SECONDS)) {
                server.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private static String request(List<URI> clips, int n) {
        int size = 2 + n % 3;
        StringBuilder urls = new StringBuilder();
        for (int i = 0; i < size; i++) {
            urls.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(clips.get((n + i * 2) % clips.size()))
                    .append('"');
        }
        String[] qualities = {"480", "720"};
        String[] ratios = {"16:9", "9:16", "1:1"};
        String transition = n % 4 == 3 ? "none" : "fade";
        return "{\"video_urls\":[" + urls + "],\"quality\":\"" + qualities[n % 2] + "\",\"aspect_ratio\":\""
                + ratios[n % 3] + "\",\"transition\":\"" + transition + "\"}";
    }

    private static void report(List<long[]> samples, int warmup, int completed, int failed, double seconds) {
        List<long[]> after = samples.stream().filter(s -> s[0] > warmup).toList();
        System.out.printf(Locale.ROOT, "completed=%d%n", completed);
        System.out.printf(Locale.ROOT, "failed=%d%n", failed);
        System.out.printf(Locale.ROOT, "seconds=%.0f%n", seconds);
        System.out.printf(Locale.ROOT, "warmup=%d%n", warmup);
        if (after.size() < 2) {
            System.out.println("slope_mib_per_100=n/a");
            return;
        }
        double n = after.size();
        double mx = after.stream().mapToDouble(s -> s[0]).sum() / n;
        double my = after.stream().mapToDouble(s -> s[1] / 1024.0).sum() / n;
        double sxy = after.stream()
                .mapToDouble(s -> (s[0] - mx) * (s[1] / 1024.0 - my))
                .sum();
        double sxx = after.stream().mapToDouble(s -> (s[0] - mx) * (s[0] - mx)).sum();
        long max = after.stream().mapToLong(s -> s[1]).max().orElseThrow();
        long min = after.stream().mapToLong(s -> s[1]).min().orElseThrow();
        System.out.printf(Locale.ROOT, "rss_first_mib=%.1f%n", after.get(0)[1] / 1024.0);
        System.out.printf(Locale.ROOT, "rss_last_mib=%.1f%n", after.get(after.size() - 1)[1] / 1024.0);
        System.out.printf(Locale.ROOT, "rss_min_mib=%.1f%n", min / 1024.0);
        System.out.printf(Locale.ROOT, "rss_max_mib=%.1f%n", max / 1024.0);
        System.out.printf(Locale.ROOT, "rss_spread_mib=%.1f%n", (max - min) / 1024.0);
        System.out.printf(Locale.ROOT, "slope_mib_per_100=%.2f%n", 100 * sxy / sxx);
    }

    private static void awaitHealth(HttpClient http, URI base, long deadline) throws InterruptedException {
        while (System.nanoTime() < deadline) {
            try {
                HttpResponse<String> r = http.send(
                        HttpRequest.newBuilder(base.resolve("/health")).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // Not listening yet.
            }
            LockSupport.parkNanos(POLL.toNanos());
        }
        throw new IllegalStateException("the server did not answer /health in time");
    }
}
