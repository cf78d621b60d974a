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
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Remuxer")
class RemuxerTest {
    private static final Prober PROBER = new Prober(Limits.defaults());
    private static final DemuxOpener DEMUXER = new Demuxer(Limits.defaults())::open;

    @TempDir
    Path dir;

    private List<Path> inputs;
    private Plan plan;

    @BeforeEach
    void twoIdenticalClips() throws IOException {
        Path first = ClipGenerator.write(ClipSpec.of(1280, 720).withFps(30).withDuration(1), dir, "a");
        Path second = Files.copy(first, dir.resolve("b.mp4"));
        inputs = List.of(first, second);
        List<ClipInfo> clips = List.of(PROBER.probe(first, 0), PROBER.probe(second, 1));
        MergeRequest request = new MergeRequest(List.of(URI.create("https://example.com/a.mp4"),
                URI.create("https://example.com/b.mp4")), Quality.P720, AspectRatio.LANDSCAPE_16_9, Fit.PAD,
                Transition.none());
        plan = Planner.plan(clips, request);
        assertTrue(plan.streamCopy(), "precondition: identical clips without transition are stream-copied");
    }

    @Test
    @DisplayName("copies the packets of every clip one after the other, read without decoders")
    void copiesClips() {
        Path output = dir.resolve("out.mp4");
        new Remuxer(DEMUXER, 60).remux(plan, inputs, output, ProgressListener.NONE);
        assertEquals(2.0, PROBER.probe(output, 0).durationSeconds(), 0.1);
    }

    @Test
    @DisplayName("refuses with INPUT_TOO_LONG once the copied packets pass the limit, and deletes the output")
    void countsDurationFromPackets() {
        Path output = dir.resolve("long.mp4");
        MediaException e = assertThrows(MediaException.class,
                () -> new Remuxer(DEMUXER, 1.5).remux(plan, inputs, output, ProgressListener.NONE));
        assertAll(
                () -> assertEquals(ErrorCode.INPUT_TOO_LONG, e.code()),
                () -> assertEquals(1, e.inputIndex().orElseThrow()),
                () -> assertFalse(Files.exists(output)));
    }
}
