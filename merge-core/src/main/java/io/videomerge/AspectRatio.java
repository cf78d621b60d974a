package io.videomerge;

import java.util.Arrays;
import java.util.stream.Collectors;

/** The shape of the output canvas; its wire form is {@code "W:H"}. Default {@link #LANDSCAPE_16_9}. */
public enum AspectRatio {
    LANDSCAPE_16_9("16:9", 16, 9),
    PORTRAIT_9_16("9:16", 9, 16),
    SQUARE_1_1("1:1", 1, 1),
    PORTRAIT_4_5("4:5", 4, 5);

    public static final AspectRatio DEFAULT = LANDSCAPE_16_9;

    private final String wire;
    private final int width;
    private final int height;

    AspectRatio(String wire, int width, int height) {
        this.wire = wire;
        this.width = width;
        this.height = height;
    }

    /** The wire form, for example {@code "9:16"}. */
    public String wire() {
        return wire;
    }

    int width() {
        return width;
    }

    int height() {
        return height;
    }

    /**
     * The ratio for a wire form.
     *
     * @throws InvalidRequestException naming the allowed values when {@code wire} is not one of them
     */
    public static AspectRatio fromWire(String wire) {
        for (AspectRatio r : values()) {
            if (r.wire.equals(wire)) {
                return r;
            }
        }
        throw new InvalidRequestException("aspect_ratio must be one of " + allowed() + ", got " + Quality.quote(wire));
    }

    /** The allowed wire forms, comma-separated and quoted, for error messages and documentation. */
    public static String allowed() {
        return Arrays.stream(values()).map(r -> '"' + r.wire + '"').collect(Collectors.joining(", "));
    }
}
