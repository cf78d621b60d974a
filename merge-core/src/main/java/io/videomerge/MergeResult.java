package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/**
 * The outcome of a successful merge.
 *
 * @param mergedUrl       where the {@link io.videomerge.spi.Uploader} put the merged file
 * @param durationSeconds the length of the merged file, measured from the written file
 * @param processingTime  wall time from the start of the first download to the end of the upload
 * @param clipsMerged     how many input clips the output holds
 * @param streamCopied    whether the merge remuxed packets without decoding or encoding
 * @param thumbnailUrl    where the {@link io.videomerge.spi.Uploader} put the merge's JPEG poster (a frame of the
 *                        merged file, see {@link MergeService.Builder#posterAt}); empty when no poster was made
 */
public record MergeResult(
        URI mergedUrl,
        double durationSeconds,
        Duration processingTime,
        int clipsMerged,
        boolean streamCopied,
        Optional<URI> thumbnailUrl) {
    /**
     * Checks the figures.
     *
     * @param mergedUrl       where the {@link io.videomerge.spi.Uploader} put the merged file
     * @param durationSeconds the length of the merged file, measured from the written file
     * @param processingTime  wall time from the start of the first download to the end of the upload
     * @param clipsMerged     how many input clips the output holds
     * @param streamCopied    whether the merge remuxed packets without decoding or encoding
     * @param thumbnailUrl    where the poster of the merged file was published, when one was made
     * @throws IllegalArgumentException when the duration is negative or not finite, no clip was merged, or the
     *     processing time is negative
     */
    public MergeResult {
        requireNonNull(mergedUrl, "mergedUrl");
        requireNonNull(processingTime, "processingTime");
        requireNonNull(thumbnailUrl, "thumbnailUrl");
        if (!(durationSeconds >= 0) || Double.isInfinite(durationSeconds)) {
            throw new IllegalArgumentException("durationSeconds must be finite and >= 0: " + durationSeconds);
        }
        if (clipsMerged < 1) {
            throw new IllegalArgumentException("clipsMerged must be >= 1: " + clipsMerged);
        }
        if (processingTime.isNegative()) {
            throw new IllegalArgumentException("processingTime must be >= 0: " + processingTime);
        }
    }

    /**
     * A result without a poster.
     *
     * @param mergedUrl       where the {@link io.videomerge.spi.Uploader} put the merged file
     * @param durationSeconds the length of the merged file, measured from the written file
     * @param processingTime  wall time from the start of the first download to the end of the upload
     * @param clipsMerged     how many input clips the output holds
     * @param streamCopied    whether the merge remuxed packets without decoding or encoding
     */
    public MergeResult(
            URI mergedUrl, double durationSeconds, Duration processingTime, int clipsMerged, boolean streamCopied) {
        this(mergedUrl, durationSeconds, processingTime, clipsMerged, streamCopied, Optional.empty());
    }

    /**
     * {@return a copy whose poster is at {@code url}}
     *
     * @param url where the poster was published
     */
    public MergeResult withThumbnailUrl(URI url) {
        return new MergeResult(mergedUrl, durationSeconds, processingTime, clipsMerged, streamCopied, Optional.of(url));
    }
}
