package io.videomerge.internal.encode;

import io.videomerge.ProcessingException;

/** The one way the encode stage turns an FFmpeg return code into an exception. */
final class NativeCall {
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
}
