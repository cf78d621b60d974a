package io.videomerge;

/** How a clip of another shape fills the canvas. Default {@link #PAD}. */
public enum Fit {
    /** Scale to fit inside the canvas and centre it on black bars (letterbox or pillarbox). */
    PAD,
    /** Scale to cover the whole canvas and cut off what overflows, centred. */
    CROP;

    /** The fit of a request that names none: {@link #PAD}. */
    public static final Fit DEFAULT = PAD;
}
