package io.videomerge.internal.encode;

import io.videomerge.ProcessingException;
import io.videomerge.internal.disk.DiskSpace;
import java.io.IOException;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;

/** The one way the encode stage turns an FFmpeg return code into an exception. */
final class NativeCall {
    private static final int ERROR_TEXT_BYTES = 128;

    private NativeCall() {}

    /**
     * Throws a {@link ProcessingException} naming {@code what} when an FFmpeg call returned an error code; FFmpeg's
     * own text stays out of the message.
     */
    static void check(int ret, String what) {
        if (ret < 0) {
            throw new ProcessingException("could not " + what, null);
        }
    }

    /**
     * Like {@link #check}, for a call that writes the merged file: a write refused for lack of space or quota
     * ({@code ENOSPC}, {@code EDQUOT}) is {@link DiskSpace#full} ({@link io.videomerge.ErrorCode#STORAGE_FULL},
     * retryable), never a failure of the merge itself.
     */
    static void checkWrite(int ret, String what) {
        if (ret < 0 && DiskSpace.isFull(ret)) {
            throw DiskSpace.full("the merged file", new IOException("could not " + what + ": " + text(ret)));
        }
        check(ret, what);
    }

    /** FFmpeg's text for {@code ret} (for the cause, which the log may show; never for a client). */
    private static String text(int ret) {
        try (BytePointer buffer = new BytePointer(ERROR_TEXT_BYTES)) {
            return avutil.av_strerror(ret, buffer, ERROR_TEXT_BYTES) == 0 ? buffer.getString() : "error " + ret;
        }
    }
}
