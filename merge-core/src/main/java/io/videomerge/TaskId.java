package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The id of an asynchronous merge: a random UUID v4 in lower-case canonical form, never sequential,
 * so that ids cannot be guessed.
 *
 * @param value the id's text, for example {@code 3f2b8c1e-7d4a-4f6b-9c2d-1a5e8b7c9d0f}
 */
public record TaskId(String value) {
    private static final Pattern FORM =
            Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

    /**
     * Checks the form.
     *
     * @param value the id's text, for example {@code 3f2b8c1e-7d4a-4f6b-9c2d-1a5e8b7c9d0f}
     * @throws IllegalArgumentException when {@code value} is not a lower-case UUID v4
     */
    public TaskId {
        requireNonNull(value, "value");
        if (!FORM.matcher(value).matches()) {
            throw new IllegalArgumentException("not a task id");
        }
    }

    /** {@return a fresh random id (122 random bits from a {@link java.security.SecureRandom})} */
    public static TaskId random() {
        return new TaskId(UUID.randomUUID().toString());
    }

    /**
     * The id in {@code text}, or {@link java.util.Optional#empty()} when {@code text} is not an id's form
     * (which an HTTP layer answers as 404, like an unknown id).
     *
     * @param text what a client sent, or {@code null}
     * @return the id, if {@code text} is one
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
