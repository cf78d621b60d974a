package io.videomerge;

/**
 * The size of the output video in pixels; both sides are positive and even (H.264 with 4:2:0 chroma needs even
 * sizes).
 *
 * @param width  the width in pixels
 * @param height the height in pixels
 */
public record Canvas(int width, int height) {
    /**
     * Checks the sides.
     *
     * @param width  the width in pixels
     * @param height the height in pixels
     * @throws IllegalArgumentException when a side is not positive or odd
     */
    public Canvas {
        if (width <= 0 || height <= 0 || width % 2 != 0 || height % 2 != 0) {
            throw new IllegalArgumentException("canvas sides must be positive and even: " + width + "x" + height);
        }
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}
