package io.videomerge;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The output resolution class, named by the short side of the canvas; its wire form is {@code "720"} etc.
 * Default {@link #P1080}. The canvas for each ratio is in {@link #canvas(AspectRatio)}.
 */
public enum Quality {
    P480("480", 480),
    P720("720", 720),
    P1080("1080", 1080),
    P2160("2160", 2160);

    public static final Quality DEFAULT = P1080;
    private static final int MAX_QUOTED = 32;

    private final String wire;
    private final int shortSide;

    Quality(String wire, int shortSide) {
        this.wire = wire;
        this.shortSide = shortSide;
    }

    /** The wire form, for example {@code "1080"}. */
    public String wire() {
        return wire;
    }

    /**
     * The output canvas: the short side is this quality's number, the long side follows the ratio,
     * rounded to an even number (H.264 with 4:2:0 chroma needs even sizes). 720 at 16:9 is 1280x720,
     * 1080 at 9:16 is 1080x1920, 480 at 16:9 is 854x480.
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

    /**
     * The quality for a wire form.
     *
     * @throws InvalidRequestException naming the allowed values when {@code wire} is not one of them
     */
    public static Quality fromWire(String wire) {
        for (Quality q : values()) {
            if (q.wire.equals(wire)) {
                return q;
            }
        }
        throw new InvalidRequestException("quality must be one of " + allowed() + ", got " + quote(wire));
    }

    /** The allowed wire forms, comma-separated and quoted. */
    public static String allowed() {
        return Arrays.stream(values()).map(q -> '"' + q.wire + '"').collect(Collectors.joining(", "));
    }

    static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
        return '"' + shown.replaceAll("[^\\x20-\\x7e]", "?") + '"';
    }
}
