package io.videomerge.store.redis;

import static org.junit.jupiter.api.Assertions.fail;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * A redis-server of a test's own, on a free port and a data folder of the test's, that can be killed
 * and started again.
 */
final class RedisProcess implements AutoCloseable {
    static final Duration DEADLINE = Duration.ofSeconds(30);

    private final int port;
    private final Path dir;
    private final List<String> options;
    private Process process;

    RedisProcess(Path dir, String... options) {
        this.port = freePort();
        this.dir = dir;
        this.options = List.of(options);
    }

    int port() {
        return port;
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Starts the server and returns once it answers PING (it answers LOADING until its data is read). */
    RedisProcess start() {
        List<String> command = new ArrayList<>(List.of(
                "redis-server",
                "--port",
                Integer.toString(port),
                "--bind",
                "127.0.0.1",
                "--dir",
                dir.toString(),
                "--logfile",
                dir.resolve("redis.log").toString(),
                "--daemonize",
                "no",
                "--save",
                ""));
        command.addAll(options);
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("redis.out").toFile())
                    .start();
        } catch (IOException e) {
            fail("redis-server could not be started (is it installed and on the PATH?)", e);
        }
        RedisClient probe = RedisClient.create(RedisURI.builder(RedisURI.create(uri()))
                .withTimeout(Duration.ofSeconds(1))
                .build());
        try {
            awaitCondition("redis-server on port " + port + " answers", () -> {
                if (!process.isAlive()) {
                    fail("redis-server exited at start; see " + dir.resolve("redis.log"));
                }
                try (StatefulRedisConnection<String, String> c = probe.connect()) {
                    return "PONG".equals(c.sync().ping());
                } catch (RedisException e) {
                    return false;
                }
            });
        } finally {
            probe.shutdown();
        }
        return this;
    }

    /** Kills the server with SIGKILL, the way a crash or an OOM killer would, and waits until it is gone. */
    void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                fail("redis-server did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }

    /** Polls {@code condition} until it holds, failing the test at the deadline. */
    static void awaitCondition(String what, BooleanSupplier condition) {
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!condition.getAsBoolean()) {
            if (Instant.now().isAfter(deadline)) {
                fail("gave up waiting until " + what);
            }
            // A short pause between polls; the condition, not the pause, is what the test waits on.
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
