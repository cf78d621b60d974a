package io.videomerge;

/** The size of the output video in pixels; both sides are positive and even. */
public record Canvas(int width, int height) {
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
