package io.videomerge.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.Canvas;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.Transition;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import io.videomerge.testing.ClipAnalyzer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipMutations;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.Region;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The merge engine end to end on generated clips, each check made on the written file: stream copy,
 * normalisation of a mixed set (pad and crop, three canvases), cross-fade timing, silence, and A/V sync
 * across every join.
 */
class MergeEngineTest {
    private static final double FRAME = 1.0 / 30;
    private static final double CLIP_SECONDS = 1.6;
    private static final double EVENT = 0.8;

    @TempDir
    static Path clips;

    private static final Map<URI, Path> SOURCES = new HashMap<>();
    private static ClipServer server;
    private static List<URI> identical;
    private static List<URI> mixed;
    private static List<URI> landscape;

    @TempDir
    Path work;

    @BeforeAll
    static void generateClips() throws IOException {
        server = ClipServer.serve(clips);
        ClipSpec base = ClipSpec.of(1280, 720)
                .withFps(30)
                .withDuration(2.0)
                .withEvents(0.5, 1.5)
                .withBackgroundTone(true);
        Path hd = ClipGenerator.write(base, clips, "hd");
        identical = List.of(source(hd), source(copy(hd, "same-1")), source(copy(hd, "same-2")));

        ClipSpec mixedBase =
                ClipSpec.defaults().withDuration(CLIP_SECONDS).withEvents(EVENT).withBackgroundTone(true);
        mixed = List.of(
                source(ClipGenerator.write(mixedBase.withSize(1920, 1080).withFps(30), clips, "full-hd")),
                source(ClipGenerator.write(mixedBase.withSize(720, 1280).withFps(24), clips, "portrait")),
                source(ClipGenerator.write(
                        mixedBase.withSize(640, 480).withFps(25).withoutAudio(), clips, "mute")),
                source(ClipGenerator.write(
                        mixedBase.withSize(640, 360).withFps(30).asWebm(), clips, "webm")),
                source(ClipGenerator.write(
                        mixedBase.withSize(360, 640).withFps(30).withRotation(90), clips, "rotated")),
                source(ClipGenerator.write(
                        mixedBase.withSize(640, 360).withFps(25).withAudio(ClipSpec.Audio.MONO, 22_050),
                        clips,
                        "mono")));

        // Canvas-filling clips of different rates, so that every flash is bright enough to find.
        landscape = List.of(
                mixed.get(0),
                mixed.get(3),
                mixed.get(5),
                source(ClipGenerator.write(
                        mixedBase.withSize(960, 540).withFps(24).withAudio(ClipSpec.Audio.STEREO, 44_100),
                        clips,
                        "qhd")));
    }

    private static Path copy(Path file, String name) throws IOException {
        return Files.copy(file, file.resolveSibling(name + ".mp4"));
    }

    private static URI source(Path file) {
        URI url = server.url(file.getFileName().toString());
        SOURCES.put(url, file);
        return url;
    }

    @AfterAll
    static void stopServer() {
        server.close();
    }

    private record Merged(MergeResult result, ClipAnalyzer output, List<ClipInfo> inputs, double fade) {
        double start(int clip) {
            double t = 0;
            for (int i = 0; i < clip; i++) {
                t += inputs.get(i).durationSeconds() - fade;
            }
            return t;
        }

        double middle(int clip) {
            return start(clip) + inputs.get(clip).durationSeconds() / 2;
        }

        double expectedDuration() {
            return inputs.stream().mapToDouble(ClipInfo::durationSeconds).sum() - (inputs.size() - 1) * fade;
        }
    }

