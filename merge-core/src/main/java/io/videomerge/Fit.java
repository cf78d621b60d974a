package io.videomerge;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How a clip of another shape fills the canvas. Default {@link #PAD}. */
public enum Fit {
    /** Scale to fit inside the canvas and centre it on black bars (letterbox or pillarbox). */
    PAD("pad"),
    /** Scale to cover the whole canvas and cut off what overflows, centred. */
    CROP("crop");

    public static final Fit DEFAULT = PAD;

    private final String wire;

    Fit(String wire) {
        this.wire = wire;
    }

    public String wire() {
        return wire;
    }

    /**
     * The fit for a wire form.
     *
     * @throws InvalidRequestException naming the allowed values when {@code wire} is not one of them
     */
    public static Fit fromWire(String wire) {
        for (Fit f : values()) {
            if (f.wire.equals(wire)) {
                return f;
            }
        }
        throw new InvalidRequestException("fit must be one of " + allowed() + ", got " + Quality.quote(wire));
    }

    public static String allowed() {
        return Arrays.stream(values()).map(f -> '"' + f.wire + '"').collect(Collectors.joining(", "));
    }
}
