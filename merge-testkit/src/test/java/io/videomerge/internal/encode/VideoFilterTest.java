package io.videomerge.internal.encode;

import static io.videomerge.internal.encode.DecodedFrames.samePixels;
import static io.videomerge.internal.encode.DecodedFrames.sample;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_JPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV444P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Canvas;
import io.videomerge.Fit;
import io.videomerge.internal.plan.ClipPlan;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.SegmentedClip;
import io.videomerge.testing.SegmentedClipSpec;
import io.videomerge.testing.SegmentedClipSpec.AudioCodec;
import io.videomerge.testing.SegmentedClipSpec.Container;
import io.videomerge.testing.SegmentedClipSpec.Segment;
import io.videomerge.testing.SegmentedClipWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-clip video filter on frames decoded from generated clips: a frame that already is what the graph would
 * make passes through as a new reference to the same pictures; a frame that differs in any property the graph
 * changes goes through the graph and comes out canvas-shaped.
 */
@DisplayName("VideoFilter")
class VideoFilterTest {
    private static final int W = 320;
    private static final int H = 240;
    private static final Canvas CANVAS = new Canvas(W, H);
    /** The plan of a clip that fills the canvas upright: nothing to rotate, scale, pad or crop. */
    private static final ClipPlan FILLS = plan(0, W, H);

    @TempDir
    static Path dir;

    private static DecodedFrames canvasClip;

    @BeforeAll
    static void decodeCanvasSizedClip() {
        Path clip = ClipGenerator.write(ClipSpec.of(W, H).withFps(30).withDuration(0.5), dir, "canvas");
        canvasClip = DecodedFrames.of(clip, 15);
    }

    @AfterAll
    static void free() {
        canvasClip.close();
    }

    private static ClipPlan plan(int rotation, int scaledWidth, int scaledHeight) {
        return new ClipPlan(0, 0, 1, rotation, scaledWidth, scaledHeight, CANVAS, Fit.PAD, true);
    }

    /** The plan for a frame as {@link ClipReader} makes it: {@code base} refitted to the frame's size and pixels. */
    private static Function<AVFrame, ClipPlan> refitting(ClipPlan base) {
        return f -> base.refit(
                f.width(),
                f.height(),
                f.sample_aspect_ratio().num(),
                f.sample_aspect_ratio().den());
    }

    @Test
    @DisplayName("passes a canvas-shaped frame through as a new reference to the same pictures")
    void passesCanvasShapedFrameThrough() {
        AVFrame in = canvasClip.get(3);
        try (VideoFilter filter = VideoFilter.shaping(f -> FILLS, 2)) {
            AVFrame out = filter.apply(in);
            try {
                assertAll(
                        () -> assertTrue(filter.passingThrough()),
                        () -> assertEquals(in.data(0).address(), out.data(0).address(), "same luma buffer"),
                        () -> assertEquals(in.data(1).address(), out.data(1).address(), "same Cb buffer"),
                        () -> assertEquals(in.data(2).address(), out.data(2).address(), "same Cr buffer"),
                        () -> assertNotEquals(in.address(), out.address(), "a new frame, freed on its own"),
                        () -> assertEquals(AV_PIX_FMT_YUV420P, out.format()),
                        () -> assertEquals(1, out.sample_aspect_ratio().num()),
                        () -> assertEquals(1, out.sample_aspect_ratio().den()),
                        () -> assertEquals(AVCOL_RANGE_MPEG, out.color_range()));
            } finally {
                av_frame_free(out);
            }
            assertTrue(in.data(0).address() != 0 && sample(in, 0, 0, 0) >= 0, "the input frame stays valid");
        }
    }

