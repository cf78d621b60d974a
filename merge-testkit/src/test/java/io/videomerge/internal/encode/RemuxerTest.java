package io.videomerge.internal.encode;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.ErrorCode;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.MergeRequest;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.plan.Plan;
import io.videomerge.internal.plan.Planner;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Demuxer;
import io.videomerge.internal.probe.Prober;
import io.videomerge.testing.ClipAnalyzer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipMutations;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Remuxer")
class RemuxerTest {
    private static final Prober PROBER = new Prober(Limits.defaults());
    private static final DemuxOpener DEMUXER = new Demuxer(Limits.defaults())::open;
    private static final double FRAME = 1.0 / 30;
    private static final Deadline UNHURRIED = new Deadline(System.nanoTime(), Duration.ofHours(1), 2);

    @TempDir
    Path dir;

    private List<Path> inputs;
    private Plan plan;

    @BeforeEach
    void twoIdenticalClips() throws IOException {
        Path first = ClipGenerator.write(ClipSpec.of(1280, 720).withFps(30).withDuration(1), dir, "a");
        Path second = Files.copy(first, dir.resolve("b.mp4"));
        inputs = List.of(first, second);
        plan = copyPlan(inputs);
    }

    private static Plan copyPlan(List<Path> files) {
        List<ClipInfo> clips = List.of(PROBER.probe(files.get(0), 0), PROBER.probe(files.get(1), 1));
        MergeRequest request = new MergeRequest(
                List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")),
                Quality.P720,
                AspectRatio.LANDSCAPE_16_9,
                Fit.PAD,
                Transition.none());
        Plan plan = Planner.plan(clips, request);
        assertTrue(plan.streamCopy(), "precondition: identical clips without transition are stream-copied");
        return plan;
    }

    @Test
    @DisplayName("copies the packets of every clip one after the other, read without decoders")
    void copiesClips() {
        Path output = dir.resolve("out.mp4");
        new Remuxer(DEMUXER, 60).remux(plan, inputs, output, ProgressListener.NONE, UNHURRIED);
        assertEquals(2.0, PROBER.probe(output, 0).durationSeconds(), 0.1);
    }

    @Test
    @DisplayName("refuses with INPUT_TOO_LONG once the copied packets pass the limit, and deletes the output")
    void countsDurationFromPackets() {
        Path output = dir.resolve("long.mp4");
        MediaException e = assertThrows(
                MediaException.class,
                () -> new Remuxer(DEMUXER, 1.5).remux(plan, inputs, output, ProgressListener.NONE, UNHURRIED));
        assertAll(
                () -> assertEquals(ErrorCode.INPUT_TOO_LONG, e.code()),
                () -> assertEquals(1, e.inputIndex().orElseThrow()),
                () -> assertFalse(Files.exists(output)));
    }

    @Test
    @DisplayName("clips starting 3 s into their Matroska timeline are joined without a gap: beeps and flashes in place")
    void removesTheStartOffset() {
        ClipSpec late = ClipSpec.of(1280, 720)
                .withFps(30)
                .withDuration(1)
                .withEvents(0.5)
                .withFormat(ClipSpec.Format.MKV_H264_AAC)
                .withStart(3);
        List<Path> files = List.of(ClipGenerator.write(late, dir, "late-a"), ClipGenerator.write(late, dir, "late-b"));
        Path output = dir.resolve("late.mp4");
        new Remuxer(DEMUXER, 60).remux(copyPlan(files), files, output, ProgressListener.NONE, UNHURRIED);
        ClipAnalyzer merged = ClipAnalyzer.analyze(output);
        assertAll(
                () -> assertEquals(2.0, merged.info().durationSeconds(), FRAME),
                () -> assertEquals(0.0, merged.info().startSeconds(), FRAME),
                () -> assertInstants(List.of(0.5, 1.5), merged.flashInstants()),
                () -> assertInstants(List.of(0.5, 1.5), merged.beepInstants()));
    }

    @Test
    @DisplayName("a clip whose media data stops short of its index is not copied: the merge falls back to re-encoding")
    void damagedClipIsNotCopied() {
        ClipSpec spec = ClipSpec.of(1280, 720).withFps(30).withDuration(4);
        List<Path> files = List.of(ClipGenerator.write(spec, dir, "whole"), ClipGenerator.write(spec, dir, "cut"));
        Plan intact = copyPlan(files);
        // Damaged after the probe passed: the copy's own check must catch it.
        ClipMutations.truncateMediaData(files.get(1), 0.7);
        Path output = dir.resolve("damaged.mp4");
        Remuxer.NotCopyableException e = assertThrows(
                Remuxer.NotCopyableException.class,
                () -> new Remuxer(DEMUXER, 60).remux(intact, files, output, ProgressListener.NONE, UNHURRIED));
        assertAll(
                () -> assertTrue(e.getMessage().startsWith("input 1 "), e.getMessage()),
                () -> assertFalse(Files.exists(output), "the partial output is deleted"));
    }

    private static void assertInstants(List<Double> expected, List<Double> actual) {
        assertEquals(expected.size(), actual.size(), () -> "expected " + expected + " but found " + actual);
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(expected.get(i), actual.get(i), FRAME, "instant " + i + " of " + actual);
        }
    }
}
