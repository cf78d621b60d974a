package io.videomerge.internal.disk;

import io.videomerge.ErrorCode;
import io.videomerge.ProcessingException;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * What the merge knows about the disk it writes to: whether a failed write failed for lack of space, and how
 * much space is left.
 *
 * <p>Every stage that writes (the download of an input, the encoder's output, the upload, the job's folder)
 * asks {@link #isFull(Throwable)} or {@link #isFull(int)} and reports {@link ErrorCode#STORAGE_FULL} through
 * {@link #full(String, Throwable)}, so that a full disk is never reported as a bad input or a permanent failure.
 */
public final class DiskSpace {
    /** {@code AVERROR(ENOSPC)} on Linux: what libavformat returns when a write finds the disk full. */
    private static final int AVERROR_ENOSPC = -28;
    /** {@code AVERROR(EDQUOT)} on Linux: the disk quota is exhausted. */
    private static final int AVERROR_EDQUOT = -122;

    private DiskSpace() {}

    /** Whether {@code failure}, or one of its causes, is a write refused for lack of space or quota. */
    public static boolean isFull(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            String text = t instanceof FileSystemException fs ? fs.getReason() : t.getMessage();
            if ((t instanceof IOException || t instanceof java.io.UncheckedIOException) && says(text)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a libav error code means the disk is full. */
    public static boolean isFull(int averror) {
        return averror == AVERROR_ENOSPC || averror == AVERROR_EDQUOT;
    }

    /**
     * The failure of a write that found no space: {@link ErrorCode#STORAGE_FULL}, retryable (space may be freed
     * before the next attempt).
     *
     * @param what what could not be written, for the message ("the merged file")
     */
    public static ProcessingException full(String what, Throwable cause) {
        return full(what, -1, cause);
    }

    /** As {@link #full(String, Throwable)}, for the download of the input at {@code inputIndex}. */
    public static ProcessingException full(String what, int inputIndex, Throwable cause) {
        return new ProcessingException(
                ErrorCode.STORAGE_FULL,
                what + " could not be written: no space left on the disk",
                inputIndex,
                true,
                cause);
    }

    /**
     * The bytes a new file under {@code directory} may take now, or {@link Long#MAX_VALUE} when the file
     * system does not tell. The directory need not exist: its nearest existing parent is asked.
     */
    public static long usableBytes(Path directory) {
        Path p = directory.toAbsolutePath();
        while (p != null && !Files.exists(p)) {
            p = p.getParent();
        }
        if (p == null) {
            return Long.MAX_VALUE;
        }
        try {
            return Files.getFileStore(p).getUsableSpace();
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }

    private static boolean says(String text) {
        if (text == null) {
            return false;
        }
        String t = text.toLowerCase(Locale.ROOT);
        return t.contains("no space left") || t.contains("disk quota exceeded");
    }
}
