package io.videomerge.internal.encode;

import java.nio.file.Path;
import org.bytedeco.javacv.FFmpegFrameGrabber;

/**
 * Opens a downloaded input for decoding under the media limits (whitelists, pixel cap). The transcoder
 * opens every input through one of these, never on its own (the remuxer, which decodes nothing, uses a
 * {@link DemuxOpener}).
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
