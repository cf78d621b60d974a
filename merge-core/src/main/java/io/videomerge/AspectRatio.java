package io.videomerge;

/** The shape of the output canvas, width to height. Default {@link #LANDSCAPE_16_9}. */
public enum AspectRatio {
    /** 16:9, landscape: a television or a desktop player. */
    LANDSCAPE_16_9(16, 9),
    /** 9:16, portrait: full-screen stories and short videos on a phone. */
    PORTRAIT_9_16(9, 16),
    /** 1:1, square. */
    SQUARE_1_1(1, 1),
    /** 4:5, portrait: a feed post on a phone. */
    PORTRAIT_4_5(4, 5);

    /** The ratio of a request that names none: {@link #LANDSCAPE_16_9}. */
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
