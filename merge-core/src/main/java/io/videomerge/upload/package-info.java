/**
 * The upload stage's implementations that ship with the core: {@link io.videomerge.upload.FileSystemUploader}
 * publishes merged files into a folder served under a base URL. Other destinations implement
 * {@link io.videomerge.spi.Uploader}.
 */
package io.videomerge.upload;
