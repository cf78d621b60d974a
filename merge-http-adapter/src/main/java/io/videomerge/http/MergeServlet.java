package io.videomerge.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Enumeration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Speaks the videomerge HTTP contract around a {@link MergeService}, mounted under any path of any Jakarta
 * Servlet 6 container (routes are matched on the path below the servlet's mapping, so {@code /*},
 * {@code /video/*} and {@code /} all work).
 *
 * <ul>
 *   <li>{@code POST /api/v1/merge}: 202 {@code {"task_id", "message"}} with {@code Location}; honours
 *       {@code Idempotency-Key} and {@code Prefer: wait=N} (then 200 with the result when it finished in time);</li>
 *   <li>{@code GET /api/v1/merge/{task_id}/status}, {@code GET /api/v1/merge/{task_id}/result},
 *       {@code DELETE /api/v1/merge/{task_id}} (cancel);</li>
 *   <li>{@code GET /health} and {@code GET /api/v1/openapi.json}, both without authentication.</li>
 * </ul>
 *
 * <p>Every refusal is {@code {"error", "code"}} with a status from one table; no answer carries a stack
 * trace, class name, path or address. The servlet never closes the service: its owner does.
 */
public final class MergeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(MergeServlet.class);

    private static final String JSON = "application/json";
    private static final String OPENAPI_RESOURCE = "openapi.json";
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,9}");
    private static final String NO_SUCH_TASK = "no task with that id";

    private final transient MergeService service;
    private final transient Options options;
    private final transient RequestReader reader;
    private final transient ObjectMapper mapper = new ObjectMapper();
    private final transient ObjectNode openApi;

    /**
     * The settings of a {@link MergeServlet}.
     *
     * @param maxBodyBytes  the largest request body read; a larger one, declared or chunked, is 413 unparsed
     *                      (default 64 KiB)
     * @param authenticator who may call the merge endpoints (default {@link Authenticator#apiKeys} with no
     *                      keys: open, with a warning in the log)
     * @param maxWait       the cap on {@code Prefer: wait} (default 60 s; zero ignores the preference)
     */
    public record Options(long maxBodyBytes, Authenticator authenticator, Duration maxWait) {
        public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
        public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);

        public Options {
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxBodyBytes must be between 1 and 2^31 - 9: " + maxBodyBytes);
            }
            requireNonNull(authenticator, "authenticator");
            requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait must be >= 0: " + maxWait);
            }
        }

        /** 64 KiB bodies, no API keys (open), waits of at most 60 s. */
        public static Options defaults() {
            return new Options(DEFAULT_MAX_BODY_BYTES, Authenticator.apiKeys(List.of()), DEFAULT_MAX_WAIT);
        }

        public Options withMaxBodyBytes(long bytes) {
            return new Options(bytes, authenticator, maxWait);
        }

        public Options withAuthenticator(Authenticator value) {
            return new Options(maxBodyBytes, value, maxWait);
        }

        /** The default authenticator with these keys ({@code X-API-Key}; none means open). */
        public Options withApiKeys(Collection<String> keys) {
            return withAuthenticator(Authenticator.apiKeys(keys));
        }

        public Options withMaxWait(Duration value) {
            return new Options(maxBodyBytes, authenticator, value);
        }
    }

    /** A servlet around {@code service} with {@link Options#defaults()}. */
    public MergeServlet(MergeService service) {
        this(service, Options.defaults());
    }

    public MergeServlet(MergeService service, Options options) {
        this.service = requireNonNull(service, "service");
        this.options = requireNonNull(options, "options");
        this.reader = new RequestReader(options.maxBodyBytes());
        this.openApi = loadOpenApi();
        if (options.authenticator() instanceof ApiKeyAuthenticator keys && keys.isOpen()) {
            log.warn("No API keys are configured: the merge endpoints accept every caller");
        }
    }

    private ObjectNode loadOpenApi() {
        try (InputStream in = MergeServlet.class.getResourceAsStream(OPENAPI_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the OpenAPI document is missing from the class path");
            }
            return (ObjectNode) mapper.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException("the OpenAPI document could not be read", e);
        }
    }

    @Override
    protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
        try {
            dispatch(request, response);
        } catch (ApiError e) {
            if (e.status() == 413) {
                // The rest of the body is not read; ask the container not to keep the connection.
                response.setHeader("Connection", "close");
            }
            error(response, e.status(), e.code(), e.getMessage());
        } catch (MergeException e) {
            mergeError(response, e);
        } catch (RuntimeException e) {
            log.error("Unexpected failure answering {} {}", request.getMethod(), request.getRequestURI(), e);
            error(response, 500, "INTERNAL_ERROR", "internal error");
        }
    }

    private void dispatch(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String path = request.getPathInfo() != null ? request.getPathInfo() : request.getServletPath();
        Set<String> allowed = new LinkedHashSet<>();
        Route route = null;
        String variable = "";
        for (Route candidate : Route.values()) {
            Optional<String> match = candidate.match(path == null ? "" : path);
            if (match.isPresent()) {
                allowed.add(candidate.method());
                if (candidate.method().equals(request.getMethod())) {
                    route = candidate;
                    variable = match.get();
                }
            }
        }
        if (allowed.isEmpty()) {
            throw new ApiError(404, "NOT_FOUND", "no such endpoint");
        }
        if (route == null) {
            response.setHeader("Allow", String.join(", ", allowed));
            throw new ApiError(405, "METHOD_NOT_ALLOWED", "allowed methods: " + String.join(", ", allowed));
        }
        if (route.authenticated() && !options.authenticator().authenticate(request)) {
            response.setHeader("WWW-Authenticate", options.authenticator().challenge());
            throw new ApiError(401, "UNAUTHORIZED", "missing or invalid API key");
        }
        switch (route) {
            case SUBMIT -> submit(request, response);
            case STATUS -> status(task(variable), response);
            case RESULT -> result(task(variable), response);
            case CANCEL -> cancel(task(variable), response);
            case HEALTH -> health(response);
            case OPENAPI -> openApi(request, response);
        }
    }

    /** Malformed and unknown ids answer alike, so the shape of an id tells a caller nothing. */
    private static TaskId task(String text) {
        return TaskId.parse(text).orElseThrow(() -> new ApiError(404, ErrorCode.TASK_NOT_FOUND.name(), NO_SUCH_TASK));
    }

    private void submit(HttpServletRequest request, HttpServletResponse response) throws IOException {
        MergeRequest merge = reader.read(request);
        String key = request.getHeader("Idempotency-Key");
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiError.invalid("Idempotency-Key must be 1 to 255 visible ASCII characters");
        }
        TaskId id = key == null ? service.submit(merge) : service.submit(merge, key);
        response.setHeader("Location", base(request) + "/api/v1/merge/" + id + "/status");

        Optional<Duration> wait = preferredWait(request);
        if (wait.isPresent()) {
            response.setHeader("Preference-Applied", "wait=" + wait.get().toSeconds());
            TaskStatus status = awaitQuietly(id, wait.get());
            if (status != null && status.status().isFinal()) {
                writeFinal(id, response);
                return;
            }
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("task_id", id.value());
        body.put("message", "Merge started");
        write(response, 202, body);
    }

    private TaskStatus awaitQuietly(TaskId id, Duration wait) {
        try {
            return service.await(id, wait);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** The {@code wait} preference of RFC 7240, capped; absent when not asked for or the cap is zero. */
    private Optional<Duration> preferredWait(HttpServletRequest request) {
        Enumeration<String> headers = request.getHeaders("Prefer");
        if (headers == null || options.maxWait().isZero()) {
            return Optional.empty();
        }
        while (headers.hasMoreElements()) {
            for (String preference : headers.nextElement().split(",")) {
                String token = preference.split(";", 2)[0].trim();
                int eq = token.indexOf('=');
                if (eq < 0 || !token.substring(0, eq).trim().equalsIgnoreCase("wait")) {
                    continue;
                }
                String value = token.substring(eq + 1).trim().replace("\"", "");
                if (DELTA_SECONDS.matcher(value).matches()) {
                    Duration asked = Duration.ofSeconds(Long.parseLong(value));
                    Duration capped = asked.compareTo(options.maxWait()) > 0 ? options.maxWait() : asked;
                    return capped.isZero() ? Optional.empty() : Optional.of(capped);
                }
            }
        }
        return Optional.empty();
    }

    private void status(TaskId id, HttpServletResponse response) throws IOException {
        write(response, 200, statusBody(lookup(id)));
    }

    private void result(TaskId id, HttpServletResponse response) throws IOException {
        TaskStatus status = lookup(id);
        if (!status.status().isFinal()) {
            write(response, 409, statusBody(status));
            return;
        }
        writeFinal(id, response);
    }

    /** The answer of the synchronous API for a finished task: the result, or the failure with its status. */
    private void writeFinal(TaskId id, HttpServletResponse response) throws IOException {
        MergeResult result;
        try {
            result = service.result(id);
        } catch (MergeException e) {
            if (e.code() == ErrorCode.TASK_NOT_FOUND || e.code() == ErrorCode.STORE_UNAVAILABLE) {
                throw e;
            }
            ObjectNode body = mapper.createObjectNode();
            body.put("success", false);
            body.put("error", e.getMessage());
            body.put("reason", e.code().name());
            write(response, ErrorStatus.of(e.code()), body);
            return;
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("success", true);
        body.put("merged_url", result.mergedUrl().toString());
        body.put("duration_seconds", result.durationSeconds());
        body.put("processing_time", result.processingTime().toMillis() / 1000.0);
        body.put("clips_merged", result.clipsMerged());
        write(response, 200, body);
    }

    private void cancel(TaskId id, HttpServletResponse response) throws IOException {
        TaskStatus before = lookup(id);
        if (before.status().isFinal() || !service.cancel(id)) {
            throw new ApiError(409, "TASK_FINISHED", "the task has already finished");
        }
        TaskStatus after = lookup(id);
        // A pending task is cancelled at once (200); a running one stops at its next heartbeat (202).
        write(response, after.status().isFinal() ? 200 : 202, statusBody(after));
    }

    private TaskStatus lookup(TaskId id) {
        try {
            return service.status(id);
        } catch (MergeException e) {
            if (e.code() == ErrorCode.TASK_NOT_FOUND) {
                throw new ApiError(404, ErrorCode.TASK_NOT_FOUND.name(), NO_SUCH_TASK);
            }
            throw e;
        }
    }

    private void health(HttpServletResponse response) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        try {
            service.ping();
        } catch (RuntimeException e) {
            log.warn("Health check failed: {}", e.getMessage());
            body.put("status", "unavailable");
            body.put("error", "the job store does not answer");
            body.put("code", ErrorCode.STORE_UNAVAILABLE.name());
            response.setHeader("Retry-After", Integer.toString(ErrorStatus.RETRY_AFTER_SECONDS));
            write(response, 503, body);
            return;
        }
        body.put("status", "ok");
        write(response, 200, body);
    }

    private void openApi(HttpServletRequest request, HttpServletResponse response) throws IOException {
        String base = base(request);
        JsonNode document = openApi;
        if (!base.isEmpty()) {
            // The document's paths are relative to the mount point; tell clients where that is.
            ObjectNode copy = openApi.deepCopy();
            copy.putArray("servers").addObject().put("url", base);
            document = copy;
        }
        write(response, 200, document);
    }

    private ObjectNode statusBody(TaskStatus status) {
        ObjectNode body = mapper.createObjectNode();
        body.put("task_id", status.taskId().value());
        body.put("status", WireNames.of(status.status()));
        body.put("message", status.message());
        body.put("progress", status.progress());
        body.put("created_at", status.createdAt().toString());
        body.put("updated_at", status.updatedAt().toString());
        status.reason().ifPresent(reason -> body.put("reason", reason.name()));
        return body;
    }

    /** The path the servlet is mounted at, without a trailing slash ("" at the root). */
    private static String base(HttpServletRequest request) {
        String servletPath = request.getPathInfo() != null ? request.getServletPath() : "";
        return request.getContextPath() + servletPath;
    }

    private void mergeError(HttpServletResponse response, MergeException e) throws IOException {
        int status = ErrorStatus.of(e.code());
        ErrorStatus.retryAfterSeconds(e.code())
                .ifPresent(seconds -> response.setHeader("Retry-After", Integer.toString(seconds)));
        if (status >= 500) {
            log.warn("Request failed with {}: {}", e.code(), e.getMessage());
        }
        error(response, status, e.code().name(), e.getMessage());
    }

    private void error(HttpServletResponse response, int status, String code, String message) throws IOException {
        if (response.isCommitted()) {
            return;
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("error", message);
        body.put("code", code);
        write(response, status, body);
    }

    private void write(HttpServletResponse response, int status, JsonNode body) throws IOException {
        byte[] bytes = mapper.writeValueAsBytes(body);
        response.setStatus(status);
        response.setContentType(JSON);
        response.setHeader("Cache-Control", "no-store");
        response.setHeader("X-Content-Type-Options", "nosniff");
        response.setContentLength(bytes.length);
        response.getOutputStream().write(bytes);
    }
}
