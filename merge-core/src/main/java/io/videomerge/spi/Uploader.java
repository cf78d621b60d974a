package io.videomerge.spi;

import java.net.URI;
import java.nio.file.Path;

/**
 * Publishes a merged file, and its poster, and returns the URL clients download each from.
 *
 * <p>Called from a worker thread, once per file of a successful merge (the video, then its JPEG poster unless
 * posters are off); implementations must be thread-safe. The file is deleted by the caller after this method
 * returns.
 */
public interface Uploader {
    /**
     * Stores {@code file} under {@code name} and returns its public URL.
     *
     * @param file a finished MP4 file or JPEG poster, readable until this method returns
     * @param name a safe file name chosen by videomerge, unique per task: {@code <task>.mp4} for the video,
     *             {@code <task>-poster.jpg} for its poster (both {@code [a-z0-9-]+\.(mp4|jpg)})
     * @return the URL under which the file can be fetched
     * @throws java.io.IOException when the file could not be stored; the merge fails with UPLOAD_FAILED
     */
    URI upload(Path file, String name) throws java.io.IOException;

    /**
     * Deletes a file this uploader published, once its task has been purged from the job store. The default
     * keeps every file (an uploader that cannot delete says so by not overriding this).
     *
     * @param url a URL this uploader returned from {@link #upload}; anything else is left alone
     * @return whether a file was deleted
     * @throws java.io.IOException when the file exists but could not be deleted; the janitor logs it and moves on
     */
    default boolean delete(URI url) throws java.io.IOException {
        return false;
    }
}
