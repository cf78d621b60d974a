package io.videomerge;

/**
 * The output resolution class, named by the short side of the canvas.
 * Default {@link #P1080}. The canvas for each ratio is in {@link #canvas(AspectRatio)}.
 */
public enum Quality {
    /** 480 pixels on the short side: 854x480 at 16:9. */
    P480(480),
    /** 720 pixels on the short side: 1280x720 at 16:9. */
    P720(720),
    /** 1080 pixels on the short side: 1920x1080 at 16:9. */
    P1080(1080),
    /** 2160 pixels on the short side: 3840x2160 at 16:9. */
    P2160(2160);

    /** The quality of a request that names none: {@link #P1080}. */
    public static final Quality DEFAULT = P1080;

    private final int shortSide;

    Quality(int shortSide) {
        this.shortSide = shortSide;
    }

    /**
     * The output canvas: the short side is this quality's number, the long side follows the ratio,
     * rounded to an even number (H.264 with 4:2:0 chroma needs even sizes). 720 at 16:9 is 1280x720,
     * 1080 at 9:16 is 1080x1920, 480 at 16:9 is 854x480.
     *
     * @param ratio the shape of the canvas
     * @return the canvas
     */
    public Canvas canvas(AspectRatio ratio) {
        int w = ratio.width();
        int h = ratio.height();
        if (w >= h) {
            return new Canvas(even((long) shortSide * w, h), shortSide);
        }
        return new Canvas(shortSide, even((long) shortSide * h, w));
    }

    private static int even(long numerator, int denominator) {
        long rounded = Math.round((double) numerator / denominator);
        return (int) (rounded + (rounded & 1));
    }
}
