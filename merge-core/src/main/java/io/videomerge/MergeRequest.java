package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * What to merge and how: the clips in order, the output canvas (quality × aspect ratio), how clips of
 * another shape fit, how clips join, and how the encoder trades time for size.
 *
 * <p>The record checks its own shape; the configured {@link Limits} (how many clips, which URLs) are
 * checked by {@link MergeService} before anything runs.
 *
 * @param videoUrls   the clips, in the order they are joined
 * @param quality     the short side of the output canvas
 * @param aspectRatio the shape of the output canvas
 * @param fit         how a clip of another shape fills the canvas
 * @param transition  how each clip joins the next
 * @param callbackUrl where a submitted task's final status is posted, signed, once it ends (see
 *                    {@link Webhooks}); checked by the same URL rules as the inputs when the task is submitted and
 *                    again at each delivery. A service without webhooks refuses a request that has one.
 * @param speed       how the encoder trades time for file size; empty: the speed of the service that runs the
 *                    merge ({@link MergeService.Builder#speed}), decided when the merge runs, not when it is submitted
 */
public record MergeRequest(
        List<URI> videoUrls,
        Quality quality,
        AspectRatio aspectRatio,
        Fit fit,
        Transition transition,
        Optional<URI> callbackUrl,
        Optional<Speed> speed) {
    /**
     * Copies the list and checks that nothing is missing.
     *
     * @param videoUrls   the clips, in the order they are joined
     * @param quality     the short side of the output canvas
     * @param aspectRatio the shape of the output canvas
     * @param fit         how a clip of another shape fills the canvas
     * @param transition  how each clip joins the next
     * @param callbackUrl where the final status is posted, if anywhere
     * @param speed       how the encoder trades time for size; empty for the service's speed
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
        requireNonNull(callbackUrl, "callbackUrl");
        requireNonNull(speed, "speed");
    }

    /**
     * A request at the service's speed.
     *
     * @param videoUrls   the clips, in the order they are joined
     * @param quality     the short side of the output canvas
     * @param aspectRatio the shape of the output canvas
     * @param fit         how a clip of another shape fills the canvas
     * @param transition  how each clip joins the next
     * @param callbackUrl where the final status is posted, if anywhere
     */
    public MergeRequest(
            List<URI> videoUrls,
            Quality quality,
            AspectRatio aspectRatio,
            Fit fit,
            Transition transition,
            Optional<URI> callbackUrl) {
        this(videoUrls, quality, aspectRatio, fit, transition, callbackUrl, Optional.empty());
    }

    /**
     * A request without a callback URL, at the service's speed.
     *
     * @param videoUrls   the clips, in the order they are joined
     * @param quality     the short side of the output canvas
     * @param aspectRatio the shape of the output canvas
     * @param fit         how a clip of another shape fills the canvas
     * @param transition  how each clip joins the next
     */
    public MergeRequest(List<URI> videoUrls, Quality quality, AspectRatio aspectRatio, Fit fit, Transition transition) {
        this(videoUrls, quality, aspectRatio, fit, transition, Optional.empty(), Optional.empty());
    }

    /**
     * A request with the defaults of the HTTP contract: 1080, 16:9, pad, 0.5 s fade, the service's speed.
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
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition, callbackUrl, speed);
    }

    /**
     * {@return a copy with another aspect ratio}
     *
     * @param aspectRatio the shape of the output canvas
     */
    public MergeRequest withAspectRatio(AspectRatio aspectRatio) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition, callbackUrl, speed);
    }

    /**
     * {@return a copy with another fit}
     *
     * @param fit how a clip of another shape fills the canvas
     */
    public MergeRequest withFit(Fit fit) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition, callbackUrl, speed);
    }

    /**
     * {@return a copy with another transition}
     *
     * @param transition how each clip joins the next
     */
    public MergeRequest withTransition(Transition transition) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition, callbackUrl, speed);
    }

    /**
     * {@return a copy whose task posts its final status to {@code url} when it ends}
     *
     * @param url the callback URL, checked by the URL rules when the task is submitted and at each delivery
     */
    public MergeRequest withCallbackUrl(URI url) {
        return new MergeRequest(
                videoUrls, quality, aspectRatio, fit, transition, Optional.of(requireNonNull(url, "url")), speed);
    }

    /**
     * {@return a copy encoded at {@code speed}, whatever the service's speed}
     *
     * @param speed how the encoder trades time for file size
     */
    public MergeRequest withSpeed(Speed speed) {
        return new MergeRequest(
                videoUrls,
                quality,
                aspectRatio,
                fit,
                transition,
                callbackUrl,
                Optional.of(requireNonNull(speed, "speed")));
    }

    /** {@return the output size this request asks for: its quality at its aspect ratio} */
    public Canvas canvas() {
        return quality.canvas(aspectRatio);
    }
}