    /** Merges through {@link MergeService#merge}: downloads over loopback HTTP, the uploader writes a folder. */
    private Merged merge(List<URI> urls, AspectRatio ratio, Fit fit, Transition transition) throws IOException {
        Path uploads = work.resolve("uploads");
        MergeRequest request = new MergeRequest(urls, Quality.P720, ratio, fit, transition);
        MergeResult result;
        try (MergeService service = MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(uploads, URI.create("http://files.invalid/")))
                .workDirectory(work.resolve("work"))
                .build()) {
            result = service.merge(request);
            try (Stream<Path> left = Files.walk(work.resolve("work"))) {
                assertEquals(
                        List.of(),
                        left.filter(p -> p.getFileName().toString().startsWith("job-"))
                                .toList(),
                        "the job folder is removed");
            }
        }
        String name = Path.of(result.mergedUrl().getPath()).getFileName().toString();
        assertEquals(URI.create("http://files.invalid/" + name), result.mergedUrl());
        Path file = uploads.resolve(name);
        assertTrue(Files.isRegularFile(file));
        Prober prober = new Prober(Limits.defaults());
        List<ClipInfo> inputs = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            inputs.add(prober.probe(SOURCES.get(urls.get(i)), i));
        }
        return new Merged(result, ClipAnalyzer.analyze(file), inputs, transition.seconds());
    }

    /** Every beep has a flash within one frame, and there are as many as expected. */
    private static void assertInSync(ClipAnalyzer output, int expectedPairs) {
        List<Double> flashes = output.flashInstants();
        List<Double> beeps = output.beepInstants();
        assertEquals(expectedPairs, beeps.size(), "beeps " + beeps);
        assertEquals(expectedPairs, flashes.size(), "flashes " + flashes);
        for (int i = 0; i < beeps.size(); i++) {
            assertEquals(beeps.get(i), flashes.get(i), FRAME, "flash and beep " + i + ": " + flashes + " vs " + beeps);
        }
    }

    private static void assertNormalised(Merged m, Canvas canvas) {
        ClipInfo out = m.output().info();
        assertEquals(canvas.width(), out.width());
        assertEquals(canvas.height(), out.height());
        assertEquals(out.sarNum(), out.sarDen(), "square pixels");
        assertEquals(30.0, out.frameRate(), 1e-6);
        assertFalse(out.variableFrameRate());
        List<Double> times = m.output().frameTimes();
        for (int i = 1; i < times.size(); i++) {
            assertEquals(FRAME, times.get(i) - times.get(i - 1), 1e-3, "constant frame rate at frame " + i);
        }
        assertEquals(m.expectedDuration(), m.result().durationSeconds(), FRAME);
        assertEquals(m.expectedDuration(), times.size() * FRAME, FRAME);
        assertTrue(m.output().hasAudio());
        assertEquals(2, out.channels());
        assertEquals(48_000, out.sampleRate());
        assertEquals("aac", out.audioCodec());
        assertEquals("h264", out.videoCodec());
        assertEquals(m.expectedDuration(), m.output().audioDuration(), 2 * FRAME, "audio lasts the whole output");
        assertTrue(m.output().decodedCleanly());
        assertFalse(m.result().streamCopied());
    }

    @Test
    @DisplayName("(a) three identical clips joined with a cut are stream-copied, last their sum and stay in sync")
    void identicalClipsAreStreamCopied() throws IOException {
        Merged m = merge(identical, AspectRatio.LANDSCAPE_16_9, Fit.PAD, Transition.none());
        assertTrue(m.result().streamCopied());
        assertEquals(3, m.result().clipsMerged());
        assertEquals(m.expectedDuration(), m.result().durationSeconds(), FRAME);
        assertEquals(6.0, m.output().frameCount() * FRAME, FRAME);
        assertTrue(m.output().decodedCleanly(), "decode errors: " + m.output().decodeErrors());
        assertInSync(m.output(), 6);
        List<Double> beeps = m.output().beepInstants();
        double[] expected = {0.5, 1.5, 2.5, 3.5, 4.5, 5.5};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], beeps.get(i), FRAME, "beep " + i + " did not drift");
        }
    }

    @Test
    @DisplayName(
            "(b) a mixed set fades into 1280x720: square pixels, 30 fps, sum minus the fades, silence, pillarbox, upright")
    void mixedSetIsNormalisedWithPadding() throws IOException {
        Merged m = merge(mixed, AspectRatio.LANDSCAPE_16_9, Fit.PAD, Transition.DEFAULT);
        assertNormalised(m, new Canvas(1280, 720));
        ClipAnalyzer out = m.output();
        // The clip without audio is silent between its fades; its neighbours carry their tone there.
        assertTrue(
                out.isSilent(m.start(2) + 0.55, m.start(2) + m.inputs().get(2).durationSeconds() - 0.55));
        assertFalse(out.isSilent(m.middle(1) - 0.1, m.middle(1) + 0.1));
        // The portrait clip: black bars left and right, its grey picture centred.
        double portrait = m.middle(1) + 0.1;
        assertTrue(out.meanLuma(portrait, new Region(0, 0.1, 0.3, 0.8)) < 24, "left bar");
        assertTrue(out.meanLuma(portrait, new Region(0.7, 0.1, 0.3, 0.8)) < 24, "right bar");
        assertEquals(ClipGenerator.GREY, out.meanLuma(portrait, new Region(0.4, 0.35, 0.2, 0.3)), 20);
        // The 4:3 clip is pillarboxed too, narrower bars.
        assertTrue(out.meanLuma(m.middle(2) + 0.1, new Region(0, 0.1, 0.1, 0.8)) < 24);
        // The rotated clip displays as landscape: upright, its marker at the top left.
        double rotated = m.middle(4) + 0.1;
        assertTrue(out.meanLuma(rotated, ClipGenerator.MARKER.inner(0.6)) > 200, "marker top left");
        assertEquals(ClipGenerator.GREY, out.meanLuma(rotated, new Region(0.75, 0, 0.25, 0.25).inner(0.6)), 20);
        assertEquals(ClipGenerator.GREY, out.meanLuma(rotated, new Region(0, 0.5, 0.25, 0.25).inner(0.6)), 20);
        // Mid-fade the picture is a blend of both sides: between the 1080p clip's grey and the portrait's black bar.
        double fadeMiddle = m.start(1) + 0.25;
        double bar = out.meanLuma(fadeMiddle, new Region(0, 0.4, 0.1, 0.2).inner(0.5));
        assertTrue(bar > 40 && bar < 110, "cross-fade blends the pictures: " + bar);
    }

    @Test
    @DisplayName("(c) the mixed set with fit=crop fills the canvas: no black bars anywhere")
    void mixedSetIsCropped() throws IOException {
        Merged m = merge(mixed, AspectRatio.LANDSCAPE_16_9, Fit.CROP, Transition.DEFAULT);
        assertNormalised(m, new Canvas(1280, 720));
        for (int i = 0; i < mixed.size(); i++) {
            double t = m.middle(i) + 0.1;
            for (Region edge : List.of(
                    new Region(0, 0.3, 0.05, 0.4),
                    new Region(0.95, 0.3, 0.05, 0.4),
                    new Region(0.3, 0, 0.4, 0.05),
                    new Region(0.3, 0.95, 0.4, 0.05))) {
                assertTrue(m.output().meanLuma(t, edge) > 60, "clip " + i + " edge " + edge);
            }
        }
    }

    @Test
    @DisplayName("(d) 9:16 letterboxes a landscape clip and 1:1 boxes both shapes")
    void portraitAndSquareCanvases() throws IOException {
        List<URI> two = List.of(mixed.get(5), mixed.get(1));
        Merged tall = merge(two, AspectRatio.PORTRAIT_9_16, Fit.PAD, Transition.DEFAULT);
        assertNormalised(tall, new Canvas(720, 1280));
        double landscapeClip = tall.middle(0) + 0.1;
        assertTrue(tall.output().meanLuma(landscapeClip, new Region(0.1, 0, 0.8, 0.3)) < 24, "top bar");
        assertTrue(tall.output().meanLuma(landscapeClip, new Region(0.1, 0.7, 0.8, 0.3)) < 24, "bottom bar");
        assertTrue(tall.output().meanLuma(tall.middle(1) + 0.1, new Region(0, 0.3, 0.05, 0.4)) > 60, "portrait fills");

        Merged square = merge(two, AspectRatio.SQUARE_1_1, Fit.PAD, Transition.none());
        assertNormalised(square, new Canvas(720, 720));
        assertTrue(square.output().meanLuma(square.middle(0) + 0.1, new Region(0.2, 0, 0.6, 0.15)) < 24);
        assertTrue(square.output().meanLuma(square.middle(1) + 0.1, new Region(0, 0.2, 0.15, 0.6)) < 24);
    }

    @Test
    @DisplayName("(e) re-encoded with fades, flash and beep stay within a frame of each other across every join")
    void reencodeWithFadesKeepsSync() throws IOException {
        Merged m = merge(landscape, AspectRatio.LANDSCAPE_16_9, Fit.PAD, Transition.DEFAULT);
        assertNormalised(m, new Canvas(1280, 720));
        assertInSync(m.output(), landscape.size());
        List<Double> flashes = m.output().flashInstants();
        for (int i = 0; i < landscape.size(); i++) {
            assertEquals(m.start(i) + EVENT, flashes.get(i), 1.5 * FRAME, "flash of clip " + i);
        }
    }

    @Test
    @DisplayName("(e) re-encoded with cuts, flash and beep stay within a frame of each other across every join")
    void reencodeWithCutsKeepsSync() throws IOException {
        Merged m = merge(landscape, AspectRatio.LANDSCAPE_16_9, Fit.PAD, Transition.none());
        assertNormalised(m, new Canvas(1280, 720));
        assertInSync(m.output(), landscape.size());
        List<Double> flashes = m.output().flashInstants();
        for (int i = 0; i < landscape.size(); i++) {
            assertEquals(m.start(i) + EVENT, flashes.get(i), 1.5 * FRAME, "flash of clip " + i);
        }
    }

    /** A 2 s clip with a flash and beep at 0.5 s, disguised or damaged the way uploads come. */
    enum Disguise {
        HEADER_CLAIMS_600_S(ClipSpec.Format.MKV_H264_AAC, 0),
        HEADER_CLAIMS_7000_S(ClipSpec.Format.MKV_H264_AAC, 0),
        VP8_WITHOUT_HEADER_DURATION(ClipSpec.Format.WEBM_VP8_OPUS, 0),
        VP9_WITHOUT_HEADER_DURATION(ClipSpec.Format.WEBM_VP9_OPUS, 0),
        STARTS_AT_3_S(ClipSpec.Format.MKV_H264_AAC, 3),
        AV1_IN_MP4(ClipSpec.Format.MP4_AV1_AAC, 0),
        AV1_IN_WEBM(ClipSpec.Format.WEBM_AV1_OPUS, 0);

        private final ClipSpec.Format format;
        private final double start;

        Disguise(ClipSpec.Format format, double start) {
            this.format = format;
            this.start = start;
        }

        Path write(Path dir) {
            ClipSpec spec = ClipSpec.of(640, 360)
                    .withFps(30)
                    .withDuration(2)
                    .withEvents(0.5)
                    .withFormat(format)
                    .withStart(start);
            Path file = ClipGenerator.write(spec, dir, name().toLowerCase(java.util.Locale.ROOT));
            switch (this) {
                case HEADER_CLAIMS_600_S -> ClipMutations.claimDuration(file, 600);
                case HEADER_CLAIMS_7000_S -> ClipMutations.claimDuration(file, 7_000);
                case VP8_WITHOUT_HEADER_DURATION, VP9_WITHOUT_HEADER_DURATION -> ClipMutations.stripDuration(file);
                default -> {}
            }
            return file;
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Disguise.class)
    @DisplayName("(f) a clip whose header lies, says nothing, starts late or is AV1 lasts what its packets last: "
            + "no frozen padding, flash and beep in place")
    void clipLastsWhatItsPacketsLast(Disguise disguise) throws IOException {
        URI odd = source(disguise.write(clips));
        Merged m = merge(List.of(odd, mixed.get(5)), AspectRatio.LANDSCAPE_16_9, Fit.PAD, Transition.none());
        assertEquals(2.0, m.inputs().get(0).durationSeconds(), FRAME, "the clip's proven length");
        assertNormalised(m, new Canvas(1280, 720));
        assertInSync(m.output(), 2);
        List<Double> flashes = m.output().flashInstants();
        assertEquals(0.5, flashes.get(0), 1.5 * FRAME, "flash of the odd clip");
        assertEquals(2.0 + EVENT, flashes.get(1), 1.5 * FRAME, "flash of the clip after it");
    }

    @Test
    @DisplayName("(g) identical clips starting 3 s into their Matroska timeline are stream-copied without a gap")
    void lateClipsAreCopiedWithoutGap() throws IOException {
        ClipSpec late = ClipSpec.of(1280, 720)
                .withFps(30)
                .withDuration(2.0)
                .withEvents(0.5)
                .withFormat(ClipSpec.Format.MKV_H264_AAC)
                .withStart(3);
        Path file = ClipGenerator.write(late, clips, "late");
        Merged m = merge(
                List.of(source(file), source(Files.copy(file, clips.resolve("late-copy.mkv")))),
                AspectRatio.LANDSCAPE_16_9,
                Fit.PAD,
                Transition.none());
        assertTrue(m.result().streamCopied());
        assertEquals(4.0, m.result().durationSeconds(), FRAME);
        assertInSync(m.output(), 2);
        List<Double> flashes = m.output().flashInstants();
        assertEquals(0.5, flashes.get(0), FRAME);
        assertEquals(2.5, flashes.get(1), FRAME);
    }
}
