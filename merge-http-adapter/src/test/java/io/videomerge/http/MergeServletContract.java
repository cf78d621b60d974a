package io.videomerge.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.AspectRatio;
import io.videomerge.ErrorCode;
import io.videomerge.Fit;
import io.videomerge.InvalidRequestException;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Principal;
import io.videomerge.Quality;
import io.videomerge.Speed;
import io.videomerge.TaskId;
import io.videomerge.Transition;
import io.videomerge.Webhooks;
import io.videomerge.internal.probe.ClipInfo;
import io.videomerge.internal.probe.Prober;
import io.videomerge.store.memory.InMemoryJobStore;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.testing.WebhookReceiver;
import io.videomerge.upload.FileSystemUploader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The HTTP contract of {@link MergeServlet}, over real HTTP, in whichever real container a subclass starts.
 * The servlet is mounted below a context path and a servlet path, as an application would embed it.
 */
abstract class MergeServletContract {
    static final String CONTEXT = "/ctx";
    static final String MAPPING = "/vm/*";
    static final String MOUNT = "/ctx/vm";
    static final String VALID = "{\"video_urls\":[\"https://example.com/a.mp4\",\"https://example.com/b.mp4\"]}";
    static final Duration DEADLINE = Duration.ofSeconds(30);
    static final String HOOK_SECRET = "whsec_"
            + Base64.getEncoder()
                    .encodeToString("the servlet test's webhook signing key".getBytes(StandardCharsets.UTF_8));

    final ObjectMapper json = new ObjectMapper();
    final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    OnDemandMergeService service;
    ServletContainer container;
    URI root;

    /** A fresh, unstarted container of the kind under test. */
    abstract ServletContainer newContainer();

    @BeforeEach
    void startContainer() throws Exception {
        service = new OnDemandMergeService();
        mount(new MergeServlet(service), CONTEXT, MAPPING);
    }

    @AfterEach
    void stopContainer() throws Exception {
        container.close();
    }

    void mount(MergeServlet servlet, String context, String mapping) throws Exception {
        if (container != null) {
            container.close();
        }
        container = newContainer();
        root = container.start(servlet, context, mapping);
    }

    record Reply(int status, HttpResponse<String> raw, JsonNode body) {
        String header(String name) {
            return raw.headers().firstValue(name).orElse(null);
        }

        String code() {
            return body.path("code").asText(null);
        }

        String error() {
            return body.path("error").asText("");
        }
    }

    Reply send(HttpRequest.Builder builder) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(
                builder.timeout(DEADLINE).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        JsonNode body = response.body().isEmpty() ? json.createObjectNode() : json.readTree(response.body());
        if (!response.body().isEmpty()) {
            assertEquals(
                    "application/json",
                    response.headers()
                            .firstValue("Content-Type")
                            .orElse("")
                            .split(";")[0]
                            .trim(),
                    "every answer is JSON");
        }
        return new Reply(response.statusCode(), response, body);
    }

    HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(root + MOUNT + path));
    }

    Reply get(String path) throws IOException, InterruptedException {
        return send(request(path).GET());
    }

    Reply post(String body, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = request("/api/v1/merge")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return send(b);
    }

    Reply delete(String path) throws IOException, InterruptedException {
        return send(request(path).DELETE());
    }

    /** A POST with {@code Prefer: preference} and {@code headers}, sent without waiting for its answer. */
    CompletableFuture<HttpResponse<String>> postWaiting(String preference, String... headers) {
        HttpRequest.Builder b = request("/api/v1/merge")
                .header("Content-Type", "application/json")
                .header("Prefer", preference)
                .timeout(DEADLINE)
                .POST(HttpRequest.BodyPublishers.ofString(VALID));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return http.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    TaskId submit() throws IOException, InterruptedException {
        Reply reply = post(VALID);
        assertEquals(202, reply.status(), reply.body().toString());
        return new TaskId(reply.body().get("task_id").asText());
    }

    static MergeResult sampleResult() {
        return new MergeResult(
                URI.create("https://cdn.example.com/merged/x.mp4"), 12.5, Duration.ofMillis(3250), 2, false);
    }

    void assertError(Reply reply, int status, String code) {
        assertEquals(status, reply.status(), reply.body().toString());
        assertEquals(code, reply.code(), reply.body().toString());
        assertFalse(reply.error().isBlank(), "an error says what went wrong");
        assertEquals(Set.of("error", "code"), fieldNames(reply.body()), "an error is {error, code}");
    }

    static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    // ---------------------------------------------------------------- submit

    @Test
    @DisplayName(
            "A valid request is accepted with 202, a random task id, \"Merge started\" and the status URL in Location")
    void submitIsAccepted() throws Exception {
        Reply reply = post(VALID);

        assertEquals(202, reply.status());
        String id = reply.body().get("task_id").asText();
        assertTrue(TaskId.parse(id).isPresent(), id);
        assertEquals("Merge started", reply.body().get("message").asText());
        assertEquals(MOUNT + "/api/v1/merge/" + id + "/status", reply.header("Location"));
        assertEquals(
                200,
                send(HttpRequest.newBuilder(URI.create(root + reply.header("Location"))))
                        .status());
    }

    @Test
    @DisplayName(
            "An omitted quality, aspect ratio, fit and transition take the defaults 1080, 16:9, pad and a 0.5 s fade")
    void defaultsApply() throws Exception {
        post(VALID);

        MergeRequest got = service.lastRequest();
        assertEquals(
                List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")),
                got.videoUrls());
        assertEquals(Quality.P1080, got.quality());
        assertEquals(AspectRatio.LANDSCAPE_16_9, got.aspectRatio());
        assertEquals(Fit.PAD, got.fit());
        assertEquals(Transition.DEFAULT, got.transition());
        assertEquals(Optional.empty(), got.speed(), "no speed: the service's own");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"fast, FAST", "balanced, BALANCED", "small, SMALL"})
    @DisplayName("speed reaches the service as the request's speed; null leaves it to the service")
    void speedApplies(String wire, Speed speed) throws Exception {
        assertEquals(
                202,
                post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"speed\":\"" + wire + "\"}")
                        .status());
        assertEquals(Optional.of(speed), service.lastRequest().speed());

        assertEquals(
                202,
                post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"speed\":null}")
                        .status());
        assertEquals(Optional.empty(), service.lastRequest().speed(), "null means the service's speed");
    }

    @Test
    @DisplayName("quality, aspect_ratio, fit, transition, transition_duration and callback_url reach the service")
    void optionalFieldsApply() throws Exception {
        assertEquals(
                202,
                post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"quality\":\"720\","
                                + "\"aspect_ratio\":\"9:16\",\"fit\":\"crop\",\"transition\":\"fade\",\"transition_duration\":1.5}")
                        .status());
        MergeRequest got = service.lastRequest();
        assertEquals(Quality.P720, got.quality());
        assertEquals(AspectRatio.PORTRAIT_9_16, got.aspectRatio());
        assertEquals(Fit.CROP, got.fit());
        assertEquals(Transition.fade(Duration.ofMillis(1500)), got.transition());

        assertEquals(
                202,
                post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"transition\":\"none\"}")
                        .status());
        assertEquals(Transition.none(), service.lastRequest().transition());
        assertEquals(Optional.empty(), service.lastRequest().callbackUrl());

        assertEquals(
                202,
                post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],"
                                + "\"callback_url\":\"https://hooks.example.com/merge?token=x\"}")
                        .status());
        assertEquals(
                Optional.of(URI.create("https://hooks.example.com/merge?token=x")),
                service.lastRequest().callbackUrl());
        assertEquals(
                202,
                post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"callback_url\":null}")
                        .status());
        assertEquals(Optional.empty(), service.lastRequest().callbackUrl(), "null means none");
    }

    @Test
    @DisplayName("Unknown fields are ignored and known optional fields set to null take their defaults")
    void unknownFieldsAreIgnored() throws Exception {
        Reply reply = post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"callback\":{\"x\":[1,2]},"
                + "\"quality\":null}");

        assertEquals(202, reply.status(), reply.body().toString());
        assertEquals(Quality.P1080, service.lastRequest().quality());
    }

    // ---------------------------------------------------------------- validation (400)

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            video_urls missing                  | {"quality":"720"}                                               | video_urls
            video_urls not an array             | {"video_urls":"https://e.com/a"}                                | video_urls
            video_urls item not a string        | {"video_urls":["https://e.com/a",7]}                            | video_urls[1]
            video_urls item not a URL           | {"video_urls":["https://e.com/a","http://a b"]}                 | video_urls[1]
            video_urls empty                    | {"video_urls":[]}                                               | video_urls
            quality not a string                | {"video_urls":["https://e.com/a","https://e.com/b"],"quality":1080}   | quality
            quality unknown                     | {"video_urls":["https://e.com/a","https://e.com/b"],"quality":"4k"}   | "720"
            aspect_ratio unknown                | {"video_urls":["https://e.com/a","https://e.com/b"],"aspect_ratio":"4:3"} | "16:9"
            fit unknown                         | {"video_urls":["https://e.com/a","https://e.com/b"],"fit":"stretch"}  | "crop"
            transition unknown                  | {"video_urls":["https://e.com/a","https://e.com/b"],"transition":"wipe"} | "fade"
            speed unknown                       | {"video_urls":["https://e.com/a","https://e.com/b"],"speed":"ultrafast"} | speed must be one of "fast", "balanced", "small", got "ultrafast"
            speed in upper case                 | {"video_urls":["https://e.com/a","https://e.com/b"],"speed":"FAST"} | speed must be one of
            speed not a string                  | {"video_urls":["https://e.com/a","https://e.com/b"],"speed":2}  | speed must be a string
            transition_duration not a number    | {"video_urls":["https://e.com/a","https://e.com/b"],"transition_duration":"1"} | transition_duration
            transition_duration out of range    | {"video_urls":["https://e.com/a","https://e.com/b"],"transition_duration":60} | transition_duration
            callback_url not a string           | {"video_urls":["https://e.com/a","https://e.com/b"],"callback_url":["https://h.com/"]} | callback_url
            callback_url not a URL              | {"video_urls":["https://e.com/a","https://e.com/b"],"callback_url":"http://a b"} | callback_url
            body an array                       | [1,2]                                                           | JSON object
            body not JSON                       | {"video_urls":                                                  | not valid JSON
            trailing content                    | {"video_urls":["https://e.com/a"]} {}                           | not valid JSON
            duplicate key                       | {"video_urls":["https://e.com/a","https://e.com/b"],"quality":"720","quality":"1080"} | "quality"
            """)
    @DisplayName(
            "A malformed request is 400 INVALID_REQUEST naming the field or the allowed values, and records nothing")
    void malformedRequestIsRefused(String what, String body, String named) throws Exception {
        Reply reply = post(body);

        assertError(reply, 400, "INVALID_REQUEST");
        assertTrue(reply.error().contains(named), what + ": " + reply.error());
        assertEquals(0, service.size());
    }

    @Test
    @DisplayName("A body nested deeper than the JSON limits is 400, even inside an ignored field")
    void deepNestingIsRefused() throws Exception {
        String deep = "[".repeat(200) + "]".repeat(200);
        Reply reply = post("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"x\":" + deep + "}");

        assertError(reply, 400, "INVALID_REQUEST");
        assertTrue(reply.error().contains("nesting depth"), reply.error());
        assertEquals(0, service.size());
    }

    @Test
    @DisplayName("A string longer than the JSON limit is 400")
    void longStringIsRefused() throws Exception {
        Reply reply = post("{\"video_urls\":[\"https://e.com/" + "a".repeat(20_000) + "\",\"https://e.com/b\"]}");

        assertError(reply, 400, "INVALID_REQUEST");
        assertEquals(0, service.size());
    }

    @Test
    @DisplayName("A refusal of the service's own validation keeps its code and message")
    void serviceValidationIsPassedOn() throws Exception {
        service.refuseSubmits(new InvalidRequestException("video_urls must list between 2 and 10 URLs"));

        Reply reply = post(VALID);

        assertError(reply, 400, "INVALID_REQUEST");
        assertEquals("video_urls must list between 2 and 10 URLs", reply.error());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({"UNSUPPORTED_SCHEME, 400", "URL_FORBIDDEN, 422", "INPUT_TOO_LONG, 400"})
    @DisplayName("A URL refused when submitted answers the status of its code")
    void urlRefusalAtSubmit(ErrorCode code, int status) throws Exception {
        service.refuseSubmits(new InvalidRequestException(code, "input 1: refused"));

        assertError(post(VALID), status, code.name());
    }

    // ---------------------------------------------------------------- body checks (413, 415)

    @Test
    @DisplayName("A declared body over 64 KiB is 413 and is not parsed")
    void largeBodyIsRefused() throws Exception {
        String body =
                "{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"pad\":\"" + "x".repeat(70 * 1024) + "\"}";

        assertError(post(body), 413, "PAYLOAD_TOO_LARGE");
        assertEquals(0, service.size());
    }

    @Test
    @DisplayName("A chunked body that grows past 64 KiB is 413, counted while reading")
    void largeChunkedBodyIsRefused() throws Exception {
        byte[] bytes = ("{\"video_urls\":[\"https://e.com/a\",\"https://e.com/b\"],\"pad\":["
                        + "\"xxxxxxxx\",".repeat(7 * 1024) + "1]}")
                .getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = request("/api/v1/merge")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));

        assertError(send(b), 413, "PAYLOAD_TOO_LARGE");
        assertEquals(0, service.size());
    }

    @Test
    @DisplayName("A chunked body under the limit is read and accepted")
    void smallChunkedBodyIsAccepted() throws Exception {
        byte[] bytes = VALID.getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder b = request("/api/v1/merge")
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(bytes)));

        assertEquals(202, send(b).status());
    }

    @Test
    @DisplayName("A body that is not application/json is 415, whatever it contains")
    void wrongContentTypeIsRefused() throws Exception {
        Reply text = send(request("/api/v1/merge")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString(VALID)));
        Reply none = send(request("/api/v1/merge").POST(HttpRequest.BodyPublishers.ofString(VALID)));

        assertError(text, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertError(none, 415, "UNSUPPORTED_MEDIA_TYPE");
        assertEquals(202, post(VALID).status(), "application/json is accepted");
        assertEquals(
                202,
                send(request("/api/v1/merge")
                                .header("Content-Type", "application/json; charset=UTF-8")
                                .POST(HttpRequest.BodyPublishers.ofString(VALID)))
                        .status(),
                "a charset parameter is fine");
    }

    // ---------------------------------------------------------------- admission (429, 503)

    @Test
    @DisplayName("A full queue is 429 QUEUE_FULL with Retry-After")
    void fullQueueIs429() throws Exception {
        service.refuseSubmits(new MergeException(ErrorCode.QUEUE_FULL, "too many pending merges"));

        Reply reply = post(VALID);

        assertError(reply, 429, "QUEUE_FULL");
        assertEquals("5", reply.header("Retry-After"));
    }

    @Test
    @DisplayName("A store that is down makes submit, status and health 503 STORE_UNAVAILABLE with Retry-After")
    void storeDownIs503() throws Exception {
        TaskId id = submit();
        service.storeDown(true);

        Reply submit = post(VALID);
        Reply status = get("/api/v1/merge/" + id + "/status");
        Reply health = get("/health");

        assertError(submit, 503, "STORE_UNAVAILABLE");
        assertEquals("5", submit.header("Retry-After"));
        assertError(status, 503, "STORE_UNAVAILABLE");
        assertEquals(503, health.status());
        assertEquals("unavailable", health.body().get("status").asText());
        assertEquals("STORE_UNAVAILABLE", health.code());
        assertEquals("5", health.header("Retry-After"));
        service.storeDown(false);
        assertEquals(1, service.size(), "the refused submit recorded nothing");
    }

    @Test
    @DisplayName("An unexpected failure is 500 INTERNAL_ERROR with no class name or stack trace")
    void unexpectedFailureIs500() throws Exception {
        service.refuseSubmits(new IllegalStateException("boom at /var/lib/secret from 10.0.0.7"));

        Reply reply = post(VALID);

        assertError(reply, 500, "INTERNAL_ERROR");
        String raw = reply.raw().body();
        for (String leak : List.of("IllegalStateException", "java.", "/var/lib", "10.0.0.7", "boom", "\tat ")) {
            assertFalse(raw.contains(leak), "leaks " + leak + ": " + raw);
        }
    }

    // ---------------------------------------------------------------- status and result

    @Test
    @DisplayName("Status reports the task's state, progress and ISO-8601 UTC times as it moves on")
    void statusFollowsTheTask() throws Exception {
        TaskId id = submit();

        JsonNode pending = get("/api/v1/merge/" + id + "/status").body();
        assertEquals(
                Set.of("task_id", "status", "message", "progress", "created_at", "updated_at"), fieldNames(pending));
        assertEquals(id.value(), pending.get("task_id").asText());
        assertEquals("pending", pending.get("status").asText());
        assertEquals(0.0, pending.get("progress").asDouble());
        assertTrue(pending.get("created_at").asText().endsWith("Z"), pending.toString());
        Instant created = Instant.parse(pending.get("created_at").asText());

        service.start(id, 0.4);
        JsonNode processing = get("/api/v1/merge/" + id + "/status").body();
        assertEquals("processing", processing.get("status").asText());
        assertEquals(0.4, processing.get("progress").asDouble());
        assertFalse(Instant.parse(processing.get("updated_at").asText()).isBefore(created));

        service.complete(id, sampleResult());
        JsonNode completed = get("/api/v1/merge/" + id + "/status").body();
        assertEquals("completed", completed.get("status").asText());
        assertEquals(1.0, completed.get("progress").asDouble());
    }

    @Test
    @DisplayName("The result of an unfinished task is 409 with its status, and error and code as every refusal has")
    void unfinishedResultIs409() throws Exception {
        TaskId id = submit();
        service.start(id, 0.25);

        Reply reply = get("/api/v1/merge/" + id + "/result");

        assertEquals(409, reply.status());
        assertEquals("processing", reply.body().get("status").asText());
        assertEquals(id.value(), reply.body().get("task_id").asText());
        assertEquals("TASK_NOT_FINISHED", reply.code());
        assertFalse(reply.error().isBlank(), reply.body().toString());
    }

    @Test
    @DisplayName("The result of a completed task is the synchronous API's success body")
    void completedResult() throws Exception {
        TaskId id = submit();
        service.complete(id, sampleResult());

        Reply reply = get("/api/v1/merge/" + id + "/result");

        assertEquals(200, reply.status());
        assertEquals(
                Set.of("success", "merged_url", "duration_seconds", "processing_time", "clips_merged"),
                fieldNames(reply.body()));
        assertTrue(reply.body().get("success").asBoolean());
        assertEquals(
                "https://cdn.example.com/merged/x.mp4",
                reply.body().get("merged_url").asText());
        assertEquals(12.5, reply.body().get("duration_seconds").asDouble());
        assertTrue(reply.body().get("processing_time").isNumber());
        assertEquals(3.25, reply.body().get("processing_time").asDouble());
        assertEquals(2, reply.body().get("clips_merged").asInt());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "INVALID_REQUEST, 400",
        "UNSUPPORTED_SCHEME, 400",
        "INPUT_TOO_LONG, 400",
        "URL_FORBIDDEN, 422",
        "DOWNLOAD_FAILED, 422",
        "DOWNLOAD_TIMEOUT, 422",
        "INPUT_TOO_LARGE, 422",
        "INVALID_MEDIA, 422",
        "UNSUPPORTED_CODEC, 422",
        "INPUT_CRASHED_DECODER, 422",
        "PROCESSING_FAILED, 500",
        "UPLOAD_FAILED, 500",
        "WORKER_LOST, 500",
        "CANCELLED, 410",
        "PROCESSING_TIMEOUT, 422",
        "STORAGE_FULL, 507"
    })
    @DisplayName("The result of a failed task answers the status of its code with {success: false, error, reason}")
    void failedResult(ErrorCode code, int status) throws Exception {
        TaskId id = submit();
        service.fail(id, new MergeException(code, "input 2: it failed"));

        Reply reply = get("/api/v1/merge/" + id + "/result");
        JsonNode failed = get("/api/v1/merge/" + id + "/status").body();

        assertEquals(status, reply.status());
        assertEquals(Set.of("success", "error", "reason"), fieldNames(reply.body()));
        assertFalse(reply.body().get("success").asBoolean());
        assertEquals("input 2: it failed", reply.body().get("error").asText());
        assertEquals(code.name(), reply.body().get("reason").asText());
        assertEquals("failed", failed.get("status").asText());
        assertEquals(code.name(), failed.get("reason").asText());
    }

    @Test
    @DisplayName("The result of a task that failed for lack of disk space is 507 STORAGE_FULL with Retry-After")
    void storageFullResultIs507() throws Exception {
        TaskId id = submit();
        service.fail(id, new MergeException(ErrorCode.STORAGE_FULL, "no space left for the merged file"));

        Reply reply = get("/api/v1/merge/" + id + "/result");

        assertEquals(507, reply.status());
        assertEquals("STORAGE_FULL", reply.body().get("reason").asText());
        assertEquals("5", reply.header("Retry-After"));
    }

    @Test
    @DisplayName("An unknown id and a malformed id answer the same 404 on every task endpoint")
    void unknownAndMalformedIdsLookAlike() throws Exception {
        List<String> unknown = List.of(
                TaskId.random().value(),
                "42",
                "not-an-id",
                "%20",
                TaskId.random().value().toUpperCase(),
                "123e4567-e89b-12d3-a456-426614174000");
        List<String> bodies = new ArrayList<>();
        for (String id : unknown) {
            for (Reply reply : List.of(
                    get("/api/v1/merge/" + id + "/status"),
                    get("/api/v1/merge/" + id + "/result"),
                    delete("/api/v1/merge/" + id))) {
                assertError(reply, 404, "TASK_NOT_FOUND");
                bodies.add(reply.raw().body());
            }
        }
        assertEquals(1, Set.copyOf(bodies).size(), "every 404 body is identical: " + bodies);
    }

    // ---------------------------------------------------------------- idempotency

    @Test
    @DisplayName("A repeated Idempotency-Key returns the first task's id and records one task")
    void idempotencyKeyDeduplicates() throws Exception {
        Reply first = post(VALID, "Idempotency-Key", "order-7");
        Reply again = post(VALID, "Idempotency-Key", "order-7");
        Reply other = post(VALID, "Idempotency-Key", "order-8");

        assertEquals(202, first.status());
        assertEquals(202, again.status());
        assertEquals(first.body().get("task_id"), again.body().get("task_id"));
        assertEquals(first.header("Location"), again.header("Location"));
        assertNotEquals(first.body().get("task_id"), other.body().get("task_id"));
        assertEquals(2, service.size());
    }

    @Test
    @DisplayName("An Idempotency-Key over 255 characters is 400")
    void longIdempotencyKeyIsRefused() throws Exception {
        assertError(post(VALID, "Idempotency-Key", "k".repeat(256)), 400, "INVALID_REQUEST");
        assertEquals(0, service.size());
    }

    // ---------------------------------------------------------------- Prefer: wait

    @Test
    @DisplayName("Prefer: wait answers 200 with the result when the merge completes within the wait")
    void preferWaitReturnsTheResult() throws Exception {
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(
                request("/api/v1/merge")
                        .header("Content-Type", "application/json")
                        .header("Prefer", "respond-async, wait=20")
                        .timeout(DEADLINE)
                        .POST(HttpRequest.BodyPublishers.ofString(VALID))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(service.awaitTasks(1, DEADLINE));
        TaskId id = service.ids().iterator().next();
        service.complete(id, sampleResult());

        HttpResponse<String> response = pending.get();
        JsonNode body = json.readTree(response.body());

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(body.get("success").asBoolean());
        assertEquals(
                "https://cdn.example.com/merged/x.mp4", body.get("merged_url").asText());
        assertEquals(
                "wait=20", response.headers().firstValue("Preference-Applied").orElse(null));
        assertEquals(
                MOUNT + "/api/v1/merge/" + id + "/status",
                response.headers().firstValue("Location").orElse(null));
    }

    @Test
    @DisplayName("Prefer: wait answers the failure's status when the merge fails within the wait")
    void preferWaitReturnsTheFailure() throws Exception {
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(
                request("/api/v1/merge")
                        .header("Content-Type", "application/json")
                        .header("Prefer", "wait=20")
                        .timeout(DEADLINE)
                        .POST(HttpRequest.BodyPublishers.ofString(VALID))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertTrue(service.awaitTasks(1, DEADLINE));
        service.fail(service.ids().iterator().next(), new MergeException(ErrorCode.DOWNLOAD_FAILED, "input 0: 404"));

        HttpResponse<String> response = pending.get();
        JsonNode body = json.readTree(response.body());

        assertEquals(422, response.statusCode());
        assertFalse(body.get("success").asBoolean());
        assertEquals("DOWNLOAD_FAILED", body.get("reason").asText());
    }

    @Test
    @DisplayName("Prefer: wait answers 202 as usual when the merge is not done in time")
    void preferWaitTimesOut() throws Exception {
        Reply reply = post(VALID, "Prefer", "wait=1");

        assertEquals(202, reply.status());
        assertEquals("Merge started", reply.body().get("message").asText());
        assertEquals("wait=1", reply.header("Preference-Applied"));
    }

    @Test
    @DisplayName("Prefer: wait is capped by the configured maximum")
    void preferWaitIsCapped() throws Exception {
        mount(
                new MergeServlet(service, MergeServlet.Options.defaults().withMaxWait(Duration.ofSeconds(1))),
                CONTEXT,
                MAPPING);

        Reply reply = post(VALID, "Prefer", "wait=3600");

        assertEquals(202, reply.status());
        assertEquals("wait=1", reply.header("Preference-Applied"));
    }

    @Test
    @DisplayName("Without Prefer: wait the answer is 202 at once and says nothing of preferences")
    void noPreferNoWait() throws Exception {
        Reply reply = post(VALID, "Prefer", "return=minimal");

        assertEquals(202, reply.status());
        assertEquals(null, reply.header("Preference-Applied"));
    }

    @Test
    @DisplayName("Prefer: wait holds no container thread: while 300 requests wait, health answers")
    void manyWaitsLeaveThreadsFree() throws Exception {
        int n = 300;
        List<CompletableFuture<HttpResponse<String>>> waiting = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            waiting.add(postWaiting("wait=60"));
        }
        // More than the containers' 200 request threads: with a thread per wait, this would not be reached.
        assertTrue(service.awaitWaits(n, DEADLINE), "waiting: " + service.waiting());

        Reply health = get("/health");

        assertEquals(200, health.status(), health.body().toString());
        for (TaskId id : service.ids()) {
            service.complete(id, sampleResult());
        }
        for (CompletableFuture<HttpResponse<String>> response : waiting) {
            HttpResponse<String> answered = response.get();
            assertEquals(200, answered.statusCode(), answered.body());
            assertEquals(
                    "wait=60",
                    answered.headers().firstValue("Preference-Applied").orElse(null));
        }
    }

    @Test
    @DisplayName("Beyond maxWaiters a Prefer: wait request is answered 202 at once, without Preference-Applied")
    void waitersAreCapped() throws Exception {
        mount(new MergeServlet(service, MergeServlet.Options.defaults().withMaxWaiters(1)), CONTEXT, MAPPING);
        CompletableFuture<HttpResponse<String>> first = postWaiting("wait=60");
        assertTrue(service.awaitWaits(1, DEADLINE));
        TaskId waitedFor = service.waitedFor().iterator().next();

        Reply second = post(VALID, "Prefer", "wait=60");

        assertEquals(202, second.status(), second.body().toString());
        assertEquals("Merge started", second.body().get("message").asText());
        assertEquals(null, second.header("Preference-Applied"));
        assertEquals(1, service.waiting(), "only the first waits");
        service.complete(waitedFor, sampleResult());
        assertEquals(200, first.get().statusCode());
    }

    @Test
    @DisplayName("With maxWaiters 0, Prefer: wait is ignored")
    void zeroWaitersIgnoresThePreference() throws Exception {
        mount(new MergeServlet(service, MergeServlet.Options.defaults().withMaxWaiters(0)), CONTEXT, MAPPING);

        Reply reply = post(VALID, "Prefer", "wait=60");

        assertEquals(202, reply.status());
        assertEquals(null, reply.header("Preference-Applied"));
    }

    @Test
    @DisplayName("Registered without async support, the servlet answers Prefer: wait with 202 at once")
    void withoutAsyncSupportNoWait() throws Exception {
        container.close();
        container = newContainer();
        root = container.start(new MergeServlet(service), CONTEXT, MAPPING, false);

        Reply reply = post(VALID, "Prefer", "wait=60");

        assertEquals(202, reply.status());
        assertEquals(null, reply.header("Preference-Applied"));
        assertEquals(0, service.waiting());
    }

    @Test
    @DisplayName("A waiting request whose client went away gives its place back, and later requests are served")
    void clientGoneDuringWait() throws Exception {
        mount(new MergeServlet(service, MergeServlet.Options.defaults().withMaxWaiters(1)), CONTEXT, MAPPING);
        TaskId abandoned;
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            byte[] body = VALID.getBytes(StandardCharsets.UTF_8);
            String head = "POST " + MOUNT + "/api/v1/merge HTTP/1.1\r\n"
                    + "Host: " + root.getAuthority() + "\r\n"
                    + "Content-Type: application/json\r\n"
                    + "Prefer: wait=60\r\n"
                    + "Content-Length: " + body.length + "\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            assertTrue(service.awaitWaits(1, DEADLINE));
            abandoned = service.waitedFor().iterator().next();
        }

        // Its answer goes nowhere (unless the container noticed first and gave the wait up).
        service.complete(abandoned, sampleResult());

        assertEquals(200, get("/health").status());
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        Reply honoured;
        do {
            assertTrue(System.nanoTime() - deadline < 0, "the waiter place was never given back");
            honoured = post(VALID, "Prefer", "wait=1");
            assertEquals(202, honoured.status(), honoured.body().toString());
        } while (honoured.header("Preference-Applied") == null);
        assertEquals("wait=1", honoured.header("Preference-Applied"));
    }

    @Test
    @DisplayName("A wait whose end cannot be read (the store went down) answers 202: the task exists")
    void unreadableWaitIsAccepted() throws Exception {
        CompletableFuture<HttpResponse<String>> pending = postWaiting("wait=1");
        assertTrue(service.awaitWaits(1, DEADLINE));
        service.storeDown(true);

        HttpResponse<String> response = pending.get();

        service.storeDown(false);
        assertEquals(202, response.statusCode(), response.body());
        JsonNode body = json.readTree(response.body());
        assertTrue(TaskId.parse(body.get("task_id").asText()).isPresent(), response.body());
        assertTrue(response.headers().firstValue("Location").isPresent());
    }

    @Test
    @DisplayName("On the real service without workers: a waiting request is answered 410 once its task is cancelled")
    void waitOnTheRealService(@TempDir Path tmp) throws Exception {
        try (InMemoryJobStore store = new InMemoryJobStore();
                MergeService real = MergeService.builder()
                        .uploader(new FileSystemUploader(tmp.resolve("out"), URI.create("https://cdn.example.com/")))
                        .workDirectory(tmp.resolve("work"))
                        .jobStore(store)
                        .mergeConcurrency(0)
                        .build()) {
            mount(new MergeServlet(real), CONTEXT, MAPPING);
            // The same key names the same task, so the test knows which task the waiting request is for.
            Reply submitted = post(VALID, "Idempotency-Key", "wait-1");
            String id = submitted.body().get("task_id").asText();
            CompletableFuture<HttpResponse<String>> pending = postWaiting("wait=60", "Idempotency-Key", "wait-1");

            Reply cancel = delete("/api/v1/merge/" + id);

            assertEquals(200, cancel.status(), cancel.body().toString());
            HttpResponse<String> response = pending.get();
            assertEquals(410, response.statusCode(), response.body());
            assertEquals(
                    "CANCELLED", json.readTree(response.body()).get("reason").asText());
        }
    }

    // ---------------------------------------------------------------- cancel

    @Test
    @DisplayName("Cancelling a pending task is 200 and its result is then 410 CANCELLED")
    void cancelPending() throws Exception {
        TaskId id = submit();

        Reply cancel = delete("/api/v1/merge/" + id);
        Reply result = get("/api/v1/merge/" + id + "/result");

        assertEquals(200, cancel.status());
        assertEquals("failed", cancel.body().get("status").asText());
        assertEquals("CANCELLED", cancel.body().get("reason").asText());
        assertEquals(410, result.status());
        assertEquals("CANCELLED", result.body().get("reason").asText());
    }

    @Test
    @DisplayName("Cancelling a running task is 202: it stops at its next heartbeat")
    void cancelRunning() throws Exception {
        TaskId id = submit();
        service.start(id, 0.5);

        Reply cancel = delete("/api/v1/merge/" + id);

        assertEquals(202, cancel.status());
        assertEquals("processing", cancel.body().get("status").asText());
    }

    @Test
    @DisplayName("Cancelling a finished task is 409 TASK_FINISHED")
    void cancelFinished() throws Exception {
        TaskId id = submit();
        service.complete(id, sampleResult());

        assertError(delete("/api/v1/merge/" + id), 409, "TASK_FINISHED");
        assertEquals(200, get("/api/v1/merge/" + id + "/result").status(), "the result is untouched");
    }

    // ---------------------------------------------------------------- routing (404, 405)

    @Test
    @DisplayName("A path the servlet does not serve is 404 NOT_FOUND")
    void unknownPathIs404() throws Exception {
        for (String path : List.of("/", "/api", "/api/v1/merge/", "/api/v2/merge", "/api/v1/merge/x/y/z", "/healthz")) {
            assertError(get(path), 404, "NOT_FOUND");
        }
    }

    @Test
    @DisplayName("A known path with another method is 405 with Allow")
    void wrongMethodIs405() throws Exception {
        Reply getMerge = get("/api/v1/merge");
        Reply postHealth = send(request("/health").POST(HttpRequest.BodyPublishers.noBody()));
        Reply putStatus =
                send(request("/api/v1/merge/" + TaskId.random() + "/status").PUT(HttpRequest.BodyPublishers.noBody()));

        assertError(getMerge, 405, "METHOD_NOT_ALLOWED");
        assertEquals("POST", getMerge.header("Allow"));
        assertError(postHealth, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET", postHealth.header("Allow"));
        assertError(putStatus, 405, "METHOD_NOT_ALLOWED");
        assertEquals("GET", putStatus.header("Allow"));
    }

    // ---------------------------------------------------------------- health

    @Test
    @DisplayName("Health is {\"status\":\"ok\"} when the store answers")
    void healthOk() throws Exception {
        Reply reply = get("/health");

        assertEquals(200, reply.status());
        assertEquals("{\"status\":\"ok\"}", reply.raw().body());
    }

    @Test
    @DisplayName("Health is 503 STORAGE_FULL with a reason and Retry-After when the work directory is low on space")
    void healthReportsFullDisk() throws Exception {
        service.failPings(new MergeException(ErrorCode.STORAGE_FULL, "free space 10 MB is under 1 GB"));

        Reply reply = get("/health");

        assertEquals(503, reply.status());
        assertEquals(Set.of("status", "code", "error"), fieldNames(reply.body()));
        assertEquals("unavailable", reply.body().get("status").asText());
        assertEquals("STORAGE_FULL", reply.code());
        assertTrue(reply.error().contains("disk space"), reply.error());
        assertEquals("5", reply.header("Retry-After"));
    }

    @Test
    @DisplayName("Health is 503 STORE_UNAVAILABLE for a ping that fails unexpectedly, and says nothing of it")
    void healthHidesUnexpectedFailures() throws Exception {
        service.failPings(new IllegalStateException("pool exhausted at 10.0.0.7"));

        Reply reply = get("/health");

        assertEquals(503, reply.status());
        assertEquals("unavailable", reply.body().get("status").asText());
        assertEquals("STORE_UNAVAILABLE", reply.code());
        assertFalse(reply.raw().body().contains("10.0.0.7"), reply.raw().body());
        assertEquals("5", reply.header("Retry-After"));
    }

    // ---------------------------------------------------------------- authentication

    @Test
    @DisplayName("With no API keys configured every caller may submit")
    void noKeysMeansOpen() throws Exception {
        Reply reply = post(VALID);

        assertEquals(202, reply.status());
    }

    @Test
    @DisplayName("With API keys configured the merge endpoints need one in X-API-Key; health and the document do not")
    void keysAreRequired() throws Exception {
        mount(
                new MergeServlet(
                        service, MergeServlet.Options.defaults().withApiKeys(List.of("alpha-key", "beta-key"))),
                CONTEXT,
                MAPPING);

        Reply missing = post(VALID);
        Reply wrong = post(VALID, "X-API-Key", "alpha-kez");
        Reply prefix = post(VALID, "X-API-Key", "alpha");
        Reply right = post(VALID, "X-API-Key", "beta-key");
        String id = right.body().path("task_id").asText();
        Reply statusWithout = get("/api/v1/merge/" + id + "/status");
        Reply statusWith = send(request("/api/v1/merge/" + id + "/status").header("X-API-Key", "beta-key"));
        Reply cancelWithout = delete("/api/v1/merge/" + id);

        assertError(missing, 401, "UNAUTHORIZED");
        assertTrue(missing.header("WWW-Authenticate").contains("X-API-Key"));
        assertError(wrong, 401, "UNAUTHORIZED");
        assertError(prefix, 401, "UNAUTHORIZED");
        assertEquals(202, right.status());
        assertError(statusWithout, 401, "UNAUTHORIZED");
        assertEquals(200, statusWith.status());
        assertError(cancelWithout, 401, "UNAUTHORIZED");
        assertEquals(1, service.size());
        assertEquals(200, get("/health").status());
        assertEquals(200, get("/api/v1/openapi.json").status());
    }

    @Test
    @DisplayName("A custom Authenticator decides instead of the API keys")
    void customAuthenticator() throws Exception {
        mount(
                new MergeServlet(
                        service,
                        MergeServlet.Options.defaults()
                                .withAuthenticator(r -> "Bearer good".equals(r.getHeader("Authorization"))
                                        ? Optional.of(new Principal("bearer-good"))
                                        : Optional.empty())),
                CONTEXT,
                MAPPING);

        assertError(post(VALID, "X-API-Key", "anything"), 401, "UNAUTHORIZED");
        Reply accepted = post(VALID, "Authorization", "Bearer good");
        assertEquals(202, accepted.status());
        assertEquals(
                new Principal("bearer-good"),
                service.owner(new TaskId(accepted.body().get("task_id").asText())),
                "the task belongs to the principal the authenticator found");
    }

    @Test
    @DisplayName("Two API keys: each key's tasks answer it on every route; the other key gets the 404 of an unknown id")
    void tasksBelongToTheirKey() throws Exception {
        mount(
                new MergeServlet(
                        service, MergeServlet.Options.defaults().withApiKeys(List.of("alpha-key", "beta-key"))),
                CONTEXT,
                MAPPING);
        String alpha = "alpha-key";
        String beta = "beta-key";
        TaskId ofAlpha = idOf(post(VALID, "X-API-Key", alpha));
        TaskId ofBeta = idOf(post(VALID, "X-API-Key", beta));
        TaskId pendingOfBeta = idOf(post(VALID, "X-API-Key", beta));
        service.complete(ofAlpha, sampleResult());
        service.complete(ofBeta, sampleResult());
        Reply unknown = as(alpha, request("/api/v1/merge/" + TaskId.random() + "/status"));

        for (String route : List.of("/status", "/result")) {
            assertEquals(
                    200, as(alpha, request("/api/v1/merge/" + ofAlpha + route)).status(), route);
            assertEquals(
                    200, as(beta, request("/api/v1/merge/" + ofBeta + route)).status(), route);
            Reply foreign = as(alpha, request("/api/v1/merge/" + ofBeta + route));
            assertError(foreign, 404, "TASK_NOT_FOUND");
            assertEquals(unknown.body(), foreign.body(), "a foreign task answers as an unknown one: " + route);
        }
        Reply cancelForeign =
                as(alpha, request("/api/v1/merge/" + pendingOfBeta).DELETE());
        assertError(cancelForeign, 404, "TASK_NOT_FOUND");
        assertEquals(unknown.body(), cancelForeign.body());
        assertEquals(
                "pending",
                as(beta, request("/api/v1/merge/" + pendingOfBeta + "/status"))
                        .body()
                        .get("status")
                        .asText(),
                "another key's cancel changed nothing");
        assertEquals(
                200,
                as(beta, request("/api/v1/merge/" + pendingOfBeta).DELETE()).status());
    }

    @Test
    @DisplayName("Idempotency keys are each API key's own: same key and body, same task; another body, 422")
    void idempotencyKeysPerPrincipal() throws Exception {
        mount(
                new MergeServlet(
                        service, MergeServlet.Options.defaults().withApiKeys(List.of("alpha-key", "beta-key"))),
                CONTEXT,
                MAPPING);
        String other = "{\"video_urls\":[\"https://example.com/c.mp4\",\"https://example.com/d.mp4\"]}";

        TaskId first = idOf(post(VALID, "X-API-Key", "alpha-key", "Idempotency-Key", "order-1"));
        TaskId again = idOf(post(VALID, "X-API-Key", "alpha-key", "Idempotency-Key", "order-1"));
        TaskId betas = idOf(post(other, "X-API-Key", "beta-key", "Idempotency-Key", "order-1"));
        Reply collision = post(other, "X-API-Key", "alpha-key", "Idempotency-Key", "order-1");

        assertEquals(first, again, "the same key and body name the same task");
        assertNotEquals(first, betas, "another API key's key of the same spelling is its own");
        assertError(collision, 422, "IDEMPOTENCY_KEY_REUSED");
        assertEquals(2, service.size(), "the collision recorded nothing");
    }

    private TaskId idOf(Reply reply) {
        assertEquals(202, reply.status(), reply.body().toString());
        return new TaskId(reply.body().get("task_id").asText());
    }

    private Reply as(String apiKey, HttpRequest.Builder request) throws IOException, InterruptedException {
        return send(request.header("X-API-Key", apiKey));
    }

    // ---------------------------------------------------------------- mounting and the document

    @Test
    @DisplayName("Mounted as the root servlet (/) of the root context, routes and Location carry no prefix")
    void mountsAtTheRoot() throws Exception {
        mount(new MergeServlet(service), "", "/");

        HttpResponse<String> health = http.send(
                HttpRequest.newBuilder(URI.create(root + "/health")).build(), HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> submit = http.send(
                HttpRequest.newBuilder(URI.create(root + "/api/v1/merge"))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(VALID))
                        .build(),
                HttpResponse.BodyHandlers.ofString());

        assertEquals(200, health.statusCode());
        assertEquals(202, submit.statusCode());
        assertTrue(submit.headers().firstValue("Location").orElse("").startsWith("/api/v1/merge/"));
    }

    @Test
    @DisplayName("The OpenAPI document lists exactly the routes the servlet answers, and says where it is mounted")
    void openApiListsEveryRoute() throws Exception {
        Reply reply = get("/api/v1/openapi.json");
        assertEquals(200, reply.status());
        JsonNode doc = reply.body();
        assertTrue(doc.get("openapi").asText().startsWith("3."));
        assertEquals(MOUNT, doc.get("servers").get(0).get("url").asText());

        Set<String> documented = new TreeSet<>();
        for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
            String path = paths.next();
            doc.get("paths")
                    .get(path)
                    .fieldNames()
                    .forEachRemaining(method -> documented.add(method.toUpperCase() + " " + path));
        }
        Set<String> routes = new TreeSet<>();
        for (Route route : Route.values()) {
            routes.add(route.method() + " " + route.template());
        }
        assertEquals(routes, documented);

        // Over HTTP: each documented path answers its documented methods and 405s the others with that Allow.
        String someId = TaskId.random().value();
        for (Iterator<String> paths = doc.get("paths").fieldNames(); paths.hasNext(); ) {
            String template = paths.next();
            String path = template.replace(Route.TASK_ID, someId);
            Set<String> methods = new TreeSet<>();
            doc.get("paths").get(template).fieldNames().forEachRemaining(m -> methods.add(m.toUpperCase()));
            for (String method : List.of("GET", "POST", "PUT", "DELETE", "PATCH")) {
                Reply probe = send(request(path).method(method, HttpRequest.BodyPublishers.noBody()));
                if (methods.contains(method)) {
                    assertNotEquals(405, probe.status(), method + " " + path);
                    assertNotEquals("NOT_FOUND", probe.code(), method + " " + path);
                } else {
                    assertEquals(405, probe.status(), method + " " + path);
                    assertEquals(String.join(", ", methods), probe.header("Allow"), method + " " + path);
                }
            }
        }
    }

    @Test
    @DisplayName("Every error code the document names for errors is one the servlet can produce")
    void documentNamesTheErrorCodes() throws Exception {
        JsonNode doc = get("/api/v1/openapi.json").body();
        String described =
                doc.at("/components/schemas/Error/properties/code/description").asText();
        for (ErrorCode code : List.of(
                ErrorCode.INVALID_REQUEST,
                ErrorCode.QUEUE_FULL,
                ErrorCode.STORE_UNAVAILABLE,
                ErrorCode.TASK_NOT_FOUND)) {
            assertTrue(described.contains(code.name()), code.name());
        }
        ArrayNode qualities = (ArrayNode) doc.at("/components/schemas/MergeRequest/properties/quality/enum");
        List<String> wires = new ArrayList<>();
        qualities.forEach(q -> wires.add(q.asText()));
        List<String> expected = new ArrayList<>();
        for (Quality q : Quality.values()) {
            expected.add(WireNames.of(q));
        }
        assertEquals(expected, wires, "the document's qualities are the library's");
        ObjectNode ratioSchema = (ObjectNode) doc.at("/components/schemas/MergeRequest/properties/aspect_ratio");
        List<String> ratios = new ArrayList<>();
        ratioSchema.get("enum").forEach(r -> ratios.add(r.asText()));
        List<String> expectedRatios = new ArrayList<>();
        for (AspectRatio r : AspectRatio.values()) {
            expectedRatios.add(WireNames.of(r));
        }
        assertEquals(expectedRatios, ratios);
        List<String> speeds = new ArrayList<>();
        doc.at("/components/schemas/MergeRequest/properties/speed/enum").forEach(v -> speeds.add(v.asText()));
        List<String> expectedSpeeds = new ArrayList<>();
        for (Speed v : Speed.values()) {
            expectedSpeeds.add(WireNames.of(v));
        }
        assertEquals(expectedSpeeds, speeds, "the document's speeds are the library's");
    }

    @Test
    @DisplayName(
            "On the real service without workers: idempotency, status, 409 result, cancel to 410, and its own validation")
    void taskLifecycleOnTheRealService(@TempDir Path tmp) throws Exception {
        try (InMemoryJobStore store = new InMemoryJobStore();
                MergeService real = MergeService.builder()
                        .uploader(new FileSystemUploader(tmp.resolve("out"), URI.create("https://cdn.example.com/")))
                        .workDirectory(tmp.resolve("work"))
                        .jobStore(store)
                        .mergeConcurrency(0) // records tasks and answers for them; nothing runs them
                        .build()) {
            mount(new MergeServlet(real), CONTEXT, MAPPING);

            Reply first = post(VALID, "Idempotency-Key", "real-1");
            Reply again = post(VALID, "Idempotency-Key", "real-1");
            String id = first.body().get("task_id").asText();
            assertEquals(202, first.status());
            assertEquals(id, again.body().get("task_id").asText());

            JsonNode status = get("/api/v1/merge/" + id + "/status").body();
            assertEquals("pending", status.get("status").asText());
            assertEquals(409, get("/api/v1/merge/" + id + "/result").status());

            Reply cancel = delete("/api/v1/merge/" + id);
            assertEquals(200, cancel.status(), cancel.body().toString());
            assertEquals("CANCELLED", cancel.body().get("reason").asText());
            Reply result = get("/api/v1/merge/" + id + "/result");
            assertEquals(410, result.status());
            assertEquals("CANCELLED", result.body().get("reason").asText());
            assertError(delete("/api/v1/merge/" + id), 409, "TASK_FINISHED");
            assertError(get("/api/v1/merge/" + TaskId.random() + "/status"), 404, "TASK_NOT_FOUND");

            Reply oneClip = post("{\"video_urls\":[\"https://example.com/a.mp4\"]}");
            assertError(oneClip, 400, "INVALID_REQUEST");
            assertTrue(oneClip.error().contains("video_urls"), oneClip.error());
            Reply scheme = post("{\"video_urls\":[\"ftp://example.com/a.mp4\",\"https://example.com/b.mp4\"]}");
            assertError(scheme, 400, "UNSUPPORTED_SCHEME");
            Reply loopback = post("{\"video_urls\":[\"http://127.0.0.1/a.mp4\",\"https://example.com/b.mp4\"]}");
            assertError(loopback, 422, "URL_FORBIDDEN");
            assertFalse(loopback.error().contains("127.0.0.1"), "no address in the answer: " + loopback.error());
            Reply callback = post("{\"video_urls\":[\"https://example.com/a.mp4\",\"https://example.com/b.mp4\"],"
                    + "\"callback_url\":\"https://hooks.example.com/merge\"}");
            assertError(callback, 400, "INVALID_REQUEST");
            assertTrue(callback.error().contains("sends no webhooks"), callback.error());
        }
    }

    @Test
    @DisplayName("On the real service: a URL whose port is outside 1 to 65535 is 400 INVALID_REQUEST naming the input")
    void portOutOfRangeIsRefused(@TempDir Path tmp) throws Exception {
        try (InMemoryJobStore store = new InMemoryJobStore();
                MergeService real = MergeService.builder()
                        .uploader(new FileSystemUploader(tmp.resolve("out"), URI.create("https://cdn.example.com/")))
                        .workDirectory(tmp.resolve("work"))
                        .jobStore(store)
                        .mergeConcurrency(0)
                        .build()) {
            mount(new MergeServlet(real), CONTEXT, MAPPING);

            // java.net.URI reads the first as port 65536, the second as an authority without host or port.
            for (String url : List.of("http://example.com:65536/b.mp4", "http://example.com:99999999999/b.mp4")) {
                Reply reply = post("{\"video_urls\":[\"https://example.com/a.mp4\",\"" + url + "\"]}");

                assertError(reply, 400, "INVALID_REQUEST");
                assertEquals("Input 1: the URL's port is not a number from 1 to 65535", reply.error());
            }
            assertEquals(0, store.countPending(), "nothing was recorded");
        }
    }

    @Test
    @DisplayName("On the real service with webhooks: a forbidden callback_url is 422 naming the field; a cancelled"
            + " task's webhook carries its result body, signed")
    void webhooksOnTheRealService(@TempDir Path tmp) throws Exception {
        try (WebhookReceiver receiver = WebhookReceiver.start();
                InMemoryJobStore store = new InMemoryJobStore();
                MergeService real = MergeService.builder()
                        .limits(Limits.defaults().toBuilder()
                                .allowLoopbackUrls(true)
                                .build())
                        .uploader(new FileSystemUploader(tmp.resolve("out"), URI.create("https://cdn.example.com/")))
                        .workDirectory(tmp.resolve("work"))
                        .jobStore(store)
                        .mergeConcurrency(0)
                        .webhooks(Webhooks.signedWith(HOOK_SECRET))
                        .build()) {
            mount(new MergeServlet(real), CONTEXT, MAPPING);

            for (String forbidden : List.of("http://169.254.169.254/latest/meta-data", "http://10.0.0.1/hook")) {
                Reply refused = post("{\"video_urls\":[\"https://example.com/a.mp4\",\"https://example.com/b.mp4\"],"
                        + "\"callback_url\":\"" + forbidden + "\"}");
                assertError(refused, 422, "URL_FORBIDDEN");
                assertTrue(refused.error().startsWith("callback_url: "), refused.error());
                assertFalse(refused.error().contains(URI.create(forbidden).getHost()), refused.error());
            }
            assertEquals(0, store.countPending(), "a refused callback records nothing");

            Reply submit = post("{\"video_urls\":[\"https://example.com/a.mp4\",\"https://example.com/b.mp4\"],"
                    + "\"callback_url\":\"" + receiver.url("/hook?token=x") + "\"}");
            assertEquals(202, submit.status(), submit.body().toString());
            String id = submit.body().get("task_id").asText();
            assertEquals(200, delete("/api/v1/merge/" + id).status());

            WebhookReceiver.Received hook = receiver.next(DEADLINE);
            Reply result = get("/api/v1/merge/" + id + "/result");

            assertEquals(410, result.status());
            assertTrue(hook.verify(HOOK_SECRET), hook.headers().toString());
            assertEquals("msg_" + id, hook.header("webhook-id"));
            assertSameOutcome(result.body(), json.readTree(hook.body()), id, "failed");
        }
    }

    /** Checks that a webhook body is the result body with the task's id and status in front. */
    private static void assertSameOutcome(JsonNode result, JsonNode webhook, String id, String status) {
        ObjectNode rest = webhook.deepCopy();
        assertEquals(id, rest.remove("task_id").asText());
        assertEquals(status, rest.remove("status").asText());
        assertEquals(result, rest, "the webhook says what GET result answers");
    }

    // ---------------------------------------------------------------- the whole flow, on the real service

    @Test
    @DisplayName(
            "On the real service: submit, status with rising progress, result, a webhook with the same result, and a"
                    + " merged file that downloads and probes right")
    void wholeFlowOnTheRealService(@TempDir Path tmp) throws Exception {
        Path media = Files.createDirectories(tmp.resolve("media"));
        ClipSpec clip = ClipSpec.of(320, 240).withDuration(2.0);
        ClipGenerator.write(clip, media, "a");
        ClipGenerator.write(clip.withSize(240, 320), media, "b");
        try (ClipServer files = ClipServer.serve(media);
                InMemoryJobStore store = new InMemoryJobStore();
                MergeService real = MergeService.builder()
                        .limits(Limits.defaults().toBuilder()
                                .allowLoopbackUrls(true)
                                .build())
                        .uploader(new FileSystemUploader(media.resolve("out"), files.url("out/")))
                        .workDirectory(tmp.resolve("work"))
                        .jobStore(store)
                        .mergeConcurrency(1)
                        .heartbeat(Duration.ofMillis(100)) // progress reaches the store with each heartbeat
                        .webhooks(Webhooks.signedWith(HOOK_SECRET))
                        .build();
                WebhookReceiver receiver = WebhookReceiver.start()) {
            mount(new MergeServlet(real), CONTEXT, MAPPING);

            Reply submit = post("{\"video_urls\":[\"" + files.url("a.mp4") + "\",\"" + files.url("b.mp4")
                    + "\"],\"quality\":\"480\",\"aspect_ratio\":\"16:9\",\"callback_url\":\""
                    + receiver.url("/done") + "\"}");
            assertEquals(202, submit.status(), submit.body().toString());
            TaskId id = new TaskId(submit.body().get("task_id").asText());

            List<Double> progress = new ArrayList<>();
            Set<String> states = new LinkedHashSet<>();
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            JsonNode status;
            do {
                status = get("/api/v1/merge/" + id + "/status").body();
                states.add(status.get("status").asText());
                progress.add(status.get("progress").asDouble());
                // Paces the polling: returns as soon as the task is final, else after 20 ms.
                real.await(id, Duration.ofMillis(20));
            } while (!Set.of("completed", "failed")
                            .contains(status.get("status").asText())
                    && System.nanoTime() < deadline);
            assertEquals("completed", status.get("status").asText(), status.toString());
            for (int i = 1; i < progress.size(); i++) {
                assertTrue(progress.get(i) >= progress.get(i - 1), "progress never goes back: " + progress);
            }
            assertTrue(progress.stream().anyMatch(p -> p > 0 && p < 1), "progress was reported mid-way: " + progress);
            assertEquals(1.0, progress.get(progress.size() - 1), "a completed task is at 1.0");
            assertTrue(states.contains("processing"), states.toString());

            Reply result = get("/api/v1/merge/" + id + "/result");
            assertEquals(200, result.status(), result.body().toString());
            assertTrue(result.body().get("success").asBoolean());
            assertEquals(2, result.body().get("clips_merged").asInt());
            assertEquals(3.5, result.body().get("duration_seconds").asDouble(), 0.2);
            assertTrue(result.body().get("processing_time").asDouble() > 0);
            WebhookReceiver.Received hook = receiver.next(DEADLINE);
            assertTrue(hook.verify(HOOK_SECRET), hook.headers().toString());
            assertSameOutcome(result.body(), json.readTree(hook.body()), id.value(), "completed");

            Path merged = tmp.resolve("merged.mp4");
            HttpResponse<Path> download = http.send(
                    HttpRequest.newBuilder(
                                    URI.create(result.body().get("merged_url").asText()))
                            .build(),
                    HttpResponse.BodyHandlers.ofFile(merged));
            assertEquals(200, download.statusCode());
            ClipInfo info = new Prober(Limits.defaults()).probe(merged, 0);
            assertEquals(854, info.displayWidth());
            assertEquals(480, info.displayHeight());
            assertTrue(info.hasAudio());
            assertEquals(3.5, info.durationSeconds(), 0.2);
        }
    }
}
