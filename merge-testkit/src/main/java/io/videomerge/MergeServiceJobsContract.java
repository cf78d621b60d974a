package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.videomerge.TaskStatus.Status;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobState;
import io.videomerge.spi.JobStore;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asynchronous merges end to end: {@link MergeService#submit} on the real pipeline, with generated clips
 * downloaded from a local HTTP server, over a real store. A store module runs it by supplying a fresh
 * store, as for {@link io.videomerge.spi.JobStoreContract}.
 *
 * <p>The server can hold a download until the test opens its gate, so that a test acts while a merge is
 * certainly running, without timing guesses.
 */
public abstract class MergeServiceJobsContract {
    private static final Duration WAIT = Duration.ofSeconds(120);
    private static final double CLIP_SECONDS = 3.0;

    @TempDir
    static Path clips;

    private static Path clipA;
    private static Path clipB;

    @TempDir
    Path dir;

    private JobStore store;
    private HttpServer server;
    private ExecutorService serverThreads;
    private final Map<String, AtomicInteger> hits = new ConcurrentHashMap<>();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch held = new CountDownLatch(1);
    private final List<MergeService> services = new ArrayList<>();

    /** A fresh, empty store that takes every time from {@code clock}; the suite closes it. */
    protected abstract JobStore newStore(Clock clock);

    @BeforeAll
    static void generateClips() {
        ClipSpec spec = ClipSpec.of(640, 360).withFps(25).withDuration(CLIP_SECONDS);
        clipA = ClipGenerator.write(spec, clips, "a");
        clipB = ClipGenerator.write(spec.withSize(480, 360), clips, "b");
    }

    @BeforeEach
    void start() throws IOException {
        store = newStore(Clock.systemUTC());
        serverThreads = Executors.newCachedThreadPool();
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.setExecutor(serverThreads);
        server.createContext("/clip/", exchange -> serve(exchange, fileFor(exchange)));
        server.createContext("/missing/", exchange -> status(exchange, 404));
        // Answers 503 to the first two requests of each path, then the file.
        server.createContext("/flaky/", exchange -> {
            if (hits(exchange) <= 2) {
                status(exchange, 503);
            } else {
                serve(exchange, fileFor(exchange));
            }
        });
        // Holds the download until the test opens the gate.
        server.createContext("/held/", exchange -> {
            hits(exchange);
            held.countDown();
            try {
                if (!gate.await(WAIT.toSeconds(), TimeUnit.SECONDS)) {
                    status(exchange, 504);
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            serve(exchange, fileFor(exchange));
        });
        server.start();
    }

    @AfterEach
    void stop() {
        gate.countDown();
        for (int i = services.size() - 1; i >= 0; i--) {
            services.get(i).close();
        }
        server.stop(0);
        serverThreads.shutdownNow();
        store.close();
    }

    private int hits(HttpExchange exchange) {
        return hits.computeIfAbsent(exchange.getRequestURI().getPath(), k -> new AtomicInteger())
                .incrementAndGet();
    }

    private int hits(String path) {
        return hits.getOrDefault(path, new AtomicInteger()).get();
    }

    private static Path fileFor(HttpExchange exchange) {
        return exchange.getRequestURI().getPath().endsWith("/a") ? clipA : clipB;
    }

    private static void serve(HttpExchange exchange, Path file) throws IOException {
        byte[] body = Files.readAllBytes(file);
        exchange.getResponseHeaders().set("Content-Type", "video/mp4");
        exchange.sendResponseHeaders(200, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        } catch (IOException e) {
            // The client went away (a cancelled merge): nothing to do.
        }
    }

    private static void status(HttpExchange exchange, int code) throws IOException {
        exchange.sendResponseHeaders(code, -1);
        exchange.close();
    }

    private URI url(String path) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
    }

    private MergeRequest request(String second) {
        return new MergeRequest(
                List.of(url("/clip/a"), url(second)),
                Quality.P480,
                AspectRatio.LANDSCAPE_16_9,
                Fit.PAD,
                Transition.DEFAULT);
    }

    private MergeService service() {
        MergeService service = MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("http://files.invalid/merged/")))
                .workDirectory(dir.resolve("work"))
                .jobStore(store)
                .mergeConcurrency(1)
                .heartbeat(Duration.ofMillis(50))
                .retryBackoff(Duration.ofMillis(50), Duration.ofMillis(100))
                .pollInterval(Duration.ofMillis(100))
                .shutdownGrace(Duration.ZERO)
                .build();
        services.add(service);
        return service;
    }

    private Job job(TaskId id) {
        return store.find(id).orElseThrow(() -> new AssertionError("task " + id + " is not in the store"));
    }

    private static TaskStatus awaitFinal(MergeService service, TaskId id) throws InterruptedException {
        TaskStatus status = service.await(id, WAIT);
        assertTrue(status.status().isFinal(), "task " + id + " is still " + status.status() + " after " + WAIT);
        return status;
    }

    private void awaitHeldDownload() throws InterruptedException {
        assertTrue(held.await(WAIT.toSeconds(), TimeUnit.SECONDS), "the merge never asked for the held clip");
    }

    /** The job folders under every instance folder of the work directory. */
    private List<Path> jobFolders() throws IOException {
        List<Path> found = new ArrayList<>();
        try (Stream<Path> instances = Files.list(dir.resolve("work"))) {
            for (Path instance : instances.filter(Files::isDirectory).toList()) {
                try (Stream<Path> jobs = Files.list(instance)) {
                    found.addAll(jobs.toList());
                }
            }
        }
        return found;
    }

    @Test
    @DisplayName(
            "a submitted merge is pending, then processing with rising progress, then completed with a file that probes")
    void submitRunsToCompletion() throws Exception {
        MergeService service = service();

        TaskId id = service.submit(request("/held/b"));

        Status first = service.status(id).status();
        assertTrue(first == Status.PENDING || first == Status.PROCESSING, first.toString());
        awaitHeldDownload();
        assertEquals(Status.PROCESSING, service.status(id).status());
        gate.countDown();
        List<Double> progress = new ArrayList<>();
        long deadline = System.nanoTime() + WAIT.toNanos();
        TaskStatus status;
        while (!(status = service.status(id)).status().isFinal()) {
            progress.add(status.progress());
            if (System.nanoTime() - deadline > 0) {
                fail("the merge did not finish within " + WAIT);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
        }
        assertEquals(Status.COMPLETED, status.status());
        assertEquals(1.0, status.progress());
        for (int i = 1; i < progress.size(); i++) {
            assertTrue(progress.get(i) >= progress.get(i - 1), "progress went back: " + progress);
        }
        assertTrue(progress.stream().anyMatch(p -> p > 0 && p < 1), "no progress between 0 and 1 was reported");

        MergeResult result = service.result(id);
        assertEquals(URI.create("http://files.invalid/merged/" + id + ".mp4"), result.mergedUrl());
        assertEquals(2, result.clipsMerged());
        Path file = dir.resolve("out").resolve(id + ".mp4");
        assertTrue(Files.isRegularFile(file));
        ClipInfo merged = new Prober(Limits.defaults()).probe(file, 0);
        assertEquals(2 * CLIP_SECONDS - 0.5, merged.durationSeconds(), 0.15);
        assertEquals(854, merged.width());
        assertEquals(480, merged.height());
        assertEquals(List.of(), jobFolders(), "the job's temp files are removed");
    }

    @Test
    @DisplayName("a URL answering 404 fails the task once with DOWNLOAD_FAILED, without a retry")
    void notFoundFailsOnce() throws Exception {
        MergeService service = service();

        TaskId id = service.submit(request("/missing/b"));

        TaskStatus status = awaitFinal(service, id);
        assertEquals(Status.FAILED, status.status());
        assertEquals(java.util.Optional.of(ErrorCode.DOWNLOAD_FAILED), status.reason());
        assertEquals(1, job(id).attempt());
        MergeException e =
                org.junit.jupiter.api.Assertions.assertThrows(MergeException.class, () -> service.result(id));
        assertEquals(ErrorCode.DOWNLOAD_FAILED, e.code());
        assertEquals(List.of(), jobFolders());
    }

    @Test
    @DisplayName("a server answering 503 twice and then 200 lets the task complete on its third attempt")
    void serviceUnavailableIsRetried() throws Exception {
        MergeService service = service();

        TaskId id = service.submit(request("/flaky/b"));

        assertEquals(Status.COMPLETED, awaitFinal(service, id).status());
        assertEquals(3, job(id).attempt());
        assertEquals(3, hits("/flaky/b"));
        assertTrue(Files.isRegularFile(dir.resolve("out").resolve(id + ".mp4")));
    }

    @Test
    @DisplayName("cancelling a running merge fails the task with CANCELLED and removes its temp files")
    void cancelDuringProcessing() throws Exception {
        MergeService service = service();
        TaskId id = service.submit(request("/held/b"));
        awaitHeldDownload();
        assertEquals(1, jobFolders().size(), "the running merge has its folder");

        assertTrue(service.cancel(id));

        TaskStatus status = awaitFinal(service, id);
        assertEquals(Status.FAILED, status.status());
        assertEquals(java.util.Optional.of(ErrorCode.CANCELLED), status.reason());
        assertEquals(JobState.CANCELLED, job(id).state());
        assertEquals(List.of(), jobFolders(), "the cancelled merge's files are removed");
        assertTrue(Files.notExists(dir.resolve("out").resolve(id + ".mp4")));
    }

    @Test
    @DisplayName(
            "closing a service during a merge hands the task back; a second instance on the same store completes it")
    void closeHandsTaskToAnotherInstance() throws Exception {
        MergeService first = service();
        TaskId id = first.submit(request("/held/b"));
        awaitHeldDownload();

        first.close();

        Job handedBack = job(id);
        assertEquals(JobState.PENDING, handedBack.state());
        assertEquals(1, handedBack.attempt());
        assertEquals(List.of(), jobFolders(), "the closed instance leaves no files");
        gate.countDown();
        MergeService second = service();
        assertEquals(Status.COMPLETED, awaitFinal(second, id).status());
        assertEquals(1, job(id).attempt(), "a hand-back spends no attempt");
        assertTrue(Files.isRegularFile(dir.resolve("out").resolve(id + ".mp4")));
    }
}
