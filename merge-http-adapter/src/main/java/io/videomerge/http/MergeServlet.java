package io.videomerge.http;

import static java.util.Objects.requireNonNull;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.ErrorCode;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
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
 *
 * <p>Each task belongs to the {@link Principal} the {@link Authenticator} found for the request that submitted
 * it: status, result, waits and cancel of another principal's task answer 404 TASK_NOT_FOUND, like an unknown
 * id, and an {@code Idempotency-Key} is the principal's own (the same key with a different body: 422
 * IDEMPOTENCY_KEY_REUSED).
 *
 * <p>{@code Prefer: wait} holds no container thread: the request goes asynchronous and is answered from the
 * thread that completes {@link MergeService#awaitFinal}, so register the servlet with async support
 * ({@code asyncSupported}); without it such requests are answered 202 at once. At most
 * {@link Options#maxWaiters()} requests wait at a time; the next ones are answered 202 at once.
 */
public final class MergeServlet extends HttpServlet {
    private static final long serialVersionUID = 1L;
    private static final Logger log = LoggerFactory.getLogger(MergeServlet.class);

    private static final String JSON = "application/json";
    private static final String OPENAPI_RESOURCE = "openapi.json";
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7e]{1,255}");
    private static final Pattern DELTA_SECONDS = Pattern.compile("\\d{1,9}");
    private static final String NO_SUCH_TASK = "no task with that id";
    /** How much longer than the wait the container gives an asynchronous request, so that it never cuts first. */
    private static final Duration ASYNC_TIMEOUT_MARGIN = Duration.ofSeconds(5);

    private final transient MergeService service;
    private final transient Options options;
    private final transient RequestReader reader;
    /**
     * With a buffer pool of its own rather than Jackson's default, which keeps buffers in a thread local of each
     * container thread that answers: those would hold the web application's class loader after an undeploy.
     */
    private final transient ObjectMapper mapper = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build());

    private final transient ObjectNode openApi;
    private final transient AtomicInteger waiters = new AtomicInteger();
    private final transient AtomicBoolean warnedNoAsync = new AtomicBoolean();

    /**
     * The settings of a {@link MergeServlet}.
     *
     * @param maxBodyBytes  the largest request body read; a larger one, declared or chunked, is 413 unparsed
     *                      (default 64 KiB)
     * @param authenticator who may call the merge endpoints (default {@link Authenticator#apiKeys} with no
     *                      keys: open, with a warning in the log)
     * @param maxWait       the cap on {@code Prefer: wait} (default 60 s; zero ignores the preference)
     * @param maxWaiters    how many {@code Prefer: wait} requests may wait at once; the next ones are answered
     *                      202 at once, without {@code Preference-Applied} (default 1000; zero ignores the
     *                      preference)
     */
    public record Options(long maxBodyBytes, Authenticator authenticator, Duration maxWait, int maxWaiters) {
        public static final long DEFAULT_MAX_BODY_BYTES = 64 * 1024;
        public static final Duration DEFAULT_MAX_WAIT = Duration.ofSeconds(60);
        public static final int DEFAULT_MAX_WAITERS = 1000;

        public Options {
            if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("maxBodyBytes must be between 1 and 2^31 - 9: " + maxBodyBytes);
            }
            requireNonNull(authenticator, "authenticator");
            requireNonNull(maxWait, "maxWait");
            if (maxWait.isNegative()) {
                throw new IllegalArgumentException("maxWait must be >= 0: " + maxWait);
            }
            if (maxWaiters < 0) {
                throw new IllegalArgumentException("maxWaiters must be >= 0: " + maxWaiters);
            }
        }

        /** 64 KiB bodies, no API keys (open), waits of at most 60 s, at most 1000 of them at once. */
        public static Options defaults() {
            return new Options(
                    DEFAULT_MAX_BODY_BYTES, Authenticator.apiKeys(List.of()), DEFAULT_MAX_WAIT, DEFAULT_MAX_WAITERS);
        }

        public Options withMaxBodyBytes(long bytes) {
            return new Options(bytes, authenticator, maxWait, maxWaiters);
        }

        public Options withAuthenticator(Authenticator value) {
            return new Options(maxBodyBytes, value, maxWait, maxWaiters);
        }

        /** The default authenticator with these keys ({@code X-API-Key}; none means open). */
        public Options withApiKeys(Collection<String> keys) {
            return withAuthenticator(Authenticator.apiKeys(keys));
        }

        public Options withMaxWait(Duration value) {
            return new Options(maxBodyBytes, authenticator, value, maxWaiters);
        }

        public Options withMaxWaiters(int value) {
            return new Options(maxBodyBytes, authenticator, maxWait, value);
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
        Principal principal = Principal.ANONYMOUS;
        if (route.authenticated()) {
            principal = options.authenticator().authenticate(request).orElseThrow(() -> {
                response.setHeader("WWW-Authenticate", options.authenticator().challenge());
                return new ApiError(401, "UNAUTHORIZED", "missing or invalid API key");
            });
        }
        switch (route) {
            case SUBMIT -> submit(principal, request, response);
            case STATUS -> status(principal, task(variable), response);
            case RESULT -> result(principal, task(variable), response);
            case CANCEL -> cancel(principal, task(variable), response);
            case HEALTH -> health(response);
            case OPENAPI -> openApi(request, response);
        }
    }

    /** Malformed and unknown ids answer alike, so the shape of an id tells a caller nothing. */
    private static TaskId task(String text) {
        return TaskId.parse(text).orElseThrow(() -> new ApiError(404, ErrorCode.TASK_NOT_FOUND.name(), NO_SUCH_TASK));
    }

    private void submit(Principal principal, HttpServletRequest request, HttpServletResponse response)
            throws IOException {
        MergeRequest merge = reader.read(request);
        String key = request.getHeader("Idempotency-Key");
        if (key != null && !IDEMPOTENCY_KEY.matcher(key).matches()) {
            throw ApiError.invalid("Idempotency-Key must be 1 to 255 visible ASCII characters");
        }
        TaskId id = service.submit(principal, merge, Optional.ofNullable(key));
        response.setHeader("Location", base(request) + "/api/v1/merge/" + id + "/status");

        Optional<Duration> wait = preferredWait(request);
        if (wait.isPresent() && admitWaiter(request)) {
            awaitAnswer(principal, request, response, id, wait.get());
            return;
        }
        accepted(id, response);
    }

    private void accepted(TaskId id, HttpServletResponse response) throws IOException {
        ObjectNode body = mapper.createObjectNode();
        body.put("task_id", id.value());
        body.put("message", "Merge started");
        write(response, 202, body);
    }

    /** Takes one of the {@link Options#maxWaiters()} places, when async is possible and one is free. */
    private boolean admitWaiter(HttpServletRequest request) {
        if (!request.isAsyncSupported()) {
            if (warnedNoAsync.compareAndSet(false, true)) {
                log.warn("Prefer: wait is answered 202 at once: async is not enabled on this servlet's registration"
                        + " (set asyncSupported on it and on the filters before it)");
            }
            return false;
        }
        if (waiters.incrementAndGet() > options.maxWaiters()) {
            waiters.decrementAndGet();
            return false;
        }
        return true;
    }

    /**
     * Answers once the task is final or the wait is over, from the thread that completes the wait; the
     * container thread returns at once. Holds one waiter place, which {@link WaitingAnswer} gives back.
     */
    private void awaitAnswer(
            Principal principal, HttpServletRequest request, HttpServletResponse response, TaskId id, Duration wait)
            throws IOException {
        CompletableFuture<TaskStatus> finished;
        try {
            finished = service.awaitFinal(principal, id, wait);
        } catch (RuntimeException e) {
            waiters.decrementAndGet();
            throw e;
        }
        response.setHeader("Preference-Applied", "wait=" + wait.toSeconds());
        if (finished.isDone()) {
            waiters.decrementAndGet();
            answerWait(principal, id, finished, response);
            return;
        }
        AsyncContext async = request.startAsync(request, response);
        async.setTimeout(wait.plus(ASYNC_TIMEOUT_MARGIN).toMillis());
        WaitingAnswer answer = new WaitingAnswer(async, principal, id, finished, request.getRequestURI());
        async.addListener(answer);
        finished.whenComplete((status, failure) -> answer.send());
    }

    /**
     * The answer to a {@code Prefer: wait} request: the synchronous API's answer when the task is final,
     * else 202. The task exists whatever happened, so a status or result that could not be read is a 202
     * too: the client has the id and Location, and asks again later.
     */
    private void answerWait(
            Principal principal, TaskId id, CompletableFuture<TaskStatus> finished, HttpServletResponse response)
            throws IOException {
        TaskStatus status = finished.isDone() && !finished.isCompletedExceptionally() ? finished.join() : null;
        if (status != null && status.status().isFinal()) {
            try {
                writeFinal(principal, id, response);
                return;
            } catch (MergeException e) {
                log.warn("The result of finished task {} could not be read ({}); answering 202", id, e.code());
            }
        }
        accepted(id, response);
    }

    /**
     * One asynchronous {@code Prefer: wait} request, answered once by whichever comes first: the end of the
     * wait, the container's timeout, or the end of the request (the client went away). Each gives the waiter
     * place back and ends the wait.
     */
    private final class WaitingAnswer implements AsyncListener {
        private final AsyncContext async;
        private final Principal principal;
        private final TaskId id;
        private final CompletableFuture<TaskStatus> finished;
        private final String uri;
        private final AtomicBoolean done = new AtomicBoolean();

        WaitingAnswer(
                AsyncContext async,
                Principal principal,
                TaskId id,
                CompletableFuture<TaskStatus> finished,
                String uri) {
            this.async = async;
            this.principal = principal;
            this.id = id;
            this.finished = finished;
            this.uri = uri;
        }

        /** Writes the answer and completes the request, unless it was answered already. */
        void send() {
            if (!done.compareAndSet(false, true)) {
                return;
            }
            waiters.decrementAndGet();
            HttpServletResponse response = (HttpServletResponse) async.getResponse();
            try {
                answerWait(principal, id, finished, response);
            } catch (IOException e) {
                log.debug("The client of POST {} went away before its answer: {}", uri, e.toString());
            } catch (RuntimeException e) {
                log.error("Unexpected failure answering POST {}", uri, e);
                try {
                    error(response, 500, "INTERNAL_ERROR", "internal error");
                } catch (IOException | RuntimeException again) {
                    log.debug("The error answer to POST {} could not be written either: {}", uri, again.toString());
                }
            } finally {
                completeQuietly();
            }
        }

        /** Ends the request without an answer, unless it was answered already, and gives the wait up. */
        private void abandon() {
            if (done.compareAndSet(false, true)) {
                waiters.decrementAndGet();
                completeQuietly();
            }
            finished.cancel(false);
        }

        private void completeQuietly() {
            try {
                async.complete();
            } catch (IllegalStateException e) {
                log.debug("POST {} was completed already: {}", uri, e.toString());
            }
        }

        @Override
        public void onTimeout(AsyncEvent event) {
            // Not expected, as the wait ends before the container's timeout; answered as a wait that ran out.
            send();
            finished.cancel(false);
        }

        @Override
        public void onError(AsyncEvent event) {
            log.debug("Waiting request POST {} failed: {}", uri, String.valueOf(event.getThrowable()));
            abandon();
        }

        @Override
        public void onComplete(AsyncEvent event) {
            abandon();
        }

        @Override
        public void onStartAsync(AsyncEvent event) {}
    }

    /** The {@code wait} preference of RFC 7240, capped; absent when not asked for or the cap is zero. */
    private Optional<Duration> preferredWait(HttpServletRequest request) {
        Enumeration<String> headers = request.getHeaders("Prefer");
        if (headers == null || options.maxWait().isZero() || options.maxWaiters() == 0) {
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

    private void status(Principal principal, TaskId id, HttpServletResponse response) throws IOException {
        write(response, 200, statusBody(lookup(principal, id)));
    }

    /** The result; before the task is final, 409 with {@code error} and {@code code} as well as the status fields. */
    private void result(Principal principal, TaskId id, HttpServletResponse response) throws IOException {
        TaskStatus status = lookup(principal, id);
        if (!status.status().isFinal()) {
            ObjectNode body = statusBody(status);
            body.put("error", "the task has not finished yet");
            body.put("code", ErrorCode.TASK_NOT_FINISHED.name());
            write(response, ErrorStatus.of(ErrorCode.TASK_NOT_FINISHED), body);
            return;
        }
        writeFinal(principal, id, response);
    }

    /** The answer of the synchronous API for a finished task: the result, or the failure with its status. */
    private void writeFinal(Principal principal, TaskId id, HttpServletResponse response) throws IOException {
        MergeResult result;
        try {
            result = service.result(principal, id);
        } catch (MergeException e) {
            if (e.code() == ErrorCode.TASK_NOT_FOUND || e.code() == ErrorCode.STORE_UNAVAILABLE) {
                throw e;
            }
            ObjectNode body = mapper.createObjectNode();
            body.put("success", false);
            body.put("error", e.getMessage());
            body.put("reason", e.code().name());
            ErrorStatus.retryAfterSeconds(e.code())
                    .ifPresent(seconds -> response.setHeader("Retry-After", Integer.toString(seconds)));
            write(response, ErrorStatus.of(e.code()), body);
            return;
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("success", true);
        body.put("merged_url", result.mergedUrl().toString());
        body.put("duration_seconds", result.durationSeconds());
        body.put("processing_time", result.processingTime().toMillis() / 1000.0);
        body.put("clips_merged", result.clipsMerged());
        result.thumbnailUrl().ifPresent(url -> body.put("thumbnail_url", url.toString()));
        write(response, 200, body);
    }

    private void cancel(Principal principal, TaskId id, HttpServletResponse response) throws IOException {
        TaskStatus before = lookup(principal, id);
        if (before.status().isFinal() || !service.cancel(principal, id)) {
            throw new ApiError(409, "TASK_FINISHED", "the task has already finished");
        }
        TaskStatus after = lookup(principal, id);
        // A pending task is cancelled at once (200); a running one stops at its next heartbeat (202).
        write(response, after.status().isFinal() ? 200 : 202, statusBody(after));
    }

    private TaskStatus lookup(Principal principal, TaskId id) {
        try {
            return service.status(principal, id);
        } catch (MergeException e) {
            if (e.code() == ErrorCode.TASK_NOT_FOUND) {
                throw new ApiError(404, ErrorCode.TASK_NOT_FOUND.name(), NO_SUCH_TASK);
            }
            throw e;
        }
    }

    /**
     * 200 {@code {"status":"ok"}}, or 503 {@code {"status":"unavailable", "code", "error"}} with
     * {@code Retry-After}: the code of a {@link MergeException} from {@link MergeService#ping()}
     * (STORE_UNAVAILABLE, STORAGE_FULL), or STORE_UNAVAILABLE for any other failure.
     */
    private void health(HttpServletResponse response) throws IOException {
        try {
            service.ping();
        } catch (MergeException e) {
            log.warn("Health check failed with {}: {}", e.code(), e.getMessage());
            unhealthy(response, e.code(), e.getMessage());
            return;
        } catch (RuntimeException e) {
            log.warn("Health check failed: {}", e.toString());
            unhealthy(response, ErrorCode.STORE_UNAVAILABLE, "");
            return;
        }
        ObjectNode body = mapper.createObjectNode();
        body.put("status", "ok");
        write(response, 200, body);
    }

    /** Known causes get fixed words: the health check answers anyone, so it says no more than it must. */
    private void unhealthy(HttpServletResponse response, ErrorCode code, String message) throws IOException {
        String reason = switch (code) {
            case STORE_UNAVAILABLE -> "the job store does not answer";
            case STORAGE_FULL -> "the work directory is low on disk space";
            default -> message;
        };
        ObjectNode body = mapper.createObjectNode();
        body.put("status", "unavailable");
        body.put("code", code.name());
        body.put("error", reason);
        response.setHeader("Retry-After", Integer.toString(ErrorStatus.RETRY_AFTER_SECONDS));
        write(response, 503, body);
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
