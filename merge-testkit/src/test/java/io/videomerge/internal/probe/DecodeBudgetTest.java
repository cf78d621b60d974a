package io.videomerge.internal.probe;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("DecodeBudget")
class DecodeBudgetTest {
    private static final double NONE = Double.NaN;

    @TempDir
    Path dir;

    private static Prober.Inspection clip(int index, int width, int height, double fps, double seconds) {
        ClipInfo info = new ClipInfo(
                index,
                "matroska,webm",
                0,
                seconds,
                width,
                height,
                0,
                1,
                1,
                "yuv420p",
                fps,
                false,
                "h264",
                100,
                1,
                1000,
                false,
                "",
                0,
                0);
        return new Prober.Inspection(info, 0, -1, fps);
    }

    @Nested
    @DisplayName("counts the frame rate a decoder really works at")
    class FrameRate {
        @Test
        @DisplayName("the average rate, not r_frame_rate's timestamp grid")
        void averageRate() {
            // A browser's variable-rate WebM: 30 fps on average on a 1 ms grid.
            assertEquals(30.0, DecodeBudget.frameRate(30, 30, NONE));
        }

        @Test
        @DisplayName("a stream declaring 1000 fps and nothing else costs 1000 fps, never 0")
        void declaredRateCountsAsItStands() {
            assertEquals(1000.0, DecodeBudget.frameRate(NONE, 1000, NONE));
        }

        @Test
        @DisplayName("the rate measured on the packets raises a lower declared one, and never lowers it")
        void measuredRateRaisesOnly() {
            assertAll(
                    () -> assertEquals(1000.0, DecodeBudget.frameRate(1, 1, 1000)),
                    () -> assertEquals(30.0, DecodeBudget.frameRate(30, 30, 25)));
        }

        @Test
        @DisplayName("without an average rate, a measured one is preferred to r_frame_rate")
        void measuredBeforeTheGrid() {
            assertEquals(29.97, DecodeBudget.frameRate(NONE, 1000, 29.97));
        }

        @Test
        @DisplayName("an honest clip is charged its own rate")
        void honestClip() {
            Path file = ClipGenerator.write(ClipSpec.of(320, 240).withFps(25).withDuration(2), dir, "honest");
            Prober.Inspection inspection = new Prober(Limits.defaults()).inspect(file, 0);
            assertEquals(25.0, inspection.decodedFrameRate(), 0.25);
        }

        @Test
        @DisplayName("a Matroska header claiming 1 fps for packets that come at 30 is charged 30")
        void lyingHeader() throws IOException {
            Path file = ClipGenerator.write(
                    ClipSpec.of(320, 240).withFps(30).withDuration(2).withFormat(ClipSpec.Format.MKV_H264_AAC),
                    dir,
                    "lying");
            claimFrameDuration(file, 33_333_333, 1_000_000_000);
            Prober prober = new Prober(Limits.defaults());
            Prober.Inspection inspection = prober.inspect(file, 0);
            assertAll(
                    () -> assertEquals(1.0, inspection.info().frameRate(), 1e-9, "control: the header claims 1 fps"),
                    () -> assertEquals(30.0, inspection.decodedFrameRate(), 0.5));
            DecodeBudget budget = new DecodeBudget(
                    Limits.builder().maxDecodedPixelRate(1_000_000).build());
            MediaException e = assertThrows(MediaException.class, () -> budget.charge(inspection));
            assertAll(
                    () -> assertEquals(ErrorCode.INPUT_TOO_LARGE, e.code()),
                    () -> assertEquals(0, e.inputIndex().orElseThrow()));
        }
    }

    @Nested
    @DisplayName("refuses with INPUT_TOO_LARGE")
    class Refusals {
        @Test
        @DisplayName("an input over the pixel rate, with the figures and the limit")
        void overTheRate() {
            DecodeBudget budget = new DecodeBudget(
                    Limits.builder().maxDecodedPixelRate(4096L * 2304 * 60).build());
            budget.charge(clip(0, 1920, 1080, 30, 10));
            MediaException e = assertThrows(MediaException.class, () -> budget.charge(clip(1, 4096, 4096, 60, 1)));
            assertAll(
                    () -> assertEquals(ErrorCode.INPUT_TOO_LARGE, e.code()),
                    () -> assertEquals(1, e.inputIndex().orElseThrow()),
                    () -> assertEquals(
                            "input 1 decodes 4096 x 4096 pixels at 60.0 fps, 1.0 billion pixels per second, more"
                                    + " than the 566.2 million allowed",
                            e.getMessage()));
        }

        @Test
        @DisplayName("the input at which the job's pixels pass the total, each input under the rate")
        void overTheTotal() {
            // 1080p at 30 fps for 100 s: 6.2 billion pixels per input.
            DecodeBudget budget = new DecodeBudget(
                    Limits.builder().maxDecodedPixelsPerJob(15_000_000_000L).build());
            budget.charge(clip(0, 1920, 1080, 30, 100));
            budget.charge(clip(1, 1920, 1080, 30, 100));
            MediaException e = assertThrows(MediaException.class, () -> budget.charge(clip(2, 1920, 1080, 30, 100)));
            assertAll(
                    () -> assertEquals(ErrorCode.INPUT_TOO_LARGE, e.code()),
                    () -> assertEquals(2, e.inputIndex().orElseThrow()),
                    () -> assertEquals(
                            "the inputs up to input 2 decode 18.7 billion pixels together (width x height x frames),"
                                    + " more than the 15.0 billion allowed per job",
                            e.getMessage()));
        }

        @Test
        @DisplayName("nothing at the caps themselves")
        void atTheCaps() {
            DecodeBudget budget = new DecodeBudget(Limits.builder()
                    .maxDecodedPixelRate(1920L * 1080 * 30)
                    .maxDecodedPixelsPerJob(1920L * 1080 * 30 * 20)
                    .build());
            assertDoesNotThrow(() -> budget.charge(clip(0, 1920, 1080, 30, 10)));
            assertDoesNotThrow(() -> budget.charge(clip(1, 1920, 1080, 30, 10)));
        }
    }

    /**
     * Rewrites the Matroska DefaultDuration (ID 0x23E383, a 4-byte unsigned integer of nanoseconds) that says
     * {@code from} to {@code to}: the header's frame rate changes, the packets stay where they are.
     */
    private static void claimFrameDuration(Path file, int from, int to) throws IOException {
        byte[] bytes = Files.readAllBytes(file);
        int found = 0;
        for (int i = 0; i + 8 <= Math.min(bytes.length, 8192); i++) {
            if ((bytes[i] & 0xff) == 0x23
                    && (bytes[i + 1] & 0xff) == 0xE3
                    && (bytes[i + 2] & 0xff) == 0x83
                    && (bytes[i + 3] & 0xff) == 0x84
                    && ByteBuffer.wrap(bytes, i + 4, 4).getInt() == from) {
                ByteBuffer.wrap(bytes, i + 4, 4).putInt(to);
                found++;
            }
        }
        assertEquals(1, found, "the video track's DefaultDuration");
        Files.write(file, bytes);
    }
}
