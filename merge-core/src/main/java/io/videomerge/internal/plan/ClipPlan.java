package io.videomerge.internal.plan;

import static java.util.Objects.requireNonNull;

import io.videomerge.Canvas;
import io.videomerge.Fit;
import java.util.Locale;

/**
 * What happens to one clip on the re-encode path: rotated upright, scaled to {@code scaledWidth} x
 * {@code scaledHeight} (square pixels), then padded or cropped to the canvas, centred.
 *
 * @param index           the clip's zero-based position in the request
 * @param startSeconds    where the clip starts on its container's timeline ({@link
 *                        io.videomerge.internal.probe.ClipInfo#startSeconds()}): readers shift its timestamps by
 *                        this, so that the clip's own timeline starts at 0
 * @param durationSeconds the time the clip occupies on the output timeline before overlaps
 * @param rotation        clockwise rotation applied to make it upright: 0, 90, 180 or 270
 * @param scaledWidth     width after scaling, even
 * @param scaledHeight    height after scaling, even
 * @param canvas          the output size
 * @param fit             whether the scaled picture is padded ({@code <=} canvas) or cropped ({@code >=})
 * @param hasAudio        whether the clip's audio is used; without it the clip's segment is silent
 */
public record ClipPlan(
        int index,
        double startSeconds,
        double durationSeconds,
        int rotation,
        int scaledWidth,
        int scaledHeight,
        Canvas canvas,
        Fit fit,
        boolean hasAudio) {
    public ClipPlan {
        requireNonNull(canvas, "canvas");
        requireNonNull(fit, "fit");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0: " + index);
        }
        if (!Double.isFinite(startSeconds)) {
            throw new IllegalArgumentException("startSeconds must be finite: " + startSeconds);
        }
        if (!(durationSeconds > 0) || Double.isInfinite(durationSeconds)) {
            throw new IllegalArgumentException("durationSeconds must be finite and > 0: " + durationSeconds);
        }
        if (rotation != 0 && rotation != 90 && rotation != 180 && rotation != 270) {
            throw new IllegalArgumentException("rotation must be 0, 90, 180 or 270: " + rotation);
        }
        if (scaledWidth <= 0 || scaledHeight <= 0 || scaledWidth % 2 != 0 || scaledHeight % 2 != 0) {
            throw new IllegalArgumentException(
                    "scaled size must be positive and even: " + scaledWidth + "x" + scaledHeight);
        }
        boolean inside = scaledWidth <= canvas.width() && scaledHeight <= canvas.height();
        boolean covers = scaledWidth >= canvas.width() && scaledHeight >= canvas.height();
        if (fit == Fit.PAD ? !inside : !covers) {
            throw new IllegalArgumentException("scaled size " + scaledWidth + "x" + scaledHeight + " does not "
                    + fit.name().toLowerCase(Locale.ROOT) + " " + canvas);
        }
    }

    /**
     * This plan for pictures of another coded size and sample aspect ratio (a stream whose resolution changes
     * mid-way): the same rotation, canvas and fit, the scaled size worked out again so the new pictures are not
     * distorted.
     */
    public ClipPlan refit(int codedWidth, int codedHeight, int sarNum, int sarDen) {
        int[] size = Planner.scaledSize(codedWidth, codedHeight, sarNum, sarDen, rotation, canvas, fit);
        if (size[0] == scaledWidth && size[1] == scaledHeight) {
            return this;
        }
        return new ClipPlan(index, startSeconds, durationSeconds, rotation, size[0], size[1], canvas, fit, hasAudio);
    }

    /** Left offset of the picture on the canvas (pad), or of the canvas in the picture (crop); even. */
    public int offsetX() {
        return (Math.abs(canvas.width() - scaledWidth) / 2) & ~1;
    }

    /** Top offset of the picture on the canvas (pad), or of the canvas in the picture (crop); even. */
    public int offsetY() {
        return (Math.abs(canvas.height() - scaledHeight) / 2) & ~1;
    }

    /**
     * Whether {@link #videoFilter()} leaves the geometry of a {@code width x height} picture as it is: no rotation,
     * and the picture, its scaled size and the canvas are all the same size (nothing to scale, pad or crop).
     */
    public boolean keepsPicture(int width, int height) {
        return rotation == 0
                && width == scaledWidth
                && height == scaledHeight
                && scaledWidth == canvas.width()
                && scaledHeight == canvas.height();
    }

    /**
     * The libavfilter graph description turning a decoded frame of this clip into a canvas-sized
     * yuv420p frame with square pixels. Frames stay in YUV throughout; the scaler converts the pixel
     * format in the same pass as the resize.
     */
    public String videoFilter() {
        StringBuilder f = new StringBuilder();
        switch (rotation) {
            case 90 -> f.append("transpose=clock,");
            case 180 -> f.append("hflip,vflip,");
            case 270 -> f.append("transpose=cclock,");
            default -> {}
        }
        f.append("scale=")
                .append(scaledWidth)
                .append(':')
                .append(scaledHeight)
                .append(":flags=bicubic:out_range=tv,format=yuv420p,");
        if (scaledWidth != canvas.width() || scaledHeight != canvas.height()) {
            if (fit == Fit.PAD) {
                f.append("pad=")
                        .append(canvas.width())
                        .append(':')
                        .append(canvas.height())
                        .append(':')
                        .append(offsetX())
                        .append(':')
                        .append(offsetY())
                        .append(":color=black,");
            } else {
                f.append("crop=")
                        .append(canvas.width())
                        .append(':')
                        .append(canvas.height())
                        .append(':')
                        .append(offsetX())
                        .append(':')
                        .append(offsetY())
                        .append(',');
            }
        }
        f.append("setsar=1");
        return f.toString();
    }
}
