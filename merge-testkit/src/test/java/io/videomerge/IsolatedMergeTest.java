package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.internal.DefaultMergeService;
import io.videomerge.internal.isolate.ChildProcessStep;
import io.videomerge.internal.isolate.ScriptedChild;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.WorkFolders;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@link Isolation#process()}: merges in child JVMs, and what happens when a child crashes, hangs or is stopped. */
class IsolatedMergeTest {
    private static final Duration DEADLINE = Duration.ofMinutes(2);

    @TempDir
    static Path served;

    private static ClipServer server;

    @TempDir
    Path dir;

    @BeforeAll
    static void serveClips() throws IOException {
        ClipGenerator.write(ClipSpec.of(640, 360).withFps(30).withDuration(1.5).withEvents(0.7), served, "a");
        ClipGenerator.write(ClipSpec.of(480, 640).withFps(24).withDuration(1.5).withEvents(0.7), served, "b");
        Files.writeString(served.resolve("crash.mp4"), ScriptedChild.CRASH + " this upload brings the decoder down");
        Files.writeString(served.resolve("oom.mp4"), ScriptedChild.OOM + " this upload exhausts the child's heap");
        Files.writeString(served.resolve("hang.mp4"), ScriptedChild.HANG + " this upload never finishes");
        server = ClipServer.serve(served);
    }

    @AfterAll
    static void stop() {
        server.close();
    }

    private MergeService service(Isolation isolation) {
        return service(isolation, Limits.builder().allowLoopbackUrls(true).build());
    }

    private MergeService service(Isolation isolation, Limits limits) {
        return MergeService.builder()
                .limits(limits)
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/merged/")))
                .workDirectory(dir.resolve("work"))
                .isolation(isolation)
                .build();
    }

    private Isolation scripted(Isolation isolation) {
        return IsolationHooks.scripted(isolation, dir.resolve("markers"));
    }

    private List<Long> markedPids() throws IOException {
        return ScriptedChild.markedPids(dir.resolve("markers"));
    }

    private static MergeRequest request(String... names) {
        List<URI> urls = new ArrayList<>();
        for (String name : names) {
            urls.add(server.url(name));
        }
        return MergeRequest.of(urls).withQuality(Quality.P480);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    private static void awaitCondition(BooleanSupplier condition, String what) {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (!condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, "timed out waiting until " + what);
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private void assertWorkFolderEmpty() {
        WorkFolders.assertNothingLeft(dir.resolve("work"), "job-", "hs_err");
    }

    @Test
    @DisplayName("the library's builder runs merges in-process unless isolation is asked for, and starts no child")
    void libraryDefaultIsInProcess() {
        try (MergeService service = MergeService.builder()
                .uploader(new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/")))
                .workDirectory(dir.resolve("work"))
                .build()) {
            assertFalse(((DefaultMergeService) service).media() instanceof ChildProcessStep);
        }
        assertThrows(NullPointerException.class, () -> MergeService.builder().isolation(null));
        assertThrows(IllegalArgumentException.class, () -> Isolation.process().withMaxHeapBytes(1 << 20));
        assertThrows(IllegalArgumentException.class, () -> Isolation.process().withTimeout(Duration.ZERO));
    }

    @Test
    @DisplayName("an isolated merge gives the same result as an in-process one")
    void isolatedMergeMatchesInProcess() throws IOException {
        MergeRequest request = request("a.mp4", "b.mp4").withQuality(Quality.P720);
        MergeResult local;
        try (MergeService service = service(Isolation.inProcess())) {
            local = service.merge(request);
        }
        MergeResult isolated;
        try (MergeService service = service(Isolation.process().withWarmSpare(false))) {
            isolated = service.merge(request);
        }
        assertEquals(local.durationSeconds(), isolated.durationSeconds(), 1e-9);
        assertEquals(local.clipsMerged(), isolated.clipsMerged());
        assertEquals(local.streamCopied(), isolated.streamCopied());
        Path file = dir.resolve("out")
                .resolve(Path.of(isolated.mergedUrl().getPath()).getFileName().toString());
        assertTrue(Files.size(file) > 0);
        assertWorkFolderEmpty();
    }

    @Test
    @DisplayName("progress of a merge in a child arrives in the parent, rising to the end")
    void progressArrivesInTheParent() {
        List<Double> seen = new CopyOnWriteArrayList<>();
        try (MergeService service = service(Isolation.process().withWarmSpare(false))) {
            ((DefaultMergeService) service).pipeline().run(request("a.mp4", "b.mp4"), "progress", seen::add);
        }
        assertTrue(seen.size() > 2, "several progress reports: " + seen);
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), "progress never decreases: " + seen);
        }
        assertEquals(1.0, seen.get(seen.size() - 1), 0.02);
    }