    @Test
    @DisplayName("a passed-through frame equals what the graph makes of it: pixels and every colour field")
    void passThroughEqualsGraph() {
        for (int i = 0; i < canvasClip.frames().size(); i += 7) {
            AVFrame in = canvasClip.get(i);
            try (VideoFilter passing = VideoFilter.shaping(f -> FILLS, 2);
                    VideoFilter graph = new VideoFilter(f -> FILLS.videoFilter(), 2)) {
                AVFrame a = passing.apply(in);
                AVFrame b = graph.apply(in);
                try {
                    assertAll(
                            () -> assertTrue(passing.passingThrough()),
                            () -> assertFalse(graph.passingThrough()),
                            () -> assertNotEquals(
                                    in.data(0).address(), b.data(0).address(), "the graph made a copy"),
                            () -> assertTrue(samePixels(a, b, W, H), "pixels identical"),
                            () -> assertEquals(b.width(), a.width()),
                            () -> assertEquals(b.height(), a.height()),
                            () -> assertEquals(b.format(), a.format()),
                            () -> assertEquals(b.color_range(), a.color_range()),
                            () -> assertEquals(b.colorspace(), a.colorspace()),
                            () -> assertEquals(b.color_primaries(), a.color_primaries()),
                            () -> assertEquals(b.color_trc(), a.color_trc()),
                            () -> assertEquals(b.chroma_location(), a.chroma_location()),
                            () -> assertEquals(
                                    b.sample_aspect_ratio().num(),
                                    a.sample_aspect_ratio().num()),
                            () -> assertEquals(
                                    b.sample_aspect_ratio().den(),
                                    a.sample_aspect_ratio().den()),
                            () -> assertEquals(b.pts(), a.pts()));
                } finally {
                    av_frame_free(a);
                    av_frame_free(b);
                }
            }
        }
    }

    /** One property that differs from the canvas, and how the graph's output must show it was applied. */
    private record Difference(String name, ClipPlan base, UnaryOperator<AVFrame> alter, Check check) {
        @Override
        public String toString() {
            return name;
        }
    }

    @FunctionalInterface
    private interface Check {
        void verify(AVFrame in, AVFrame out);
    }

