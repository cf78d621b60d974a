package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * Who a task belongs to: the caller an authenticator recognised, by a stable id that is never a credential
 * (the API-key authenticator derives one from each key). A task is visible to, and can be waited on or
 * cancelled by, the principal that submitted it only; idempotency keys are scoped per principal.
 *
 * @param id 1 to {@value #MAX_LENGTH} visible ASCII characters
 */
public record Principal(String id) {
    /** The longest id. */
    public static final int MAX_LENGTH = 128;

    // Before ANONYMOUS, which the constructor checks against it.
    private static final Pattern FORM = Pattern.compile("[\\x21-\\x7e]{1," + MAX_LENGTH + "}");

    /**
     * The principal of callers that are not told apart: requests to a service without authentication, and
     * tasks submitted through the methods that take no principal.
     */
    public static final Principal ANONYMOUS = new Principal("anonymous");

    /**
     * Checks the id's form.
     *
     * @param id 1 to {@value #MAX_LENGTH} visible ASCII characters
     * @throws IllegalArgumentException when the id is empty, longer than {@value #MAX_LENGTH} characters or has a
     *     character outside visible ASCII
     */
    public Principal {
        requireNonNull(id, "id");
        if (!FORM.matcher(id).matches()) {
            throw new IllegalArgumentException(
                    "a principal id must have 1 to " + MAX_LENGTH + " visible ASCII characters");
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
