package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.testing.ClipAnalyzer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.WorkFolders;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link MergeService#merge} end to end: clips downloaded over (loopback) HTTP, merged, uploaded. */
class MergeServiceTest {
    @TempDir
    static Path served;

    private static ClipServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void serveClips() {
        ClipGenerator.write(ClipSpec.of(640, 360).withFps(30).withDuration(1.5).withEvents(0.7), served, "a");
        ClipGenerator.write(ClipSpec.of(480, 640).withFps(24).withDuration(1.5).withEvents(0.7), served, "b");
        ClipGenerator.write(ClipSpec.of(320, 240).withFps(30).withDuration(20), served, "long");
        server = ClipServer.serve(served);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private static URI url(String name) {
        return server.url(name);
    }

    private MergeService service() {
        return MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/merged/")))
                .workDirectory(dir.resolve("work"))
                .build();
    }

    private void assertWorkFolderEmpty() {
        WorkFolders.assertNothingLeft(dir.resolve("work"), "job-", "clip-");
    }

    @Test
    @DisplayName("merge downloads, merges with a fade and uploads; the result describes the written file")
    void mergesOverHttp() throws IOException {
        MergeResult result;
        try (MergeService service = service()) {
            result = service.merge(new MergeRequest(
                    List.of(url("a.mp4"), url("b.mp4")),
                    Quality.P720,
                    AspectRatio.LANDSCAPE_16_9,
                    Fit.PAD,
                    Transition.DEFAULT));
        }
        assertTrue(
                result.mergedUrl().toString().matches("https://cdn\\.example\\.com/merged/[a-z0-9-]+\\.mp4"),
                result.mergedUrl().toString());
        Path file = dir.resolve("out")
                .resolve(Path.of(result.mergedUrl().getPath()).getFileName().toString());
        ClipAnalyzer out = ClipAnalyzer.analyze(file);
        assertEquals(1280, out.info().width());
        assertEquals(1.5 + 1.5 - 0.5, result.durationSeconds(), 1.0 / 30);
        assertEquals(out.info().durationSeconds(), result.durationSeconds(), 1e-9);
        assertEquals(2, result.clipsMerged());
        assertFalse(result.streamCopied());
        assertEquals(2, out.beepInstants().size());
        assertWorkFolderEmpty();
    }

    @Test
    @DisplayName("a URL answering 404 fails the merge with DOWNLOAD_FAILED naming its index")
    void missingInputNamesItsIndex() throws IOException {
        try (MergeService service = service()) {
            MergeException e = assertThrows(
                    MergeException.class,
                    () -> service.merge(MergeRequest.of(List.of(url("a.mp4"), url("missing.mp4")))));
            assertEquals(ErrorCode.DOWNLOAD_FAILED, e.code());
            assertEquals(1, e.inputIndex().orElseThrow());
        }
        assertWorkFolderEmpty();
    }

    @Test
    @DisplayName("loopback URLs are refused unless the limits allow them")
    void loopbackIsRefusedByDefault() {
        try (MergeService service = MergeService.builder()
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/")))
                .workDirectory(dir.resolve("work"))
                .build()) {
            MergeException e = assertThrows(
                    MergeException.class, () -> service.merge(MergeRequest.of(List.of(url("a.mp4"), url("b.mp4")))));
            assertEquals(ErrorCode.URL_FORBIDDEN, e.code());
        }
    }

    @Test
    @DisplayName("interrupting a merge() stops it with CANCELLED and leaves no temporary file")
    void interruptedMergeLeavesNothing() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Path work = dir.resolve("work");
        try (MergeService service = service()) {
            Thread merging = new Thread(() -> {
                try {
                    service.merge(MergeRequest.of(List.of(url("long.mp4"), url("long.mp4"))));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            merging.start();
            // Encoding has begun once the job folder holds the merged file being written.
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (!encoding(work) && System.nanoTime() < deadline && merging.isAlive()) {
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            assertTrue(encoding(work), "the merge reached the encoder");
            merging.interrupt();
            merging.join(TimeUnit.SECONDS.toMillis(30));
            assertFalse(merging.isAlive(), "the merge stopped");
        }
        assertEquals(ErrorCode.CANCELLED, ((MergeException) thrown.get()).code());
        assertWorkFolderEmpty();
        try (Stream<Path> out = Files.exists(dir.resolve("out")) ? Files.list(dir.resolve("out")) : Stream.empty()) {
            assertEquals(0, out.count(), "nothing was uploaded");
        }
    }

    private static boolean encoding(Path work) {
        try (Stream<Path> files = Files.exists(work) ? Files.walk(work) : Stream.empty()) {
            return files.anyMatch(p -> p.getFileName().toString().equals("merged.mp4"));
        } catch (IOException | java.io.UncheckedIOException e) {
            return false;
        }
    }
}
