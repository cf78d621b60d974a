package io.videomerge.testing;

/**
 * A rectangle of a picture as fractions of its width and height, so it stays meaningful when a merge scales
 * the picture: {@code new Region(0, 0, 0.25, 0.25)} is the top-left sixteenth.
 *
 * @param left   left edge, 0..1
 * @param top    top edge, 0..1
 * @param width  width, more than 0, with {@code left + width <= 1}
 * @param height height, more than 0, with {@code top + height <= 1}
 */
public record Region(double left, double top, double width, double height) {

    public Region {
        if (left < 0
                || top < 0
                || !(width > 0)
                || !(height > 0)
                || left + width > 1 + 1e-9
                || top + height > 1 + 1e-9) {
            throw new IllegalArgumentException(
                    "region outside the unit square: " + left + "," + top + " " + width + "x" + height);
        }
    }

    /** The region shrunk around its centre to {@code share} of its width and height (to avoid edges). */
    public Region inner(double share) {
        double w = width * share;
        double h = height * share;
        return new Region(left + (width - w) / 2, top + (height - h) / 2, w, h);
    }
}
