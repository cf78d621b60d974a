package io.videomerge.internal.media;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.media.MediaStep.MediaOutcome;
import io.videomerge.internal.media.MediaStep.PosterTarget;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every native allocation a merge makes through JavaCPP is freed by the merge itself, not left for the garbage
 * collector: JavaCPP counts the allocations it will free when their Java objects are collected
 * ({@link Pointer#totalCount()}, {@link Pointer#totalBytes()}), and those counts are no higher after a merge than
 * before it. Memory held until a collection that a merge's small heap rarely needs is memory a long-running process
 * cannot count on getting back.
 */
@DisplayName("Native memory of a merge")
class NativeMemoryTest {
    private static final int MERGES = 3;

    @TempDir
    static Path clips;

    private static Path withAudio;
    private static Path otherSize;
    private static Path silent;
    private static Path canvasSized;

    @TempDir
    Path dir;

    @BeforeAll
    static void generateClips() {
        withAudio = ClipGenerator.write(ClipSpec.of(320, 240).withFps(25).withDuration(1), clips, "stereo");
        otherSize = ClipGenerator.write(
                ClipSpec.of(240, 320).withFps(24).withDuration(1).withAudio(ClipSpec.Audio.MONO, 44_100),
                clips,
                "mono");
        silent = ClipGenerator.write(
                ClipSpec.of(320, 240).withFps(25).withDuration(1).withoutAudio(), clips, "silent");
        canvasSized = ClipGenerator.write(ClipSpec.of(854, 480).withFps(30).withDuration(1), clips, "canvas");
    }

    private static MergeRequest request(int clips, Transition transition) {
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < clips; i++) {
            urls.add(URI.create("https://example.com/" + i + ".mp4"));
        }
        return new MergeRequest(urls, Quality.P480, AspectRatio.LANDSCAPE_16_9, Fit.PAD, transition);
    }

    /** Runs {@code merges} merges; returns the last outcome. */
    private MediaOutcome merge(int merges, MergeRequest request, List<Path> files) throws Exception {
        MediaOutcome outcome = null;
        try (MediaStep step = MediaStep.local(Limits.defaults())) {
            for (int i = 0; i < merges; i++) {
                Path output = dir.resolve("merged-" + i + ".mp4");
                Path poster = dir.resolve("poster-" + i + ".jpg");
                outcome = step.run(
                        request,
                        files,
                        output,
                        Optional.of(new PosterTarget(poster, Duration.ofMillis(500))),
                        fraction -> {});
                Files.delete(output);
                Files.delete(poster);
            }
        }
        return outcome;
    }

    /**
     * The counts after {@code merges} merges minus those before, each merge's first run (class loading, one-time
     * tables) done beforehand.
     */
    private long[] leftAfter(MergeRequest request, List<Path> files) throws Exception {
        merge(1, request, files);
        long count = Pointer.totalCount();
        long bytes = Pointer.totalBytes();
        merge(MERGES, request, files);
        return new long[] {Pointer.totalCount() - count, Pointer.totalBytes() - bytes};
    }

    /**
     * No more allocations than before: a collection during the merges may free older ones (never this merge's, which
     * are freed already), so fewer is possible too.
     */
    private static void assertNothingLeft(long[] left) {
        assertAll(
                () -> assertTrue(left[0] <= 0, left[0] + " JavaCPP allocations left for the collector"),
                () -> assertTrue(left[1] <= 0, left[1] + " bytes left for the collector"));
    }

    @Test
    @DisplayName("a re-encoded merge with fades, three formats of input and a poster leaves nothing for the collector")
    void reencodeWithFades() throws Exception {
        MergeRequest request = request(3, Transition.DEFAULT);
        MediaOutcome outcome = merge(1, request, List.of(withAudio, otherSize, silent));
        assertFalse(outcome.streamCopied());
        long[] left = leftAfter(request, List.of(withAudio, otherSize, silent));
        assertNothingLeft(left);
    }

    @Test
    @DisplayName(
            "a re-encode of canvas-sized clips, whose frames skip the filter graph, leaves nothing for the collector")
    void reencodePassingThrough() throws Exception {
        MergeRequest request = request(2, Transition.DEFAULT);
        MediaOutcome outcome = merge(1, request, List.of(canvasSized, canvasSized));
        assertFalse(outcome.streamCopied());
        long[] left = leftAfter(request, List.of(canvasSized, canvasSized));
        assertNothingLeft(left);
    }

    @Test
    @DisplayName("a stream copy with a poster leaves nothing for the collector")
    void streamCopy() throws Exception {
        MergeRequest request = request(2, Transition.none());
        MediaOutcome outcome = merge(1, request, List.of(canvasSized, canvasSized));
        assertTrue(outcome.streamCopied());
        long[] left = leftAfter(request, List.of(canvasSized, canvasSized));
        assertNothingLeft(left);
    }
}
