package io.videomerge.internal.encode;

import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * Opens a downloaded input for decoding under the media limits (whitelists, pixel cap). The encoders
 * open every input through one of these, never on their own.
 */
@FunctionalInterface
public interface ClipOpener {
    /**
     * A started grabber on {@code file}; the caller stops it.
     *
     * @throws io.videomerge.MergeException naming {@code index} when the file is refused or unreadable
     */
    FFmpegFrameGrabber open(Path file, int index);
}
