package io.videomerge.internal.isolate;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.internal.media.MediaStep;
import io.videomerge.internal.media.MediaStep.MediaOutcome;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.ffmpeg.global.swresample;
import org.bytedeco.ffmpeg.global.swscale;
import org.bytedeco.javacpp.Loader;

/**
 * The entry point of a child merge process ({@code java -cp ... ChildMain TOKEN}): loads the FFmpeg natives,
 * says it is ready, reads one request from stdin, runs the in-process {@link MediaStep} on it while streaming
 * progress, writes the outcome and exits. See {@link Protocol} for the exchange.
 */
public final class ChildMain {
    /** Progress steps smaller than this are not sent: the parent polls the store far less often anyway. */
    private static final double PROGRESS_STEP = 0.002;
    /** Exit status when an {@link Error} (out of memory, typically) ended the merge: the parent sees a crash. */
    static final int EXIT_ERROR = 70;

    private final PrintStream frames;
    private final String marker;

    private ChildMain(PrintStream frames, String token) {
        this.frames = frames;
        this.marker = Protocol.marker(token);
    }

    /** What runs between accepting a request and the media step: nothing, but in tests of crashes. */
    @FunctionalInterface
    interface BeforeMedia {
        void accept(Protocol.Request request, MediaStep.Observer observer);
    }

    public static void main(String[] args) {
        run(args, (request, observer) -> {});
    }

    /** The child's life; {@code beforeMedia} sees the accepted request first (tests put a crash there). */
    static void run(String[] args, BeforeMedia beforeMedia) {
        if (args.length != 1) {
            System.err.println("usage: ChildMain TOKEN (started by videomerge, not by hand)");
            System.exit(2);
        }
        // Our frames keep the real stdout; Java code that prints goes to stderr, which the parent only logs.
        PrintStream frames = new PrintStream(new FileOutputStream(FileDescriptor.out), false, StandardCharsets.UTF_8);
        System.setOut(System.err);
        ChildMain child = new ChildMain(frames, args[0]);
        int status = child.serve(System.in, beforeMedia);
        System.exit(status);
    }

    private int serve(InputStream in, BeforeMedia beforeMedia) {
        // Loading the natives before the request arrives is what makes a waiting spare child worth having.
        for (Class<?> natives :
                new Class<?>[] {avutil.class, avcodec.class, avformat.class, swscale.class, swresample.class}) {
            Loader.load(natives);
        }
        send(Protocol.ready());
        Optional<String> line;
        try {
            line = Protocol.readLine(in);
        } catch (IOException e) {
            return 0;
        }
        if (line.isEmpty()) {
            return 0;
        }
        Protocol.Request request = Protocol.readRequest(line.get());
        send(Protocol.accepted());
        watchParent(in);
        Reporter reporter = new Reporter();
        beforeMedia.accept(request, reporter);
        try (MediaStep step = MediaStep.local(request.limits())) {
            MediaOutcome outcome =
                    step.run(request.request(), request.inputs(), request.output(), request.poster(), reporter);
            send(Protocol.done(outcome));
        } catch (MergeException e) {
            send(Protocol.error(e));
        } catch (RuntimeException e) {
            e.printStackTrace();
            send(Protocol.error(new MergeException(ErrorCode.PROCESSING_FAILED, "the merge failed")));
        } catch (Error e) {
            // Out of native or heap memory, a linkage failure: as fatal as a crash, and reported as one.
            e.printStackTrace();
            return EXIT_ERROR;
        }
        return 0;
    }

    /** The parent closes our stdin to stop us, and its death closes it too: either way, stop at once. */
    private static void watchParent(InputStream in) {
        Thread watch = new Thread(
                () -> {
                    try {
                        while (in.read() >= 0) {
                            // The parent sends nothing after the request; anything else is ignored.
                        }
                    } catch (IOException e) {
                        // A broken stdin means the same as its end.
                    }
                    Runtime.getRuntime().halt(0);
                },
                "videomerge-child-stdin");
        watch.setDaemon(true);
        watch.start();
    }

    private synchronized void send(String frame) {
        frames.print(marker + frame + "\n");
        frames.flush();
    }

    private final class Reporter implements MediaStep.Observer {
        private double sent = -1;

        @Override
        public void progress(double fraction) {
            if (fraction - sent >= PROGRESS_STEP || fraction >= 1.0 && sent < 1.0) {
                sent = fraction;
                send(Protocol.progress(fraction));
            }
        }

        @Override
        public void input(int index) {
            send(Protocol.input(index));
        }
    }
}
