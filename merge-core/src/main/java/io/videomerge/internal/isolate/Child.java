package io.videomerge.internal.isolate;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One child process as the parent sees it: its frames in a queue filled by a reader thread, its stderr drained
 * to the log by another (so the child never blocks on a full pipe), and a kill that waits for the end.
 */
final class Child {
    private static final Logger LOG = LoggerFactory.getLogger(Child.class);
    /** How long a killed child may take to be reaped; the kernel does it in milliseconds. */
    private static final long REAP_SECONDS = 10;

    private static final int REPORT_LINES = 12;

    /** Lines of stderr kept for the log of a crash or a failed start. */
    private static final int STDERR_TAIL = 20;

    final Process process;
    private final java.util.Deque<String> stderrTail = new java.util.ArrayDeque<>();
    final BlockingQueue<Protocol.Frame> frames = new LinkedBlockingQueue<>();
    private final Path workDirectory;

    Child(Process process, String marker, Path workDirectory) {
        this.process = process;
        this.workDirectory = workDirectory;
        long pid = process.pid();
        daemon("videomerge-child-" + pid + "-out", () -> readFrames(process.getInputStream(), marker, pid));
        daemon("videomerge-child-" + pid + "-err", () -> drain(process.getErrorStream(), pid));
    }

    /** The last lines the child wrote to stderr. */
    String stderrTail() {
        synchronized (stderrTail) {
            return String.join("\n", stderrTail);
        }
    }

    void send(String request) throws IOException {
        OutputStream in = process.getOutputStream();
        in.write((request + "\n").getBytes(StandardCharsets.UTF_8));
        in.flush();
    }

    /** Kills the child (no-op when it has ended) and waits until it is gone, keeping the interrupt flag. */
    void kill() {
        process.destroyForcibly();
        boolean interrupted = Thread.interrupted();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(REAP_SECONDS);
            while (process.isAlive() && System.nanoTime() < deadline) {
                try {
                    process.waitFor(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            try {
                process.getOutputStream().close();
            } catch (IOException e) {
                LOG.debug("closing a child's stdin", e);
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The exit status once the child ended by itself (its stdout closed); -1 if it does not end in time. */
    int awaitExit() {
        boolean interrupted = Thread.interrupted();
        try {
            if (process.waitFor(REAP_SECONDS, TimeUnit.SECONDS)) {
                return process.exitValue();
            }
            return -1;
        } catch (InterruptedException e) {
            interrupted = true;
            return -1;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Logs why the child ended, from the JVM's crash report when it wrote one, then removes the report. */
    void reportCrash(int status, int input) {
        Path report = workDirectory.resolve("hs_err_pid" + process.pid() + ".log");
        String summary = "";
        if (Files.exists(report)) {
            try (Stream<String> lines = Files.lines(report, StandardCharsets.ISO_8859_1)) {
                summary = String.join("\n", lines.limit(REPORT_LINES).toList());
            } catch (IOException | java.io.UncheckedIOException e) {
                LOG.debug("reading a crash report", e);
            }
            try {
                Files.deleteIfExists(report);
            } catch (IOException e) {
                LOG.debug("removing a crash report", e);
            }
        }
        String tail = stderrTail();
        LOG.warn(
                "merge process {} ended without an outcome (exit status {}) on input {}{}{}",
                process.pid(),
                status,
                input,
                summary.isEmpty() ? "" : ":\n" + summary,
                tail.isEmpty() ? "" : "\nlast stderr lines:\n" + tail);
    }

    private void readFrames(InputStream out, String marker, long pid) {
        try {
            Optional<String> line;
            while ((line = Protocol.readLine(out)).isPresent()) {
                Optional<Protocol.Frame> frame = Protocol.frame(line.get(), marker);
                if (frame.isPresent()) {
                    frames.add(frame.get());
                } else if (LOG.isDebugEnabled()) {
                    LOG.debug("merge process {} stdout: {}", pid, line.get());
                }
            }
        } catch (IOException e) {
            LOG.debug("merge process {} stdout", pid, e);
        } finally {
            frames.add(Protocol.Frame.END_OF_STREAM);
        }
    }

    private void drain(InputStream err, long pid) {
        try {
            Optional<String> line;
            while ((line = Protocol.readLine(err)).isPresent()) {
                LOG.debug("merge process {}: {}", pid, line.get());
                synchronized (stderrTail) {
                    if (stderrTail.size() == STDERR_TAIL) {
                        stderrTail.removeFirst();
                    }
                    stderrTail.addLast(line.get().length() > 1000 ? line.get().substring(0, 1000) : line.get());
                }
            }
        } catch (IOException e) {
            LOG.debug("merge process {} stderr", pid, e);
        }
    }

    private static void daemon(String name, Runnable body) {
        Thread thread = new Thread(body, name);
        thread.setDaemon(true);
        thread.start();
    }
}
