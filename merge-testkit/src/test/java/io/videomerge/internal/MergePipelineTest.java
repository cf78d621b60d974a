package io.videomerge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.encode.ProgressListener;
import io.videomerge.spi.Uploader;
import io.videomerge.testing.ClipDamage;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipMutations;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** How a merge fails and stops: stable codes naming the input, interruption, and no files left behind. */
class MergePipelineTest {
    @TempDir
    static Path clips;

    private static Path good;
    private static Path garbage;
    private static Path longer;

    @TempDir
    Path work;

    @BeforeAll
    static void generateClips() throws IOException {
        good = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), clips, "good");
        longer = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(6.0).withFps(30), clips, "longer");
        garbage = Files.write(
                clips.resolve("garbage.mp4"),
                "this is not a video, only text".repeat(100).getBytes());
    }

    private static List<URI> urls(Path... files) {
        List<URI> urls = new ArrayList<>();
        for (Path f : files) {
            urls.add(f.toUri());
        }
        return urls;
    }

    /** A pipeline whose downloads copy the local files the test's URLs name. */
    private MergePipeline pipeline(Limits limits, Uploader uploader) {
        MergePipeline.Download local = (url, index, jobDir, budget) -> {
            try {
                return Files.copy(Path.of(url), jobDir.resolve("clip-" + index + ".bin"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        return new MergePipeline(limits, uploader, work.resolve("jobs"), Clock.systemUTC(), local);
    }

    private FileSystemUploader uploader() {
        return new FileSystemUploader(work.resolve("uploads"), URI.create("http://files.invalid/"));
    }

    private void assertNoJobFiles() throws IOException {
        try (Stream<Path> left = Files.list(work.resolve("jobs"))) {
            assertEquals(0, left.count(), "job folders are removed");
        }
    }

    @Test
    @DisplayName("the job folder downloads land in, and the work directory it creates, are the owner's alone (0700)")
    void jobFolderIsOwnerOnly() throws IOException {
        List<String> modes = new ArrayList<>();
        MergePipeline.Download recording = (url, index, jobDir, budget) -> {
            try {
                modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobDir)));
                modes.add(PosixFilePermissions.toString(Files.getPosixFilePermissions(jobDir.getParent())));
                return Files.copy(Path.of(url), jobDir.resolve("clip-" + index + ".bin"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        };
        MergePipeline pipeline =
                new MergePipeline(Limits.defaults(), uploader(), work.resolve("jobs"), Clock.systemUTC(), recording);

        try (MergePipeline.Inputs inputs = pipeline.fetch(MergeRequest.of(urls(good, longer)), "out", report -> {})) {
            assertEquals(List.of("rwx------", "rwx------", "rwx------", "rwx------"), modes);
        }
        assertNoJobFiles();
    }

    @Test
    @DisplayName("an input that is not media fails with INVALID_MEDIA naming its index, and no path in the message")
    void invalidMediaNamesTheInput() throws IOException {
        MergeRequest request = MergeRequest.of(urls(good, garbage));
        MergeException e = assertThrows(
                MergeException.class,
                () -> pipeline(Limits.defaults(), uploader()).run(request, "out", ProgressListener.NONE));
        assertEquals(ErrorCode.INVALID_MEDIA, e.code());
        assertEquals(1, e.inputIndex().orElseThrow());
        assertFalse(e.getMessage().contains(clips.toString()), e.getMessage());
        assertFalse(e.getMessage().contains("/"), e.getMessage());
        assertNoJobFiles();
    }

    @Test
    @DisplayName("an input whose video stops decoding well before its stated length fails with INVALID_MEDIA")
    void truncatedInputIsRefused() throws IOException {
        // A merged file has its index at the front, so that cutting its tail leaves it probeable.
        MergeRequest first = MergeRequest.of(urls(good, longer)).withQuality(Quality.P480);
        pipeline(Limits.defaults(), uploader()).run(first, "whole", ProgressListener.NONE);
        byte[] whole = Files.readAllBytes(work.resolve("uploads").resolve("whole.mp4"));
        Path cut = Files.write(work.resolve("cut.mp4"), java.util.Arrays.copyOf(whole, whole.length / 2));

        MergeRequest second = MergeRequest.of(urls(good, cut)).withQuality(Quality.P480);
        MergeException e = assertThrows(
                MergeException.class,
                () -> pipeline(Limits.defaults(), uploader()).run(second, "out", ProgressListener.NONE));
        assertEquals(ErrorCode.INVALID_MEDIA, e.code());
        assertEquals(1, e.inputIndex().orElseThrow());
        assertNoJobFiles();
    }

    @Test
    @DisplayName(
            "a clip cut after its front index, in a merge that would be a stream copy, fails as truncated naming it")
    void truncatedClipOnTheCopyPathIsRefused() throws IOException {
        ClipSpec spec = ClipSpec.of(1280, 720).withFps(30).withDuration(4);
        Path whole = ClipGenerator.write(spec, work, "copy-whole");
        Path cut = ClipMutations.truncateMediaData(ClipGenerator.write(spec, work, "copy-cut"), 0.7);
        MergeRequest request =
                MergeRequest.of(urls(whole, cut)).withQuality(Quality.P720).withTransition(Transition.none());
        MergeException e = assertThrows(
                MergeException.class,
                () -> pipeline(Limits.defaults(), uploader()).run(request, "out", ProgressListener.NONE));
        assertEquals(ErrorCode.INVALID_MEDIA, e.code());
        assertEquals(1, e.inputIndex().orElseThrow());
        assertTrue(e.getMessage().contains("truncated or partly undecodable"), e.getMessage());
        assertNoJobFiles();
        assertFalse(Files.exists(work.resolve("uploads").resolve("out.mp4")));
    }

    @Test
    @DisplayName("a clip cut within the tolerance, in a merge that would be a stream copy, is re-encoded, not copied")
    void slightlyCutClipFallsBackToReencoding() {
        ClipSpec spec = ClipSpec.of(1280, 720).withFps(30).withDuration(4);
        Path whole = ClipGenerator.write(spec, work, "copy-whole");
        Path cut = ClipMutations.truncateMediaData(ClipGenerator.write(spec, work, "copy-cut"), 0.9);
        MergeRequest request =
                MergeRequest.of(urls(whole, cut)).withQuality(Quality.P720).withTransition(Transition.none());
        MergeResult result = pipeline(Limits.defaults(), uploader()).run(request, "out", ProgressListener.NONE);
        assertFalse(result.streamCopied(), "the copy refuses the damaged clip");
        assertTrue(
                result.durationSeconds() > 7 && result.durationSeconds() < 8, "duration " + result.durationSeconds());
    }

    @Test
    @DisplayName("a clip whose first audio packet does not decode is merged, that packet skipped")
    void undecodableFirstAudioPacketIsSkipped() {
        Path broken = ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), work, "broken-audio");
        ClipDamage.corruptAudioPacket(broken, 0);
        MergeResult result = pipeline(Limits.defaults(), uploader())
                .run(
                        MergeRequest.of(urls(broken, good)).withTransition(Transition.none()),
                        "out",
                        ProgressListener.NONE);
        assertEquals(2.0, result.durationSeconds(), 1.0 / 30);
    }

    @Test
    @DisplayName("inputs lasting longer together than the limit fail with INPUT_TOO_LONG before encoding")
    void totalDurationIsLimited() throws IOException {
        Limits limits = Limits.builder().maxTotalDuration(Duration.ofSeconds(5)).build();
        MergeException e = assertThrows(
                MergeException.class,
                () -> pipeline(limits, uploader())
                        .run(MergeRequest.of(urls(good, longer)), "out", ProgressListener.NONE));
        assertEquals(ErrorCode.INPUT_TOO_LONG, e.code());
        assertNoJobFiles();
        assertFalse(Files.exists(work.resolve("uploads").resolve("out.mp4")));
    }

    @Test
    @DisplayName("an uploader that fails makes the merge fail with UPLOAD_FAILED, retryable, files removed")
    void uploadFailureIsReported() throws IOException {
        Uploader broken = (file, name) -> {
            throw new IOException("disk full");
        };
        MergeException e = assertThrows(
                MergeException.class,
                () -> pipeline(Limits.defaults(), broken)
                        .run(
                                MergeRequest.of(urls(good, good)).withTransition(Transition.none()),
                                "out",
                                ProgressListener.NONE));
        assertEquals(ErrorCode.UPLOAD_FAILED, e.code());
        assertTrue(e.isRetryable());
        assertNoJobFiles();
    }

    @Test
    @DisplayName("progress rises from 0 to 1 and never goes back")
    void progressIsMonotonic() {
        List<Double> seen = new ArrayList<>();
        pipeline(Limits.defaults(), uploader()).run(MergeRequest.of(urls(good, longer)), "out", seen::add);
        assertTrue(seen.size() > 3, seen.toString());
        for (int i = 1; i < seen.size(); i++) {
            assertTrue(seen.get(i) >= seen.get(i - 1), seen.toString());
        }
        assertEquals(1.0, seen.get(seen.size() - 1), 1e-9);
    }

    @Test
    @DisplayName("interrupting the merging thread stops it promptly with CANCELLED and leaves no file")
    void interruptionStopsAndCleansUp() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean stillInterrupted = new AtomicBoolean();
        MergeRequest request = MergeRequest.of(urls(longer, longer, longer));
        Thread merging = new Thread(() -> {
            try {
                pipeline(Limits.defaults(), uploader()).run(request, "out", fraction -> started.countDown());
            } catch (Throwable t) {
                thrown.set(t);
                stillInterrupted.set(Thread.currentThread().isInterrupted());
            }
        });
        merging.start();
        assertTrue(started.await(120, TimeUnit.SECONDS), "the merge reported progress");
        merging.interrupt();
        merging.join(TimeUnit.SECONDS.toMillis(30));
        assertFalse(merging.isAlive(), "the merge stopped");
        MergeException e = assertThrows(MergeException.class, () -> {
            throw thrown.get();
        });
        assertEquals(ErrorCode.CANCELLED, e.code());
        assertTrue(stillInterrupted.get(), "the interrupt flag stays set for the caller");
        assertNoJobFiles();
        assertFalse(Files.exists(work.resolve("uploads").resolve("out.mp4")));
    }
}
