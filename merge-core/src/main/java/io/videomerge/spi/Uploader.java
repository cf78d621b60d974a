package io.videomerge.spi;

import java.net.URI;
import java.nio.file.Path;

/**
 * Publishes a merged file and returns the URL clients download it from.
 *
 * <p>Called from a worker thread, once per successful merge; implementations must be thread-safe.
 * The file is deleted by the caller after this method returns.
 */
public interface Uploader {
    /**
     * Stores {@code file} under {@code name} and returns its public URL.
     *
     * @param file a finished MP4 file, readable until this method returns
     * @param name a safe file name chosen by videomerge ({@code [a-z0-9-]+\.mp4}), unique per task
     * @return the URL under which the file can be fetched
     * @throws java.io.IOException when the file could not be stored; the merge fails with UPLOAD_FAILED
     */
    URI upload(Path file, String name) throws java.io.IOException;
}
