import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpServer;

/**
 * Load test of a running merge-server on loopback: CLIENTS threads each submit a merge, then poll its
 * status at a fixed pace (RATE requests/s in total) for SECONDS, submitting again every 20th request.
 * The merges are no-ops for the server: every URL points at a local server that answers 404, so each job
 * fails at once with DOWNLOAD_FAILED (the server must run with --allow-loopback-urls).
 *
 * <p>Run: {@code java merge-server/load/HttpLoad.java http://127.0.0.1:8080 [clients] [rate] [seconds]}.
 * Prints requests, errors (any answer other than 202 to a submit or 200 to a status, or an I/O failure)
 * and status latency percentiles. Exits non-zero when there was an error.
 */
public final class HttpLoad {
    private static final Pattern TASK_ID = Pattern.compile("\"task_id\":\"([0-9a-f-]{36})\"");

    public static void main(String[] args) throws Exception {
        URI base = URI.create(args.length > 0 ? args[0] : "http://127.0.0.1:8080");
        int clients = args.length > 1 ? Integer.parseInt(args[1]) : 200;
        int rate = args.length > 2 ? Integer.parseInt(args[2]) : 1200;
        int seconds = args.length > 3 ? Integer.parseInt(args[3]) : 60;

        HttpServer missing = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        missing.createContext("/", exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        missing.start();
        String clip = "http://127.0.0.1:" + missing.getAddress().getPort() + "/clip";
        String body = "{\"video_urls\":[\"" + clip + "-a.mp4\",\"" + clip + "-b.mp4\"],\"quality\":\"720\"}";

        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long intervalNanos = Duration.ofSeconds(1).toNanos() * clients / rate;
        long[][] statusLatencies = new long[clients][];
        long[][] submitLatencies = new long[clients][];
        AtomicLong errors = new AtomicLong();
        AtomicLong requests = new AtomicLong();
        CountDownLatch done = new CountDownLatch(clients);
        long start = System.nanoTime();
        long end = start + Duration.ofSeconds(seconds).toNanos();
        List<String> firstErrors = new ArrayList<>();

        for (int c = 0; c < clients; c++) {
            int client = c;
            Thread t = new Thread(() -> {
                long[] status = new long[(int) (Duration.ofSeconds(seconds).toNanos() / intervalNanos) + 2];
                long[] submit = new long[status.length / 20 + 2];
                int ns = 0;
                int nsub = 0;
                String task = null;
                // Spread the clients over one interval so they do not fire in lockstep.
                long next = start + intervalNanos * client / clients;
                for (long k = 0; ; k++) {
                    long now = System.nanoTime();
                    if (next > now) {
                        LockSupport.parkNanos(next - now);
                    }
                    if (System.nanoTime() >= end) {
                        break;
                    }
                    next += intervalNanos;
                    boolean isSubmit = task == null || k % 20 == 0;
                    HttpRequest request = isSubmit
                            ? HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                                    .header("Content-Type", "application/json").timeout(Duration.ofSeconds(10))
                                    .POST(HttpRequest.BodyPublishers.ofString(body)).build()
                            : HttpRequest.newBuilder(base.resolve("/api/v1/merge/" + task + "/status"))
                                    .timeout(Duration.ofSeconds(10)).GET().build();
                    long sent = System.nanoTime();
                    try {
                        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
                        long took = System.nanoTime() - sent;
                        requests.incrementAndGet();
                        if (isSubmit) {
                            Matcher m = TASK_ID.matcher(response.body());
                            if (response.statusCode() != 202 || !m.find()) {
                                error(errors, firstErrors, "submit " + response.statusCode() + " " + response.body());
                            } else {
                                task = m.group(1);
                            }
                            if (nsub < submit.length) {
                                submit[nsub++] = took;
                            }
                        } else {
                            if (response.statusCode() != 200) {
                                error(errors, firstErrors, "status " + response.statusCode() + " " + response.body());
                            }
                            if (ns < status.length) {
                                status[ns++] = took;
                            }
                        }
                    } catch (IOException | InterruptedException e) {
                        requests.incrementAndGet();
                        error(errors, firstErrors, e.toString());
                    }
                }
                statusLatencies[client] = Arrays.copyOf(status, ns);
                submitLatencies[client] = Arrays.copyOf(submit, nsub);
                done.countDown();
            }, "load-" + c);
            t.start();
        }
        done.await();
        double elapsed = (System.nanoTime() - start) / 1e9;
        missing.stop(0);

        long[] status = Arrays.stream(statusLatencies).flatMapToLong(Arrays::stream).sorted().toArray();
        long[] submit = Arrays.stream(submitLatencies).flatMapToLong(Arrays::stream).sorted().toArray();
        System.out.printf("clients %d, target %d req/s, %.1f s%n", clients, rate, elapsed);
        System.out.printf("requests %d (%.0f req/s), errors %d%n", requests.get(), requests.get() / elapsed, errors.get());
        System.out.printf("status  n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", status.length,
                pct(status, 50), pct(status, 90), pct(status, 99), pct(status, 100));
        System.out.printf("submit  n=%d p50=%.2f ms p90=%.2f ms p99=%.2f ms max=%.2f ms%n", submit.length,
                pct(submit, 50), pct(submit, 90), pct(submit, 99), pct(submit, 100));
        synchronized (firstErrors) {
            firstErrors.forEach(e -> System.out.println("error: " + e));
        }
        System.exit(errors.get() == 0 ? 0 : 1);
    }

    private static void error(AtomicLong errors, List<String> first, String what) {
        errors.incrementAndGet();
        synchronized (first) {
            if (first.size() < 5) {
                first.add(what.length() > 200 ? what.substring(0, 200) : what);
            }
        }
    }

    private static double pct(long[] sorted, int p) {
        if (sorted.length == 0) {
            return 0;
        }
        int i = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, i))] / 1e6;
    }
}
