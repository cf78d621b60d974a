package io.videomerge.http;

import io.videomerge.AspectRatio;
import io.videomerge.Fit;
import io.videomerge.InvalidRequestException;
import io.videomerge.Quality;
import io.videomerge.Speed;
import io.videomerge.TaskJson;
import io.videomerge.TaskStatus;
import io.videomerge.Transition;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * How the HTTP contract spells the library's values ({@code "720"}, {@code "9:16"}, {@code "pad"}, {@code "fade"},
 * {@code "small"}, {@code "completed"}), in both directions: the words belong to the contract, not to the library's types. The
 * words of a task's outcome (statuses, the result body) are written by {@link TaskJson} in merge-core, which sends
 * them in webhooks too.
 */
final class WireNames {
    private static final int MAX_QUOTED = 32;
    private static final double MAX_FADE_SECONDS = 10;

    private static final Map<Quality, String> QUALITY = names(Quality.class, "480", "720", "1080", "2160");
    private static final Map<AspectRatio, String> RATIO = names(AspectRatio.class, "16:9", "9:16", "1:1", "4:5");
    private static final Map<Fit, String> FIT = names(Fit.class, "pad", "crop");
    private static final Map<Transition.Kind, String> TRANSITION = names(Transition.Kind.class, "fade", "none");
    private static final Map<Speed, String> SPEED = names(Speed.class, "fast", "balanced", "small");

    private WireNames() {}

    static String of(Quality quality) {
        return QUALITY.get(quality);
    }

    static String of(AspectRatio ratio) {
        return RATIO.get(ratio);
    }

    static String of(Fit fit) {
        return FIT.get(fit);
    }

    static String of(Transition.Kind kind) {
        return TRANSITION.get(kind);
    }

    static String of(Speed speed) {
        return SPEED.get(speed);
    }

    /** The status words are {@link TaskJson}'s: the library writes them into webhooks itself. */
    static String of(TaskStatus.Status status) {
        return TaskJson.status(status);
    }

    /** @throws InvalidRequestException naming the allowed values when {@code text} is none of them */
    static Quality quality(String text) {
        return parse(QUALITY, "quality", text);
    }

    /** @throws InvalidRequestException naming the allowed values when {@code text} is none of them */
    static AspectRatio aspectRatio(String text) {
        return parse(RATIO, "aspect_ratio", text);
    }

    /** @throws InvalidRequestException naming the allowed values when {@code text} is none of them */
    static Fit fit(String text) {
        return parse(FIT, "fit", text);
    }

    /** @throws InvalidRequestException naming the allowed values when {@code text} is none of them */
    static Speed speed(String text) {
        return parse(SPEED, "speed", text);
    }

    /**
     * The transition of a kind ({@code "fade"} or {@code "none"}, null meaning fade) and, for a fade, an optional
     * duration in seconds (null meaning the default).
     *
     * @throws InvalidRequestException when the kind is unknown or the duration out of range
     */
    static Transition transition(String kind, Double seconds) {
        Transition.Kind parsed = kind == null ? Transition.Kind.FADE : parse(TRANSITION, "transition", kind);
        if (parsed == Transition.Kind.NONE) {
            if (seconds != null && seconds != 0) {
                throw new InvalidRequestException("transition \"none\" takes no duration");
            }
            return Transition.none();
        }
        if (seconds == null) {
            return Transition.DEFAULT;
        }
        if (!(seconds >= 0.001 && seconds <= MAX_FADE_SECONDS)) {
            throw new InvalidRequestException("transition_duration must be between 0.001 and 10 seconds");
        }
        return Transition.fade(Duration.ofNanos(Math.round(seconds * 1e9)));
    }

    /** The allowed spellings of a field, quoted and comma-separated, for messages and the OpenAPI text. */
    static String allowedQualities() {
        return allowed(QUALITY);
    }

    static String allowedRatios() {
        return allowed(RATIO);
    }

    static String allowedFits() {
        return allowed(FIT);
    }

    static String allowedTransitions() {
        return allowed(TRANSITION);
    }

    static String allowedSpeeds() {
        return allowed(SPEED);
    }

    private static <E extends Enum<E>> Map<E, String> names(Class<E> type, String... spelled) {
        E[] values = type.getEnumConstants();
        if (values.length != spelled.length) {
            throw new IllegalStateException(
                    type.getSimpleName() + " has " + values.length + " values, " + spelled.length + " spellings");
        }
        Map<E, String> map = new EnumMap<>(type);
        for (int i = 0; i < values.length; i++) {
            map.put(values[i], spelled[i]);
        }
        return map;
    }

    private static <E extends Enum<E>> E parse(Map<E, String> names, String field, String text) {
        for (Map.Entry<E, String> e : names.entrySet()) {
            if (e.getValue().equals(text)) {
                return e.getKey();
            }
        }
        throw new InvalidRequestException(field + " must be one of " + allowed(names) + ", got " + quote(text));
    }

    private static String allowed(Map<?, String> names) {
        return names.values().stream().map(n -> '"' + n + '"').collect(Collectors.joining(", "));
    }

    private static String quote(String value) {
        if (value == null) {
            return "null";
        }
        String shown = value.length() > MAX_QUOTED ? value.substring(0, MAX_QUOTED) + "..." : value;
        return '"' + shown.replaceAll("[^\\x20-\\x7e]", "?") + '"';
    }
}