    @Test
    @DisplayName("a child that crashes in native code fails its merge with INPUT_CRASHED_DECODER after exactly two "
            + "children tried; the next merge of the same service completes")
    void crashingChildFailsItsMergeAlone() throws IOException {
        try (MergeService service = service(scripted(Isolation.process()))) {
            MergeException e = assertThrows(MergeException.class, () -> service.merge(request("a.mp4", "crash.mp4")));
            assertEquals(ErrorCode.INPUT_CRASHED_DECODER, e.code());
            assertEquals(1, e.inputIndex().orElseThrow());
            assertFalse(e.isRetryable());
            assertEquals("the decoder crashed on input 1, twice", e.getMessage());
            assertEquals(2, markedPids().size(), "two children took the request");

            MergeResult next = service.merge(request("a.mp4", "b.mp4"));
            assertEquals(2, next.clipsMerged());
        }
        assertWorkFolderEmpty();
    }

    @Test
    @DisplayName("a child that runs out of heap counts as a crash: INPUT_CRASHED_DECODER after two children")
    void outOfMemoryIsACrash() throws IOException {
        try (MergeService service =
                service(scripted(Isolation.process().withWarmSpare(false).withMaxHeapBytes(64L << 20)))) {
            MergeException e = assertThrows(MergeException.class, () -> service.merge(request("oom.mp4", "a.mp4")));
            assertEquals(ErrorCode.INPUT_CRASHED_DECODER, e.code());
            assertEquals(0, e.inputIndex().orElseThrow());
            assertEquals(2, markedPids().size());
        }
    }

