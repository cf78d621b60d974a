package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of an asynchronous merge: a random UUID v4 in lower-case canonical form, never sequential,
 * so that ids cannot be guessed.
 */
public record TaskId(String value) {
    private static final Pattern FORM =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    public TaskId {
        requireNonNull(value, "value");
        if (!FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("not a task id");
        }
    }

    /** A fresh random id (122 random bits from a {@link java.security.SecureRandom}). */
    public static TaskId random() {
        return new TaskId(UUID.randomUUID().toString());
    }

    /**
     * The id in {@code text}, or {@link java.util.Optional#empty()} when {@code text} is not an id's form
     * (which an HTTP layer answers as 404, like an unknown id).
     */
    public static java.util.Optional<TaskId> parse(String text) {
        if (text == null || !FORM.matcher(text).matches()) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new TaskId(text));
    }

    @Override
    public String toString() {
        return value;
    }
}
