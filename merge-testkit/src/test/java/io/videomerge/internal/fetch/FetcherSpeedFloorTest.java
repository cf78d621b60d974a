package io.videomerge.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import io.videomerge.Limits;
import io.videomerge.testing.ClipServer;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Fetcher's download speed floor, against a throttling server")
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a speed assertion
class FetcherSpeedFloorTest {
    private static final int FILE_BYTES = 600_000;

    @TempDir
    Path served;

    @TempDir
    Path jobDir;

    private ClipServer server;
    private byte[] file;

    @BeforeEach
    void serve() throws IOException {
        file = new byte[FILE_BYTES];
        new Random(FILE_BYTES).nextBytes(file);
        Files.write(served.resolve("clip.bin"), file);
        Files.write(served.resolve("tiny.bin"), new byte[] {1, 2, 3});
        server = ClipServer.serve(served);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static Limits floor(long bytesPerSecond, Duration window) {
        // The read timeout and the overall deadline stay at their defaults (30 s, 10 min): a test that is not
        // stopped by the floor hangs until the guard above.
        return Limits.builder()
                .allowLoopbackUrls(true)
                .minDownloadSpeed(bytesPerSecond, window)
                .build();
    }

    private Path fetch(Limits limits, URI url, int index, ByteBudget budget) {
        try (Fetcher fetcher = new Fetcher(limits)) {
            return fetcher.fetch(url, index, jobDir, budget);
        }
    }

    private long filesInJobDir() throws IOException {
        try (Stream<Path> files = Files.list(jobDir)) {
            return files.count();
        }
    }

    @Test
    @DisplayName(
            "a trickle of one byte a second fails a 64 KiB/s floor with a retryable DOWNLOAD_TIMEOUT naming the input")
    void trickleFailsTheFloor() throws IOException {
        ByteBudget budget = new ByteBudget(Limits.defaults().maxBytesPerJob());

        FetchException e = assertThrows(
                FetchException.class,
                () -> fetch(floor(64 * 1024, Duration.ofSeconds(1)), server.throttledUrl("clip.bin", 1), 2, budget));

        assertEquals(ErrorCode.DOWNLOAD_TIMEOUT, e.code(), e.getMessage());
        assertTrue(e.isRetryable());
        assertEquals(OptionalInt.of(2), e.inputIndex());
        assertTrue(e.getMessage().startsWith("Input 2: the download averaged "), e.getMessage());
        assertTrue(e.getMessage().endsWith(" B/s over the last 1 s, below the floor of 65536 B/s"), e.getMessage());
        assertEquals(0, filesInJobDir(), "the partial file is deleted");
        assertEquals(0, budget.used());
    }

    @Test
    @DisplayName("a source throttled above the floor downloads intact across several windows")
    void throttledAboveTheFloorDownloads() throws IOException {
        Path saved = fetch(
                floor(16 * 1024, Duration.ofSeconds(1)),
                server.throttledUrl("clip.bin", 256 * 1024),
                0,
                new ByteBudget(FILE_BYTES));

        assertArrayEquals(file, Files.readAllBytes(saved));
    }

    @Test
    @DisplayName("a floor of 0 lets a slow download of a small file through, however many windows it takes")
    void zeroFloorIsOff() throws IOException {
        Path saved = fetch(floor(0, Duration.ofSeconds(1)), server.throttledUrl("tiny.bin", 1), 1, new ByteBudget(3));

        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(saved));
    }

    @Test
    @DisplayName("a download that ends within its first window is never judged, even against an unreachable floor")
    void quickDownloadIsNeverJudged() throws IOException {
        Path saved = fetch(
                floor(Long.MAX_VALUE, Duration.ofSeconds(30)), server.url("clip.bin"), 0, new ByteBudget(FILE_BYTES));

        assertArrayEquals(file, Files.readAllBytes(saved));
    }
}
