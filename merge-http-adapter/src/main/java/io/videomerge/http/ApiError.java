package io.videomerge.http;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;

/**
 * A refusal decided by the HTTP layer itself (routing, authentication, body checks), answered as
 * {@code {"error", "code"}} with its status. Carries no stack trace: it is control flow, not a fault.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;

    ApiError(int status, String code, String message) {
        super(requireNonNull(message, "message"), null, false, false);
        this.status = status;
        this.code = requireNonNull(code, "code");
    }

    static ApiError invalid(String message) {
        return new ApiError(400, ErrorCode.INVALID_REQUEST.name(), message);
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }
}
