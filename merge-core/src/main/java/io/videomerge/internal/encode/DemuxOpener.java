package io.videomerge.internal.encode;

import java.nio.file.Path;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;

/**
 * Opens a downloaded input for reading packets under the media limits (protocol and container whitelists,
 * bounded probe, decoder options on the stream-parameter step), with no decoder left open. The stream-copy
 * path opens every input through one of these, never on its own.
 */
@FunctionalInterface
public interface DemuxOpener {
    /**
     * An open format context on {@code file}, its stream parameters found; the caller closes it with
     * {@code avformat_close_input}.
     *
     * @throws io.videomerge.MergeException naming {@code index} when the file is refused or unreadable
     */
    AVFormatContext open(Path file, int index);
}
