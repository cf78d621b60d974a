package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * merge-server as an operating-system process started from the packaged jar, as the README starts it: the jar
 * named by the system property {@code videomerge.server.jar} (set by the build's process-test run, after
 * {@code package}), with the flags given, its output collected line by line.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");

    private final Process process;
    private final StringBuffer log = new StringBuffer();
    private final CountDownLatch listening = new CountDownLatch(1);
    private volatile int port;

    private ServerProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "server-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /**
     * Starts {@code java -jar merge-server.jar flags...} and waits until it listens.
     *
     * @throws AssertionError when the jar is missing or the server did not listen within {@code deadline}
     */
    static ServerProcess start(List<String> flags, Duration deadline) throws IOException, InterruptedException {
        ServerProcess server = launch(flags);
        server.awaitListening(deadline);
        return server;
    }

    /** Starts {@code java -jar merge-server.jar flags...} without waiting: see {@link #awaitListening}. */
    static ServerProcess launch(List<String> flags) throws IOException {
        Path jar = Path.of(System.getProperty("videomerge.server.jar", "target/merge-server.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged jar " + jar + " exists (mvn verify packages it first)");
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(flags);
        return new ServerProcess(
                new ProcessBuilder(command).redirectErrorStream(true).start());
    }

    /**
     * Waits until the server says it listens.
     *
     * @throws AssertionError, after killing it, when it ended or did not listen within {@code deadline}
     */
    void awaitListening(Duration deadline) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        boolean started = false;
        // Checked in slices, so that a server that refuses its settings and exits is reported at once.
        while (!started && process.isAlive() && System.nanoTime() < end) {
            started = listening.await(100, TimeUnit.MILLISECONDS);
        }
        started = started || listening.getCount() == 0;
        if (!started) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
        assertTrue(started, "the server listened:\n" + log);
    }

    private void read() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                log.append(line).append('\n');
                Matcher m = LISTENING.matcher(line);
                if (listening.getCount() > 0 && m.find()) {
                    port = Integer.parseInt(m.group(1));
                    listening.countDown();
                }
            }
        } catch (IOException e) {
            log.append("(output ended: ").append(e).append(")\n");
        }
    }

    Process process() {
        return process;
    }

    int port() {
        return port;
    }

    /** The loopback URL it listens at. */
    URI base() {
        return URI.create("http://127.0.0.1:" + port);
    }

    /** Everything it printed so far. */
    String log() {
        return log.toString();
    }

    /** Sends SIGTERM and waits for the process to end; its exit value, or -1 when it did not end in time. */
    int stop(Duration deadline) throws InterruptedException {
        process.destroy();
        return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    /** Kills the process if it still runs, and waits for it to be gone. */
    @Override
    public void close() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }
}