    static Stream<Arguments> differences() {
        List<Difference> all = new ArrayList<>();
        all.add(new Difference("full colour range", FILLS, f -> withRange(f, AVCOL_RANGE_JPEG), (in, out) -> {
            // Full-range black (16 in the pattern's dark block) and white are squeezed into 16..235.
            int darkIn = darkest(in);
            int darkOut = darkest(out);
            assertTrue(darkOut > darkIn, "dark samples were lifted: " + darkIn + " -> " + darkOut);
        }));
        all.add(new Difference(
                "pixel format yuv444p", FILLS, f -> DecodedFrames.converted(f, AV_PIX_FMT_YUV444P), (in, out) -> {
                    assertEquals(sample(in, 0, 10, 10), sample(out, 0, 10, 10), 2, "same picture");
                }));
        all.add(new Difference("sample aspect ratio 4:3", FILLS, f -> withSar(f, 4, 3), (in, out) -> {
            // 320x240 with 4:3 pixels shows as 427x240: fitted to 320x180 and padded above and below.
            assertEquals(16, sample(out, 0, W / 2, 2), 1, "black bar on top");
            assertEquals(16, sample(out, 0, W / 2, H - 3), 1, "black bar at the bottom");
        }));
        all.add(new Difference("rotation 180", plan(180, W, H), UnaryOperator.identity(), (in, out) -> {
            for (int[] p : new int[][] {{5, 5}, {W / 3, H / 4}, {W - 20, H / 2}}) {
                assertEquals(
                        sample(in, 0, W - 1 - p[0], H - 1 - p[1]),
                        sample(out, 0, p[0], p[1]),
                        2,
                        "upside down at " + p[0] + "," + p[1]);
            }
        }));
        return all.stream().map(Arguments::of);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("differences")
    @DisplayName("a frame differing from the canvas goes through the graph and comes out canvas-shaped")
    void differingFrameGoesThroughGraph(Difference difference) {
        AVFrame in = difference.alter().apply(canvasClip.get(3));
        try (VideoFilter filter = VideoFilter.shaping(refitting(difference.base()), 2)) {
            AVFrame out = filter.apply(in);
            try {
                assertFalse(filter.passingThrough());
                assertNotEquals(in.data(0).address(), out.data(0).address());
                assertCanvasShaped(out);
                difference.check().verify(in, out);
            } finally {
                av_frame_free(out);
            }
        } finally {
            if (in != canvasClip.get(3)) {
                av_frame_free(in);
            }
        }
    }

    @Test
    @DisplayName("a frame of another size goes through the graph and is scaled to the canvas")
    void otherSizeGoesThroughGraph() {
        Path small = ClipGenerator.write(ClipSpec.of(W / 2, H / 2).withDuration(0.2), dir, "small");
        try (DecodedFrames frames = DecodedFrames.of(small, 1);
                VideoFilter filter = VideoFilter.shaping(refitting(FILLS), 2)) {
            AVFrame out = filter.apply(frames.get(0));
            try {
                assertFalse(filter.passingThrough());
                assertCanvasShaped(out);
            } finally {
                av_frame_free(out);
            }
        }
    }

    @Test
    @DisplayName("switches between pass-through and graph as the frames' format changes and changes back")
    void switchesWithFormat() {
        AVFrame full = withRange(canvasClip.get(4), AVCOL_RANGE_JPEG);
        try (VideoFilter filter = VideoFilter.shaping(refitting(FILLS), 2)) {
            AVFrame[] in = {canvasClip.get(2), full, canvasClip.get(6)};
            boolean[] passing = new boolean[3];
            boolean[] shared = new boolean[3];
            for (int i = 0; i < 3; i++) {
                AVFrame out = filter.apply(in[i]);
                passing[i] = filter.passingThrough();
                shared[i] = out.data(0).address() == in[i].data(0).address();
                assertCanvasShaped(out);
                av_frame_free(out);
            }
            assertAll(
                    () -> assertTrue(passing[0] && shared[0], "limited range passes through"),
                    () -> assertFalse(passing[1] || shared[1], "full range is converted"),
                    () -> assertTrue(passing[2] && shared[2], "limited range passes through again"));
        } finally {
            av_frame_free(full);
        }
    }

    @Test
    @DisplayName("follows a real stream whose size changes mid-way and back, then its colour range")
    void followsRealFormatChanges() {
        SegmentedClip clip = SegmentedClipWriter.write(
                SegmentedClipSpec.of(
                        Container.MP4,
                        AudioCodec.AAC,
                        Segment.of(0.5),
                        Segment.of(0.5).withSize(480, 270),
                        Segment.of(0.5),
                        Segment.of(0.5).withFullRange(true)),
                dir,
                "changes");
        List<String> kinds = new ArrayList<>();
        try (DecodedFrames frames = DecodedFrames.of(clip.file(), 1000);
                VideoFilter filter = VideoFilter.shaping(refitting(FILLS), 2)) {
            for (AVFrame in : frames.frames()) {
                AVFrame out = filter.apply(in);
                try {
                    assertCanvasShaped(out);
                    boolean shared = out.data(0).address() == in.data(0).address();
                    assertEquals(filter.passingThrough(), shared);
                    String kind = (filter.passingThrough() ? "pass" : "graph") + " " + in.width() + "x" + in.height();
                    if (kinds.isEmpty() || !kinds.get(kinds.size() - 1).equals(kind)) {
                        kinds.add(kind);
                    }
                } finally {
                    av_frame_free(out);
                }
            }
        }
        assertEquals(List.of("pass 320x240", "graph 480x270", "pass 320x240", "graph 320x240"), kinds);
    }

    private static void assertCanvasShaped(AVFrame out) {
        assertAll(
                () -> assertEquals(W, out.width()),
                () -> assertEquals(H, out.height()),
                () -> assertEquals(AV_PIX_FMT_YUV420P, out.format()),
                () -> assertEquals(AVCOL_RANGE_MPEG, out.color_range()),
                () -> assertEquals(1, out.sample_aspect_ratio().num()),
                () -> assertEquals(1, out.sample_aspect_ratio().den()));
    }

    private static AVFrame withRange(AVFrame frame, int range) {
        AVFrame copy = av_frame_clone(frame);
        copy.color_range(range);
        return copy;
    }

    private static AVFrame withSar(AVFrame frame, int num, int den) {
        AVFrame copy = av_frame_clone(frame);
        copy.sample_aspect_ratio(av_make_q(num, den));
        return copy;
    }

    private static int darkest(AVFrame frame) {
        int min = 255;
        for (int y = 0; y < frame.height(); y += 4) {
            for (int x = 0; x < frame.width(); x += 4) {
                min = Math.min(min, sample(frame, 0, x, y));
            }
        }
        return min;
    }
}
