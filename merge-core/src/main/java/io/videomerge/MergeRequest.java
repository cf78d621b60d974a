package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;

/**
 * What to merge and how: the clips in order, the output canvas (quality × aspect ratio), how clips of
 * another shape fit, and how clips join.
 *
 * <p>The record checks its own shape; the configured {@link Limits} (how many clips, which URLs) are
 * checked by {@link MergeService} before anything runs.
 *
 * @param videoUrls   the clips, in the order they are joined
 * @param quality     the short side of the output canvas
 * @param aspectRatio the shape of the output canvas
 * @param fit         how a clip of another shape fills the canvas
 * @param transition  how each clip joins the next
 */
public record MergeRequest(
        List<URI> videoUrls, Quality quality, AspectRatio aspectRatio, Fit fit, Transition transition) {
    /**
     * Copies the list and checks that nothing is missing.
     *
     * @param videoUrls   the clips, in the order they are joined
     * @param quality     the short side of the output canvas
     * @param aspectRatio the shape of the output canvas
     * @param fit         how a clip of another shape fills the canvas
     * @param transition  how each clip joins the next
     * @throws InvalidRequestException when {@code videoUrls} is empty
     * @throws NullPointerException when a component is null
     */
    public MergeRequest {
        requireNonNull(videoUrls, "videoUrls");
        videoUrls = List.copyOf(videoUrls);
        if (videoUrls.isEmpty()) {
            throw new InvalidRequestException("video_urls must list at least one URL");
        }
        requireNonNull(quality, "quality");
        requireNonNull(aspectRatio, "aspectRatio");
        requireNonNull(fit, "fit");
        requireNonNull(transition, "transition");
    }

    /**
     * A request with the defaults of the HTTP contract: 1080, 16:9, pad, 0.5 s fade.
     *
     * @param videoUrls the clips, in the order they are joined
     * @return the request
     */
    public static MergeRequest of(List<URI> videoUrls) {
        return new MergeRequest(videoUrls, Quality.DEFAULT, AspectRatio.DEFAULT, Fit.DEFAULT, Transition.DEFAULT);
    }

    /**
     * {@return a copy with another quality}
     *
     * @param quality the short side of the output canvas
     */
    public MergeRequest withQuality(Quality quality) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    /**
     * {@return a copy with another aspect ratio}
     *
     * @param aspectRatio the shape of the output canvas
     */
    public MergeRequest withAspectRatio(AspectRatio aspectRatio) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    /**
     * {@return a copy with another fit}
     *
     * @param fit how a clip of another shape fills the canvas
     */
    public MergeRequest withFit(Fit fit) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    /**
     * {@return a copy with another transition}
     *
     * @param transition how each clip joins the next
     */
    public MergeRequest withTransition(Transition transition) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    /** {@return the output size this request asks for: its quality at its aspect ratio} */
    public Canvas canvas() {
        return quality.canvas(aspectRatio);
    }
}
