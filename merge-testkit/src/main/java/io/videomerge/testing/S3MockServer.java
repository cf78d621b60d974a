package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A real S3-compatible server for tests: Adobe S3Mock's runnable jar in a child JVM, listening on a free loopback
 * port, storing objects in a folder, with the given buckets created.
 *
 * <p>The jar's path comes from the system property {@value #JAR_PROPERTY}, which the build sets (a module that
 * declares maven-dependency-plugin gets the jar in {@code target/s3mock/}). Without it, {@link #start} fails:
 * S3 tests never skip. Start waits for the server's own "Started" line, not for a fixed time.
 */
public final class S3MockServer implements AutoCloseable {
    /** The system property naming S3Mock's runnable jar. */
    public static final String JAR_PROPERTY = "videomerge.s3mock.jar";

    /** How long a start may take: Spring Boot on a busy two-core machine takes half a minute. */
    private static final Duration START_DEADLINE = Duration.ofMinutes(3);

    private final Process process;
    private final URI endpoint;
    private final Path log;

    private S3MockServer(Process process, URI endpoint, Path log) {
        this.process = process;
        this.endpoint = endpoint;
        this.log = log;
    }

    /**
     * Starts S3Mock with its objects in {@code folder} (its log goes beside them, in {@code s3mock.log}).
     *
     * @throws IllegalStateException when the jar is not configured, or the server exits or does not start in time
     */
    public static S3MockServer start(Path folder, String... buckets) throws IOException {
        requireNonNull(folder, "folder");
        String jar = System.getProperty(JAR_PROPERTY);
        if (jar == null || !Files.isRegularFile(Path.of(jar))) {
            throw new IllegalStateException("S3Mock's jar is not at -D" + JAR_PROPERTY + "=" + jar
                    + " (the module's build copies it with maven-dependency-plugin)");
        }
        Files.createDirectories(folder);
        int http = freePort();
        int https = freePort();
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(
                java,
                "-Xmx512m",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar,
                "--server.address=127.0.0.1",
                "--server.port=" + https,
                "--com.adobe.testing.s3mock.httpPort=" + http,
                "--com.adobe.testing.s3mock.store.root="
                        + folder.resolve("store").toAbsolutePath(),
                "--com.adobe.testing.s3mock.store.initial-buckets=" + String.join(",", buckets),
                "--spring.main.banner-mode=off"));
        Path log = folder.resolve("s3mock.log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<Void> started = new CompletableFuture<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader out = new BufferedReader(
                                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
                            Writer file = Files.newBufferedWriter(log)) {
                        for (String line; (line = out.readLine()) != null; ) {
                            file.write(line);
                            file.write('\n');
                            file.flush();
                            if (line.contains("Started S3MockApplication")) {
                                started.complete(null);
                            }
                        }
                    } catch (IOException e) {
                        started.completeExceptionally(new UncheckedIOException(e));
                    }
                    started.completeExceptionally(new IllegalStateException("S3Mock exited before it started"));
                },
                "s3mock-log");
        reader.setDaemon(true);
        reader.start();
        try {
            started.get(START_DEADLINE.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            process.destroyForcibly();
            throw new IllegalStateException("S3Mock did not start (see " + log + ")", e);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while S3Mock started", e);
        }
        return new S3MockServer(process, URI.create("http://127.0.0.1:" + http), log);
    }

    /** The plain-HTTP endpoint, such as {@code http://127.0.0.1:34567}: path-style URLs go below it. */
    public URI endpoint() {
        return endpoint;
    }

    /** The server's output. */
    public Path log() {
        return log;
    }

    /** Stops the server and waits for it to exit. */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    /** A port free now; the child binds it a moment later (a clash there fails the start, loudly). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
