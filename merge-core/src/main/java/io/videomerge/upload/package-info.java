/**
 * The upload stage's implementations that ship with the core: {@link io.videomerge.upload.FileSystemUploader}
 * publishes merged files, owner-only by default, into a folder served under a base URL, and
 * {@link io.videomerge.upload.UrlSigner} makes the URLs it returns expire. Other destinations implement
 * {@link io.videomerge.spi.Uploader}.
 */
package io.videomerge.upload;
