package io.videomerge.internal.encode;

import static io.videomerge.internal.encode.DecodedFrames.samePixels;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Canvas;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.internal.plan.ClipPlan;
import io.videomerge.internal.plan.Plan;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.InputOpener;
import io.videomerge.internal.probe.Prober;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hard-cut merge of clips whose decoded frames already match the canvas (the case the filter graph is skipped
 * for): the frames handed to the encoder are the decoded pictures themselves, and the merged video reproduces
 * every input frame, in order, as closely as the encoder's quality allows.
 */
@DisplayName("a cut merge of canvas-shaped clips")
class CanvasShapedMergeTest {
    private static final int W = 320;
    private static final int H = 240;
    private static final Canvas CANVAS = new Canvas(W, H);
    private static final Limits LIMITS = Limits.defaults();
    private static final Prober PROBER = new Prober(LIMITS);
    private static final InputOpener OPENER = new InputOpener(LIMITS);
    private static final Deadline UNHURRIED = new Deadline(System.nanoTime(), Duration.ofHours(1), 2);
    /**
     * Luma PSNR every output frame must reach against its input frame. libx264 veryfast CRF 23 reproduces the
     * generated pattern at well above 40 dB; a frame from the wrong instant (the moving block elsewhere), a shifted
     * or mis-strided plane or a range conversion applied or skipped wrongly each fall far below 30 dB.
     */
    private static final double MIN_PSNR = 35;

    @TempDir
    Path dir;

    @Test
    @DisplayName("hands the encoder the decoded pictures themselves, pixel for pixel")
    void readerShowsDecodedPictures() {
        Path clip = ClipGenerator.write(ClipSpec.of(W, H).withFps(30).withDuration(1), dir, "a");
        ClipInfo info = PROBER.probe(clip, 0);
        try (DecodedFrames decoded = DecodedFrames.of(clip, 30);
                ClipReader reader = new ClipReader(
                        OPENER.open(clip, PROBER.inspect(clip, 0)), plan(info), 2, LIMITS.maxUndecodableShare())) {
            assertEquals(30, decoded.frames().size());
            for (int k = 0; k < 30; k++) {
                AVFrame shown = reader.videoAt(k / 30.0);
                int frame = k;
                assertAll(
                        () -> assertTrue(samePixels(decoded.get(frame), shown, W, H), "frame " + frame),
                        () -> assertEquals(1, shown.sample_aspect_ratio().num()),
                        () -> assertEquals(1, shown.sample_aspect_ratio().den()));
            }
        }
    }

    @Test
    @DisplayName("writes every input frame in order, close to the decoded input")
    void outputMatchesInput() {
        Path first = ClipGenerator.write(
                ClipSpec.of(W, H).withFps(30).withDuration(1).withEvents(0.5), dir, "a");
        Path second = ClipGenerator.write(
                ClipSpec.of(W, H).withFps(30).withDuration(1).withEvents(0.2), dir, "b");
        ClipInfo a = PROBER.probe(first, 0);
        ClipInfo b = PROBER.probe(second, 1);
        Plan plan = new Plan(CANVAS, List.of(plan(a), plan(b)), 0, false);
        Path output = dir.resolve("out.mp4");
        new Transcoder(OPENER::open, LIMITS.maxUndecodableShare())
                .transcode(plan, List.of(first, second), output, ProgressListener.NONE, UNHURRIED);

        try (DecodedFrames out = DecodedFrames.of(output, 100);
                DecodedFrames inA = DecodedFrames.of(first, 30);
                DecodedFrames inB = DecodedFrames.of(second, 30)) {
            assertEquals(60, out.frames().size());
            for (int k = 0; k < 60; k++) {
                AVFrame expected = k < 30 ? inA.get(k) : inB.get(k - 30);
                double psnr = lumaPsnr(expected, out.get(k));
                assertTrue(psnr > MIN_PSNR, "frame " + k + ": " + psnr + " dB");
            }
        }
    }

    private static ClipPlan plan(ClipInfo info) {
        return new ClipPlan(info.index(), info.startSeconds(), info.durationSeconds(), 0, W, H, CANVAS, Fit.PAD, true);
    }

    private static double lumaPsnr(AVFrame a, AVFrame b) {
        double sum = 0;
        byte[] rowA = new byte[W];
        byte[] rowB = new byte[W];
        for (int y = 0; y < H; y++) {
            a.data(0).position((long) y * a.linesize(0)).get(rowA, 0, W);
            b.data(0).position((long) y * b.linesize(0)).get(rowB, 0, W);
            for (int x = 0; x < W; x++) {
                int d = (rowA[x] & 0xff) - (rowB[x] & 0xff);
                sum += d * d;
            }
        }
        double mse = sum / (W * H);
        return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
    }
}
