package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * How one clip joins the next: a cross-fade of video and audio lasting {@code duration}, or a hard cut.
 * The default is a 0.5 s fade, as the synchronous service this library replaces did.
 *
 * @param kind     fade or cut
 * @param duration the overlap; zero for {@link Kind#NONE}, between 1 ms and 10 s for {@link Kind#FADE}
 */
public record Transition(Kind kind, Duration duration) {
    /** The two kinds of join. */
    public enum Kind {
        /** Pictures blended and audio cross-faded over the overlap. */
        FADE,
        /** A hard cut. */
        NONE
    }

    private static final Duration MAX_FADE = Duration.ofSeconds(10);

    /** The transition of a request that names none: a 0.5 s fade. */
    public static final Transition DEFAULT = fade(Duration.ofMillis(500));

    /**
     * Checks the duration against the kind.
     *
     * @param kind     fade or cut
     * @param duration the overlap; zero for {@link Kind#NONE}, between 1 ms and 10 s for {@link Kind#FADE}
     * @throws IllegalArgumentException when a cut has a duration, or a fade is shorter than 1 ms or longer than 10 s
     */
    public Transition {
        requireNonNull(kind, "kind");
        requireNonNull(duration, "duration");
        if (kind == Kind.NONE && !duration.isZero()) {
            throw new IllegalArgumentException("a hard cut has no duration: " + duration);
        }
        if (kind == Kind.FADE && (duration.compareTo(Duration.ofMillis(1)) < 0 || duration.compareTo(MAX_FADE) > 0)) {
            throw new IllegalArgumentException("a fade lasts between 1 ms and 10 s: " + duration);
        }
    }

    /**
     * A cross-fade of the given length.
     *
     * @param duration how long the two clips overlap, 1 ms to 10 s
     * @return the transition
     * @throws IllegalArgumentException when the duration is out of range
     */
    public static Transition fade(Duration duration) {
        return new Transition(Kind.FADE, duration);
    }

    /** {@return a hard cut: each clip starts where the previous one ends} */
    public static Transition none() {
        return new Transition(Kind.NONE, Duration.ZERO);
    }

    /** {@return the overlap in seconds (0 for a cut)} */
    public double seconds() {
        return duration.toNanos() / 1e9;
    }
}
