package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.ProcessingException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Runs an {@link Mp4Writer} on its own thread, so that encoding one frame overlaps decoding, filtering
 * and blending the next. Frames are handed over by reference (no copy) through a short queue, which
 * bounds the memory to a few frames.
 */
final class PipelinedWriter implements AutoCloseable {
    private static final int QUEUE = 6;
    private static final long POLL_MILLIS = 100;

    private sealed interface Item permits Video, Audio, End {}

    private record Video(AVFrame frame, long index) implements Item {}

    private record Audio(float[] left, float[] right, int count) implements Item {}

    private record End() implements Item {}

    private final Mp4Writer writer;
    private final BlockingQueue<Item> queue = new ArrayBlockingQueue<>(QUEUE);
    private final Thread thread;
    private volatile RuntimeException failure;
    private volatile boolean finished;

    PipelinedWriter(Mp4Writer writer) {
        this.writer = writer;
        this.thread = new Thread(this::drain, "videomerge-encoder");
        thread.setDaemon(true);
        thread.start();
    }

    /** Queues {@code frame} (referenced, not copied; the caller keeps its own reference) as output frame {@code index}. */
    void writeVideo(AVFrame frame, long index) {
        AVFrame ref = av_frame_clone(frame);
        if (ref == null) {
            throw new ProcessingException("could not reference a frame", null);
        }
        try {
            put(new Video(ref, index));
        } catch (RuntimeException e) {
            av_frame_free(ref);
            throw e;
        }
    }

    /** Queues a copy of {@code count} stereo samples. */
    void writeAudio(float[] left, float[] right, int count) {
        put(new Audio(Arrays.copyOf(left, count), Arrays.copyOf(right, count), count));
    }

    /** Waits until everything queued is encoded and the file is complete. */
    void finish() {
        put(new End());
        try {
            while (!finished) {
                rethrow();
                thread.join(POLL_MILLIS);
                if (!thread.isAlive() && !finished) {
                    rethrow();
                    throw new ProcessingException("the encoder stopped", null);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MergeException(ErrorCode.CANCELLED, "the merge was interrupted");
        }
    }

    private void put(Item item) {
        try {
            while (!queue.offer(item, POLL_MILLIS, TimeUnit.MILLISECONDS)) {
                rethrow();
            }
            rethrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MergeException(ErrorCode.CANCELLED, "the merge was interrupted");
        }
    }

    private void rethrow() {
        RuntimeException f = failure;
        if (f != null) {
            throw f;
        }
    }

    private void drain() {
        try {
            while (true) {
                Item item = queue.take();
                if (item instanceof Video v) {
                    try {
                        writer.writeVideo(v.frame(), v.index());
                    } finally {
                        av_frame_free(v.frame());
                    }
                } else if (item instanceof Audio a) {
                    writer.writeAudio(a.left(), a.right(), a.count());
                } else {
                    writer.finish();
                    finished = true;
                    return;
                }
            }
        } catch (InterruptedException e) {
            // close() stops an unfinished encode; the output is deleted by the caller.
        } catch (RuntimeException e) {
            failure = e;
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Item left;
        while ((left = queue.poll()) != null) {
            if (left instanceof Video v) {
                av_frame_free(v.frame());
            }
        }
        writer.close();
    }
}
