package io.videomerge;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How the HTTP contract writes what a task came to: the status words, the body of
 * {@code GET /api/v1/merge/{task_id}/result} and the body of the task's webhook, which is that result body with
 * the task's id and status in front. The servlet and the webhook sender both write through here, so a webhook
 * says exactly what the result endpoint answers for the same task.
 *
 * <p>Each method returns compact JSON text; the words are part of the wire contract and are never renamed.
 */
public final class TaskJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TaskJson() {}

    /**
     * How the contract spells a status.
     *
     * @param status the status
     * @return {@code "pending"}, {@code "processing"}, {@code "completed"} or {@code "failed"}
     */
    public static String status(TaskStatus.Status status) {
        return switch (requireNonNull(status, "status")) {
            case PENDING -> "pending";
            case PROCESSING -> "processing";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
        };
    }

    /**
     * The result body of a completed task:
     * {@code {"success": true, "merged_url", "duration_seconds", "processing_time", "clips_merged"}} and
     * {@code "thumbnail_url"} when a poster was made, the
     * processing time in seconds.
     *
     * @param result what the task produced
     * @return the JSON text
     */
    public static String result(MergeResult result) {
        return resultFields(JSON.createObjectNode(), result).toString();
    }

    /**
     * The result body of a failed or cancelled task: {@code {"success": false, "error", "reason"}}, with the
     * failure's message and its {@link ErrorCode} name.
     *
     * @param code    why the task failed, written as {@code reason}
     * @param message a message fit for a client, written as {@code error}
     * @return the JSON text
     */
    public static String failure(ErrorCode code, String message) {
        return failureFields(JSON.createObjectNode(), code, message).toString();
    }

    /**
     * The webhook body of a completed task: {@code {"task_id", "status": "completed"}} followed by the fields of
     * {@link #result(MergeResult)}.
     *
     * @param id     the task's id
     * @param result what the task produced
     * @return the JSON text
     */
    public static String webhook(TaskId id, MergeResult result) {
        return resultFields(head(id, TaskStatus.Status.COMPLETED), result).toString();
    }

    /**
     * The webhook body of a failed or cancelled task: {@code {"task_id", "status": "failed"}} followed by the
     * fields of {@link #failure(ErrorCode, String)} (a cancelled task has the reason {@code CANCELLED}).
     *
     * @param id      the task's id
     * @param code    why the task failed, written as {@code reason}
     * @param message a message fit for a client, written as {@code error}
     * @return the JSON text
     */
    public static String webhook(TaskId id, ErrorCode code, String message) {
        return failureFields(head(id, TaskStatus.Status.FAILED), code, message).toString();
    }

    private static ObjectNode head(TaskId id, TaskStatus.Status status) {
        ObjectNode body = JSON.createObjectNode();
        body.put("task_id", requireNonNull(id, "id").value());
        body.put("status", status(status));
        return body;
    }

    private static ObjectNode resultFields(ObjectNode body, MergeResult result) {
        requireNonNull(result, "result");
        body.put("success", true);
        body.put("merged_url", result.mergedUrl().toString());
        body.put("duration_seconds", result.durationSeconds());
        body.put("processing_time", result.processingTime().toMillis() / 1000.0);
        body.put("clips_merged", result.clipsMerged());
        result.thumbnailUrl().ifPresent(url -> body.put("thumbnail_url", url.toString()));
        return body;
    }

    private static ObjectNode failureFields(ObjectNode body, ErrorCode code, String message) {
        body.put("success", false);
        body.put("error", requireNonNull(message, "message"));
        body.put("reason", requireNonNull(code, "code").name());
        return body;
    }
}
