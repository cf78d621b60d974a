package io.videomerge.internal.probe;

import org.bytedeco.ffmpeg.global.avutil;

/**
 * Sets FFmpeg's own log level once per process: errors only, on the native stderr. FFmpeg text never
 * reaches a client; our messages are written by us.
 */
final class NativeLog {
    private static volatile boolean done;

    private NativeLog() {}

    static void init() {
        if (!done) {
            synchronized (NativeLog.class) {
                if (!done) {
                    avutil.av_log_set_level(avutil.AV_LOG_ERROR);
                    done = true;
                }
            }
        }
    }
}
