package io.videomerge.internal.plan;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.Canvas;
import io.videomerge.Fit;
import io.videomerge.MergeRequest;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.probe.ClipInfo;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class PlannerTest {
    private static final Canvas HD = new Canvas(1280, 720);

    /** A 2 s 1280x720 30 fps H.264 clip with AAC stereo 48 kHz: ready for a 720 16:9 stream copy. */
    private static ClipInfo hd(int index) {
        return new ClipInfo(
                index,
                "mov,mp4,m4a,3gp,3g2,mj2",
                0,
                2.0,
                1280,
                720,
                0,
                1,
                1,
                "yuv420p",
                30,
                false,
                "h264",
                100,
                1,
                15360,
                true,
                "aac",
                48_000,
                2);
    }

    private static ClipInfo with(ClipInfo c, int width, int height, int rotation, int sarNum, int sarDen) {
        return new ClipInfo(
                c.index(),
                c.container(),
                0,
                c.durationSeconds(),
                width,
                height,
                rotation,
                sarNum,
                sarDen,
                c.pixelFormat(),
                c.frameRate(),
                c.variableFrameRate(),
                c.videoCodec(),
                c.videoProfile(),
                c.videoTimeBaseNum(),
                c.videoTimeBaseDen(),
                c.hasAudio(),
                c.audioCodec(),
                c.sampleRate(),
                c.channels());
    }

    private static MergeRequest request(int clips, Transition transition) {
        List<URI> urls = new ArrayList<>();
        for (int i = 0; i < clips; i++) {
            urls.add(URI.create("https://example.com/" + i + ".mp4"));
        }
        return new MergeRequest(urls, Quality.P720, AspectRatio.LANDSCAPE_16_9, Fit.PAD, transition);
    }

    private static Plan planOf(List<ClipInfo> clips, Transition transition) {
        return Planner.plan(clips, request(clips.size(), transition));
    }

    @Test
    @DisplayName("identical clips that match the canvas, joined with a cut, are a stream copy")
    void matchingClipsWithACutAreCopied() {
        Plan plan = planOf(List.of(hd(0), hd(1), hd(2)), Transition.none());
        assertTrue(plan.streamCopy());
        assertEquals(0, plan.fadeSeconds());
        assertEquals(6.0, plan.outputSeconds(), 1e-9);
    }

    @Test
    @DisplayName("a fade always re-encodes, and the output is the sum minus one fade per join")
    void fadeReencodes() {
        Plan plan = planOf(List.of(hd(0), hd(1), hd(2)), Transition.DEFAULT);
        assertFalse(plan.streamCopy());
        assertEquals(0.5, plan.fadeSeconds(), 1e-9);
        assertEquals(6.0 - 2 * 0.5, plan.outputSeconds(), 1e-9);
        assertEquals(1.5, plan.startSeconds(1), 1e-9);
        assertEquals(3.0, plan.startSeconds(2), 1e-9);
    }

    @Test
    @DisplayName("any one differing parameter turns the stream copy into a re-encode")
    void anyMismatchReencodes() {
        List<UnaryOperator<ClipInfo>> breakers = List.of(
                c -> with(c, 1920, 1080, 0, 1, 1),
                c -> with(c, 1280, 720, 180, 1, 1),
                c -> with(c, 1280, 720, 0, 4, 3),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        25,
                        false,
                        "h264",
                        100,
                        1,
                        15360,
                        true,
                        "aac",
                        48_000,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        false,
                        "h264",
                        77,
                        1,
                        15360,
                        true,
                        "aac",
                        48_000,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        false,
                        "h264",
                        100,
                        1,
                        90000,
                        true,
                        "aac",
                        48_000,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p10le",
                        30,
                        false,
                        "h264",
                        100,
                        1,
                        15360,
                        true,
                        "aac",
                        48_000,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        false,
                        "hevc",
                        100,
                        1,
                        15360,
                        true,
                        "aac",
                        48_000,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        true,
                        "h264",
                        100,
                        1,
                        15360,
                        true,
                        "aac",
                        48_000,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        false,
                        "h264",
                        100,
                        1,
                        15360,
                        false,
                        "",
                        0,
                        0),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        false,
                        "h264",
                        100,
                        1,
                        15360,
                        true,
                        "opus",
                        48_000,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        false,
                        "h264",
                        100,
                        1,
                        15360,
                        true,
                        "aac",
                        44_100,
                        2),
                c -> new ClipInfo(
                        1,
                        c.container(),
                        0,
                        2,
                        1280,
                        720,
                        0,
                        1,
                        1,
                        "yuv420p",
                        30,
                        false,
                        "h264",
                        100,
                        1,
                        15360,
                        true,
                        "aac",
                        48_000,
                        1));
        for (UnaryOperator<ClipInfo> breaker : breakers) {
            ClipInfo odd = breaker.apply(hd(1));
            assertFalse(planOf(List.of(hd(0), odd), Transition.none()).streamCopy(), odd.toString());
        }
    }

    @Test
    @DisplayName("a portrait clip is scaled to the canvas height and pillarboxed, centred")
    void portraitIsPillarboxed() {
        ClipPlan clip = Planner.clipPlan(with(hd(0), 720, 1280, 0, 1, 1), HD, Fit.PAD);
        assertEquals(406, clip.scaledWidth());
        assertEquals(720, clip.scaledHeight());
        assertEquals(436, clip.offsetX());
        assertEquals(0, clip.offsetY());
        assertEquals(
                "scale=406:720:flags=bicubic:out_range=tv,format=yuv420p,pad=1280:720:436:0:color=black,setsar=1",
                clip.videoFilter());
    }

    @Test
    @DisplayName("a 4:3 clip cropped to 16:9 covers the width and cuts top and bottom")
    void cropCoversTheCanvas() {
        ClipPlan clip = Planner.clipPlan(with(hd(0), 640, 480, 0, 1, 1), HD, Fit.CROP);
        assertEquals(1280, clip.scaledWidth());
        assertEquals(960, clip.scaledHeight());
        assertEquals(120, clip.offsetY());
        assertEquals(
                "scale=1280:960:flags=bicubic:out_range=tv,format=yuv420p,crop=1280:720:0:120,setsar=1",
                clip.videoFilter());
    }

    @Test
    @DisplayName("rotation from the display matrix turns the picture upright and swaps its sides first")
    void rotationIsApplied() {
        ClipPlan quarter = Planner.clipPlan(with(hd(0), 1280, 720, 90, 1, 1), HD, Fit.PAD);
        assertEquals(90, quarter.rotation());
        assertEquals(406, quarter.scaledWidth());
        assertTrue(quarter.videoFilter().startsWith("transpose=clock,"), quarter.videoFilter());
        assertTrue(Planner.clipPlan(with(hd(0), 1280, 720, 270, 1, 1), HD, Fit.PAD)
                .videoFilter()
                .startsWith("transpose=cclock,"));
        ClipPlan half = Planner.clipPlan(with(hd(0), 1280, 720, 180, 1, 1), HD, Fit.PAD);
        assertTrue(half.videoFilter().startsWith("hflip,vflip,"));
        assertEquals(1280, half.scaledWidth());
    }

    @Test
    @DisplayName("non-square pixels are accounted for: anamorphic 720x576 at 64:45 displays as 16:9")
    void sampleAspectRatioIsHonoured() {
        ClipPlan clip = Planner.clipPlan(with(hd(0), 720, 576, 0, 64, 45), HD, Fit.PAD);
        assertEquals(1280, clip.scaledWidth());
        assertEquals(720, clip.scaledHeight());
        assertTrue(clip.videoFilter().endsWith("setsar=1"));
    }

    @Test
    @DisplayName("a clip that already fills the canvas is neither padded nor cropped")
    void exactFitNeedsNoPadding() {
        assertEquals(
                "scale=1280:720:flags=bicubic:out_range=tv,format=yuv420p,setsar=1",
                Planner.clipPlan(hd(0), HD, Fit.PAD).videoFilter());
    }

    @Test
    @DisplayName("only an upright clip of the canvas's size keeps its pictures as they are")
    void keepsPictureOnlyWhenNothingToDo() {
        assertAll(
                () -> assertTrue(Planner.clipPlan(hd(0), HD, Fit.PAD).keepsPicture(1280, 720)),
                () -> assertFalse(
                        Planner.clipPlan(hd(0), HD, Fit.PAD).keepsPicture(1920, 1080), "another picture size"),
                () -> assertFalse(
                        Planner.clipPlan(with(hd(0), 1280, 720, 180, 1, 1), HD, Fit.PAD)
                                .keepsPicture(1280, 720),
                        "turned upside down"),
                () -> assertFalse(
                        Planner.clipPlan(with(hd(0), 1280, 720, 0, 4, 3), HD, Fit.PAD)
                                .keepsPicture(1280, 720),
                        "non-square pixels: scaled and padded"),
                () -> assertFalse(
                        Planner.clipPlan(with(hd(0), 720, 1280, 0, 1, 1), HD, Fit.PAD)
                                .keepsPicture(720, 1280),
                        "portrait: scaled and padded"));
    }

    @Test
    @DisplayName("a fade longer than half the shortest clip is shortened to that half")
    void fadeIsShortenedForShortClips() {
        ClipInfo short1 = new ClipInfo(
                1,
                "mov,mp4,m4a,3gp,3g2,mj2",
                0,
                0.6,
                1280,
                720,
                0,
                1,
                1,
                "yuv420p",
                30,
                false,
                "h264",
                100,
                1,
                15360,
                true,
                "aac",
                48_000,
                2);
        Plan plan = planOf(List.of(hd(0), short1, hd(2)), Transition.fade(Duration.ofSeconds(1)));
        assertEquals(0.3, plan.fadeSeconds(), 1e-9);
        assertEquals(4.6 - 2 * 0.3, plan.outputSeconds(), 1e-9);
    }

    @Test
    @DisplayName("a clip without audio is planned with silence")
    void silentClipIsMarked() {
        ClipInfo mute = new ClipInfo(
                1,
                "mov,mp4,m4a,3gp,3g2,mj2",
                0,
                2,
                640,
                480,
                0,
                1,
                1,
                "yuv420p",
                25,
                false,
                "h264",
                100,
                1,
                12800,
                false,
                "",
                0,
                0);
        Plan plan = planOf(List.of(hd(0), mute), Transition.DEFAULT);
        assertTrue(plan.clips().get(0).hasAudio());
        assertFalse(plan.clips().get(1).hasAudio());
    }

    @Test
    @DisplayName("a plan refuses a copy with a fade and clips out of order")
    void planValidatesItself() {
        ClipPlan first = Planner.clipPlan(hd(0), HD, Fit.PAD);
        ClipPlan second = Planner.clipPlan(hd(1), HD, Fit.PAD);
        assertThrows(IllegalArgumentException.class, () -> new Plan(HD, List.of(first, second), 0.5, true));
        assertThrows(IllegalArgumentException.class, () -> new Plan(HD, List.of(second, first), 0, false));
    }
}
