package io.videomerge.internal.isolate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.ProcessingException;
import io.videomerge.Speed;
import io.videomerge.internal.disk.DiskSpace;
import io.videomerge.internal.media.MediaStep;
import io.videomerge.internal.media.MediaStep.MediaOutcome;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ProtocolTest {
    private static final String MARKER = Protocol.marker("t0ken");

    private static List<Protocol.Frame> frames(String stdout) throws IOException {
        InputStream in = new ByteArrayInputStream(stdout.getBytes(StandardCharsets.UTF_8));
        List<Protocol.Frame> frames = new ArrayList<>();
        Optional<String> line;
        while ((line = Protocol.readLine(in)).isPresent()) {
            Protocol.frame(line.get(), MARKER).ifPresent(frames::add);
        }
        return frames;
    }

    @Test
    @DisplayName("the request's speed reaches the child as it was resolved; a request without one arrives without one")
    void speedReachesTheChild() {
        MergeRequest merge = MergeRequest.of(
                        List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")))
                .withSpeed(Speed.SMALL);
        Protocol.Request request = new Protocol.Request(
                List.of(Path.of("/work/job-1/clip-0.bin"), Path.of("/work/job-1/clip-1.bin")),
                Path.of("/work/job-1/merged.mp4"),
                merge,
                Limits.defaults());

        Protocol.Request read = Protocol.readRequest(Protocol.writeRequest(request));

        assertEquals(Optional.of(Speed.SMALL), read.request().speed());
        assertEquals(merge, read.request());
        Protocol.Request without = new Protocol.Request(
                request.inputs(), request.output(), MergeRequest.of(merge.videoUrls()), Limits.defaults());
        assertEquals(
                Optional.empty(),
                Protocol.readRequest(Protocol.writeRequest(without)).request().speed());
    }

    @Test
    @DisplayName("a request's poster (file and instant) reaches the child, and the done frame brings the poster's "
            + "file and size back; without a poster, neither carries one")
    void posterCrossesBothWays() throws IOException {
        Path out = Path.of("/work/job-1/merged.mp4");
        MediaStep.PosterTarget target =
                new MediaStep.PosterTarget(Path.of("/work/job-1/poster.jpg"), Duration.ofMillis(1500));
        Protocol.Request request = new Protocol.Request(
                List.of(Path.of("/work/job-1/clip-0.bin")),
                out,
                MergeRequest.of(
                        List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4"))),
                Limits.defaults(),
                Optional.of(target));
        assertEquals(
                Optional.of(target),
                Protocol.readRequest(Protocol.writeRequest(request)).poster());
        Protocol.Request without = new Protocol.Request(request.inputs(), out, request.request(), Limits.defaults());
        assertEquals(
                Optional.empty(),
                Protocol.readRequest(Protocol.writeRequest(without)).poster());

        MediaStep.MediaOutcome done = new MediaStep.MediaOutcome(
                2,
                3.0,
                false,
                Duration.ofMillis(5),
                Duration.ofMillis(7),
                Optional.of(new MediaStep.Poster(target.file(), 12_345)));
        assertEquals(done, frames(MARKER + Protocol.done(done) + "\n").get(0).outcome());
        MediaStep.MediaOutcome plain =
                new MediaStep.MediaOutcome(2, 3.0, true, Duration.ofMillis(5), Duration.ofMillis(7));
        assertEquals(plain, frames(MARKER + Protocol.done(plain) + "\n").get(0).outcome());
    }

    @Test
    @DisplayName("native text around frames is ignored, even when it shares a frame's line")
    void junkAroundFramesIsIgnored() throws IOException {
        String stdout = "[h264 @ 0x1] some native complaint\n"
                + "no newline from C" + MARKER + Protocol.input(1) + "\n"
                + Protocol.marker("other") + Protocol.progress(0.9) + "\n"
                + MARKER + "{not json\n"
                + MARKER + Protocol.progress(0.5) + "\n";
        List<Protocol.Frame> frames = frames(stdout);
        assertEquals(2, frames.size());
        assertEquals(1, frames.get(0).index());
        assertEquals(0.5, frames.get(1).fraction());
    }

    @Test
    @DisplayName("a line of endless junk keeps bounded memory and the frame that ends it is still found")
    void overlongJunkIsCutFromTheFront() throws IOException {
        String stdout = "x".repeat(Protocol.MAX_LINE_BYTES * 3) + MARKER + Protocol.input(4) + "\n";
        List<Protocol.Frame> frames = frames(stdout);
        assertEquals(1, frames.size());
        assertEquals(4, frames.get(0).index());
    }

    @Test
    @DisplayName("an error frame becomes the exception the child threw: code, message, input, retryability")
    void errorFrameKeepsTheFailure() throws IOException {
        String line =
                MARKER + Protocol.error(new MediaException(ErrorCode.UNSUPPORTED_CODEC, "input 2 uses x", 2)) + "\n";
        MergeException e = frames(line).get(0).failure();
        assertTrue(e instanceof MediaException);
        assertEquals(ErrorCode.UNSUPPORTED_CODEC, e.code());
        assertEquals("input 2 uses x", e.getMessage());
        assertEquals(2, e.inputIndex().orElseThrow());
    }

    @Test
    @DisplayName("a merge over its deadline reaches the parent as PROCESSING_TIMEOUT, final even if the frame says"
            + " otherwise")
    void processingTimeoutStaysFinal() throws IOException {
        String message = "the merge took longer than the 2m deadline its 12.0 s of output allow";
        String line = MARKER
                + Protocol.error(new MergeException(ErrorCode.PROCESSING_TIMEOUT, message, -1, false, null)) + "\n"
                + MARKER + "{\"t\":\"error\",\"code\":\"PROCESSING_TIMEOUT\",\"message\":\"m\",\"input\":-1,"
                + "\"retryable\":true}\n";
        List<Protocol.Frame> frames = frames(line);
        MergeException sent = frames.get(0).failure();
        assertEquals(ErrorCode.PROCESSING_TIMEOUT, sent.code());
        assertEquals(message, sent.getMessage());
        assertFalse(sent.isRetryable());
        assertFalse(sent.inputIndex().isPresent());
        assertFalse(frames.get(1).failure().isRetryable());
    }

    @Test
    @DisplayName("a full disk in the child reaches the parent as the retryable STORAGE_FULL the in-process step throws")
    void storageFullStaysRetryable() throws IOException {
        MergeException full = DiskSpace.full("the merged file", null);
        MergeException e = frames(MARKER + Protocol.error(full) + "\n").get(0).failure();
        assertInstanceOf(ProcessingException.class, e);
        assertEquals(ErrorCode.STORAGE_FULL, e.code());
        assertEquals(full.getMessage(), e.getMessage());
        assertTrue(e.isRetryable());
    }

    @Test
    @DisplayName("a done frame carries the outcome and the probe and encode times the child measured")
    void doneFrameCarriesStageTimes() throws IOException {
        MediaOutcome sent = new MediaOutcome(3, 12.5, true, Duration.ofMillis(420), Duration.ofNanos(1_234_567_891));

        MediaOutcome received =
                frames(MARKER + Protocol.done(sent) + "\n").get(0).outcome();

        assertEquals(sent, received);
    }
}