    @Test
    @DisplayName("interrupting a merge kills its child at once and fails the merge with CANCELLED")
    void interruptKillsTheChild() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        try (MergeService service = service(scripted(Isolation.process().withWarmSpare(false)))) {
            Thread merging = new Thread(() -> {
                try {
                    service.merge(request("a.mp4", "hang.mp4"));
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            merging.start();
            awaitCondition(() -> !pids().isEmpty(), "the child took the request");
            long pid = pids().get(0);
            assertTrue(alive(pid));
            merging.interrupt();
            merging.join(DEADLINE.toMillis());
            assertFalse(merging.isAlive(), "the merge stopped");
            assertFalse(alive(pid), "the child is gone");
        }
        assertEquals(
                ErrorCode.CANCELLED,
                assertInstanceOf(MergeException.class, thrown.get()).code());
        assertWorkFolderEmpty();
    }

    @Test
    @DisplayName(
            "a merge process gets malloc settings that give freed pictures back to the system, unless the service's"
                    + " own environment names them")
    void childMallocSettings() throws IOException {
        try (MergeService service = service(Isolation.process())) {
            ChildProcessStep step = (ChildProcessStep) ((DefaultMergeService) service).media();
            awaitCondition(() -> step.livePids().size() == 1, "the warm spare started");
            long pid = step.livePids().get(0);
            // Until the spare's JVM is exec'd, /proc shows the launcher's environment.
            awaitCondition(() -> commandLine(pid).contains("ChildMain"), "the spare's JVM runs");
            List<String> environment = Stream.of(
                            new String(Files.readAllBytes(Path.of("/proc/" + pid + "/environ")), StandardCharsets.UTF_8)
                                    .split("\0"))
                    .filter(variable -> variable.startsWith("MALLOC_"))
                    .toList();
            for (String[] setting : new String[][] {{"MALLOC_ARENA_MAX", "2"}, {"MALLOC_MMAP_THRESHOLD_", "131072"}}) {
                String expected = setting[0] + "=" + Objects.requireNonNullElse(System.getenv(setting[0]), setting[1]);
                assertTrue(environment.contains(expected), expected + " in " + environment);
            }
        }
    }

    private static String commandLine(long pid) {
        try {
            return new String(Files.readAllBytes(Path.of("/proc/" + pid + "/cmdline")), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Test
    @DisplayName("closing the service leaves no child behind: neither a running merge's nor the warm spare")
    void closeLeavesNoChild() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        MergeService service = service(scripted(Isolation.process()));
        ChildProcessStep step = (ChildProcessStep) ((DefaultMergeService) service).media();
        Thread merging = new Thread(() -> {
            try {
                service.merge(request("hang.mp4", "a.mp4"));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        merging.start();
        awaitCondition(
                () -> !pids().isEmpty() && step.livePids().size() == 2,
                "the child took the request and a " + "spare waits");
        List<Long> children = step.livePids();
        service.close();
        merging.join(DEADLINE.toMillis());
        assertFalse(merging.isAlive(), "the merge stopped");
        for (long pid : children) {
            assertFalse(alive(pid), "child " + pid + " is gone");
        }
        assertEquals(List.of(), step.livePids());
        assertEquals(
                ErrorCode.CANCELLED,
                assertInstanceOf(MergeException.class, thrown.get()).code());
    }

    @Test
    @DisplayName(
            "a child over its wall-clock budget is killed and the merge fails with PROCESSING_FAILED, " + "not retried")
    void childOverBudgetIsKilled() throws IOException {
        try (MergeService service =
                service(scripted(Isolation.process().withWarmSpare(false).withTimeout(Duration.ofSeconds(5))))) {
            ChildProcessStep step = (ChildProcessStep) ((DefaultMergeService) service).media();
            MergeException e = assertThrows(MergeException.class, () -> service.merge(request("a.mp4", "hang.mp4")));
            assertEquals(ErrorCode.PROCESSING_FAILED, e.code());
            assertEquals("the merge took longer than its time budget of 5 s", e.getMessage());
            assertFalse(e.isRetryable());
            assertEquals(1, step.childrenStarted());
            assertEquals(List.of(), step.livePids());
            for (long pid : markedPids()) {
                assertFalse(alive(pid));
            }
        }
        assertWorkFolderEmpty();
    }

    @ParameterizedTest(name = "isolated: {0}")
    @ValueSource(booleans = {false, true})
    @DisplayName("a merge over the deadline its output earns fails PROCESSING_TIMEOUT, not retryable, whether it ran"
            + " in-process or in a child")
    void deadlineHoldsInProcessAndInAChild(boolean isolated) throws IOException {
        Limits limits = Limits.builder()
                .allowLoopbackUrls(true)
                .processingDeadline(Duration.ofNanos(1), Duration.ofNanos(1))
                .build();
        Isolation isolation = isolated ? Isolation.process().withWarmSpare(false) : Isolation.inProcess();
        try (MergeService service = service(isolation, limits)) {
            MergeException e = assertThrows(MergeException.class, () -> service.merge(request("a.mp4", "b.mp4")));
            assertEquals(ErrorCode.PROCESSING_TIMEOUT, e.code());
            assertFalse(e.isRetryable());
            assertTrue(e.getMessage().startsWith("the merge took longer than the <1ms deadline its "), e.getMessage());
            if (isolated) {
                ChildProcessStep step = (ChildProcessStep) ((DefaultMergeService) service).media();
                assertEquals(1, step.childrenStarted(), "the child answered; nothing was run again");
            }
        }
        assertWorkFolderEmpty();
    }

    private List<Long> pids() {
        try {
            return markedPids();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
