package io.videomerge.internal.encode;

import io.videomerge.internal.probe.DecodingInput;
import java.nio.file.Path;

/**
 * Opens a downloaded input for decoding under the media limits (whitelists, pixel cap). The transcoder
 * opens every input through one of these, never on its own (the remuxer, which decodes nothing, uses a
 * {@link DemuxOpener}).
 */
@FunctionalInterface
public interface ClipOpener {
    /**
     * {@code file} opened for decoding; the caller closes it.
     *
     * @throws io.videomerge.MergeException naming {@code index} when the file is refused or unreadable
     */
    DecodingInput open(Path file, int index);
}
