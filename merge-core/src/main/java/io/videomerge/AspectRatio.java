package io.videomerge;

/** The shape of the output canvas, width to height. Default {@link #LANDSCAPE_16_9}. */
public enum AspectRatio {
    LANDSCAPE_16_9(16, 9),
    PORTRAIT_9_16(9, 16),
    SQUARE_1_1(1, 1),
    PORTRAIT_4_5(4, 5);

    public static final AspectRatio DEFAULT = LANDSCAPE_16_9;

    private final int width;
    private final int height;

    AspectRatio(int width, int height) {
        this.width = width;
        this.height = height;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }
}
