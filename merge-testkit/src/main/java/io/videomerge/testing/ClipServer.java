package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Serves the files of one folder over HTTP on the loopback interface (an ephemeral port), so that merges
 * download generated clips the way they download real ones. Unknown names answer 404. Pair it with
 * {@code Limits.builder().allowLoopbackUrls(true)}.
 *
 * <p>A file asked for through {@link #heldUrl} is held: the first such request waits until
 * {@link #release()}, so a test can know a merge is mid-download ({@link #awaitHeld}) without sleeping.
 * A file asked for through {@link #throttledUrl} is sent no faster than the given rate on each connection:
 * a slow or trickling source.
 */
public final class ClipServer implements AutoCloseable {
    private static final String HELD = "held/";
    private static final String RATE = "rate/";
    /** A throttled body is written in slices this far apart. */
    private static final long SLICE_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Path folder;
    private final HttpServer server;
    private final AtomicBoolean firstHeld = new AtomicBoolean();
    private final CountDownLatch held = new CountDownLatch(1);
    private final CountDownLatch gate = new CountDownLatch(1);
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "clip-server");
        t.setDaemon(true);
        return t;
    });

    private ClipServer(Path folder) throws IOException {
        this.folder = folder.toAbsolutePath().normalize();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            try (exchange) {
                String name = exchange.getRequestURI().getPath().substring(1);
                long rate = Long.MAX_VALUE;
                if (name.startsWith(RATE)) {
                    int slash = name.indexOf('/', RATE.length());
                    rate = Long.parseLong(name.substring(RATE.length(), slash));
                    name = name.substring(slash + 1);
                }
                if (name.startsWith(HELD)) {
                    name = name.substring(HELD.length());
                    if (firstHeld.compareAndSet(false, true)) {
                        held.countDown();
                        try {
                            gate.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                }
                Path file = this.folder.resolve(name).normalize();
                if (!file.startsWith(this.folder) || !Files.isRegularFile(file)) {
                    exchange.sendResponseHeaders(404, -1);
                    return;
                }
                exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
                exchange.sendResponseHeaders(200, Files.size(file));
                // Large writes: the JDK server's stream is slow with Files.copy's 8 KiB chunks.
                try (InputStream in = Files.newInputStream(file);
                        OutputStream body = exchange.getResponseBody()) {
                    if (rate == Long.MAX_VALUE) {
                        byte[] buffer = new byte[1 << 20];
                        for (int n; (n = in.read(buffer)) > 0; ) {
                            body.write(buffer, 0, n);
                        }
                    } else {
                        sendThrottled(in, body, rate);
                    }
                }
            }
        });
        server.setExecutor(executor);
        server.start();
    }

    /** Starts serving {@code folder}. */
    public static ClipServer serve(Path folder) {
        requireNonNull(folder, "folder");
        try {
            return new ClipServer(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the clip server", e);
        }
    }

    /** The URL of {@code name} in the served folder, for example {@code http://127.0.0.1:41234/a.mp4}. */
    public URI url(String name) {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + requireNonNull(name, "name"));
    }

    /** Like {@link #url}, but the first request for any held URL waits until {@link #release()}. */
    public URI heldUrl(String name) {
        return url(HELD + requireNonNull(name, "name"));
    }

    /**
     * Like {@link #url}, but the body is sent at no more than {@code bytesPerSecond} on each connection (1 is a
     * trickle: one byte a second).
     */
    public URI throttledUrl(String name, long bytesPerSecond) {
        if (bytesPerSecond < 1) {
            throw new IllegalArgumentException("bytesPerSecond must be >= 1: " + bytesPerSecond);
        }
        return url(RATE + bytesPerSecond + "/" + requireNonNull(name, "name"));
    }

    /** Waits until the first held request has arrived; false when it did not within {@code timeout}. */
    public boolean awaitHeld(Duration timeout) throws InterruptedException {
        return held.await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Lets the held request, and every later one, through. */
    public void release() {
        gate.countDown();
    }

    /** Writes {@code in} in slices, never ahead of {@code rate} bytes a second since the first byte. */
    private static void sendThrottled(InputStream in, OutputStream body, long rate) throws IOException {
        long start = System.nanoTime();
        long sent = 0;
        byte[] slice = new byte[(int) Math.max(1, Math.min(1 << 20, rate * SLICE_NANOS / TimeUnit.SECONDS.toNanos(1)))];
        for (int n; (n = in.read(slice)) > 0; ) {
            long due = start + (long) ((double) (sent + n) / rate * TimeUnit.SECONDS.toNanos(1));
            for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
                java.util.concurrent.locks.LockSupport.parkNanos(wait);
                if (Thread.currentThread().isInterrupted()) {
                    return;
                }
            }
            body.write(slice, 0, n);
            body.flush();
            sent += n;
        }
    }

    @Override
    public void close() {
        gate.countDown();
        server.stop(0);
        executor.shutdownNow();
    }
}
