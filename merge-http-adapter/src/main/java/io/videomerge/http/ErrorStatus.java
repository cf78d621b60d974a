package io.videomerge.http;

import io.videomerge.ErrorCode;
import java.util.OptionalInt;

/**
 * The one table from {@link ErrorCode} to HTTP status, used for refused requests and for the result of
 * failed tasks alike, so a failure answers the same status whenever it is found.
 *
 * <ul>
 *   <li>400: what is wrong with the request itself, known before anything is fetched (INVALID_REQUEST,
 *       UNSUPPORTED_SCHEME) and the duration limit (INPUT_TOO_LONG), as the synchronous API answered;</li>
 *   <li>422: the request is well formed but its inputs cannot be used: a URL that may not be fetched or
 *       could not be (URL_FORBIDDEN, DOWNLOAD_FAILED, DOWNLOAD_TIMEOUT, INPUT_TOO_LARGE) and media that is
 *       not acceptable (INVALID_MEDIA, UNSUPPORTED_CODEC, and INPUT_CRASHED_DECODER: an input that crashed the
 *       isolated decoder twice, and PROCESSING_TIMEOUT: inputs that cost more than the deadline their output
 *       earns), and an idempotency key sent again with another body (IDEMPOTENCY_KEY_REUSED, as the IETF
 *       draft on the header says);</li>
 *   <li>500: our side failed (PROCESSING_FAILED, UPLOAD_FAILED, WORKER_LOST);</li>
 *   <li>410: the task was cancelled, so its result will never exist (CANCELLED);</li>
 *   <li>429, 503 and 507 with {@code Retry-After}: try again later (QUEUE_FULL, STORE_UNAVAILABLE, and
 *       STORAGE_FULL: no disk space for the merge's files);</li>
 *   <li>404 and 409 for tasks: unknown (TASK_NOT_FOUND), not finished yet (TASK_NOT_FINISHED).</li>
 * </ul>
 *
 * <p>The switch has no default branch on purpose: a new code does not compile until it is placed here.
 */
final class ErrorStatus {
    /** Seconds a client should wait before trying again after a 429 or 503. */
    static final int RETRY_AFTER_SECONDS = 5;

    private ErrorStatus() {}

    static int of(ErrorCode code) {
        return switch (code) {
            case INVALID_REQUEST, UNSUPPORTED_SCHEME, INPUT_TOO_LONG -> 400;
            case URL_FORBIDDEN,
                    DOWNLOAD_FAILED,
                    DOWNLOAD_TIMEOUT,
                    INPUT_TOO_LARGE,
                    INVALID_MEDIA,
                    UNSUPPORTED_CODEC,
                    INPUT_CRASHED_DECODER,
                    PROCESSING_TIMEOUT,
                    IDEMPOTENCY_KEY_REUSED -> 422;
            case PROCESSING_FAILED, UPLOAD_FAILED, WORKER_LOST -> 500;
            case CANCELLED -> 410;
            case QUEUE_FULL -> 429;
            case STORE_UNAVAILABLE -> 503;
            case STORAGE_FULL -> 507;
            case TASK_NOT_FOUND -> 404;
            case TASK_NOT_FINISHED -> 409;
        };
    }

    /** The {@code Retry-After} of a code whose answer invites a later retry. */
    static OptionalInt retryAfterSeconds(ErrorCode code) {
        return code == ErrorCode.QUEUE_FULL || code == ErrorCode.STORE_UNAVAILABLE || code == ErrorCode.STORAGE_FULL
                ? OptionalInt.of(RETRY_AFTER_SECONDS)
                : OptionalInt.empty();
    }
}
