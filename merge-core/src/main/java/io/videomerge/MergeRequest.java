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
 */
public record MergeRequest(
        List<URI> videoUrls, Quality quality, AspectRatio aspectRatio, Fit fit, Transition transition) {
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

    /** A request with the defaults of the HTTP contract: 1080, 16:9, pad, 0.5 s fade. */
    public static MergeRequest of(List<URI> videoUrls) {
        return new MergeRequest(videoUrls, Quality.DEFAULT, AspectRatio.DEFAULT, Fit.DEFAULT, Transition.DEFAULT);
    }

    public MergeRequest withQuality(Quality quality) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    public MergeRequest withAspectRatio(AspectRatio aspectRatio) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    public MergeRequest withFit(Fit fit) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    public MergeRequest withTransition(Transition transition) {
        return new MergeRequest(videoUrls, quality, aspectRatio, fit, transition);
    }

    /** The output size this request asks for. */
    public Canvas canvas() {
        return quality.canvas(aspectRatio);
    }
}
