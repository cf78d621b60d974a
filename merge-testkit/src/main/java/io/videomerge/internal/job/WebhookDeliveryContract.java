package io.videomerge.internal.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.videomerge.ErrorCode;
import io.videomerge.InvalidRequestException;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import io.videomerge.Webhooks;
import io.videomerge.internal.fetch.CallbackClient;
import io.videomerge.spi.Delivery;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobStore;
import io.videomerge.testing.MutableClock;
import io.videomerge.testing.WebhookReceiver;
import io.videomerge.testing.WebhookReceiver.Received;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Webhooks end to end over a real store: tasks whose outcome a {@link ScriptedRunner} decides, a
 * {@link WebhookDeliverer} posting through a real {@link CallbackClient} to a {@link WebhookReceiver} on loopback,
 * and store time on a {@link MutableClock}, which the tests move to make retries due instead of waiting for them.
 * Signatures are checked with the receiver's own implementation of the specification's algorithm.
 *
 * <p>A store module runs it by supplying a fresh store, as for {@link io.videomerge.spi.JobStoreContract}.
 */
public abstract class WebhookDeliveryContract {
    private static final String SECRET = secret("the test receiver's webhook signing key");
    private static final String OTHER_SECRET = secret("some other receiver's webhook signing key");
    private static final Duration WAIT = Duration.ofSeconds(ScriptedRunner.WAIT_SECONDS);
    private static final Duration FAST = Duration.ofMillis(20);
    private static final Duration BACKOFF = Duration.ofSeconds(5);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    private static final Limits LOOPBACK =
            Limits.builder().allowLoopbackUrls(true).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private MutableClock clock;
    private FlakyJobStore store;
    private ScriptedRunner runner;
    private WebhookReceiver receiver;
    private final List<AsyncMergeService> started = new ArrayList<>();

    /** A fresh, empty store that takes every time from {@code clock}; the suite closes it. */
    protected abstract JobStore newStore(Clock clock);

    @BeforeEach
    void openStore() {
        clock = new MutableClock();
        store = new FlakyJobStore(newStore(clock));
        runner = new ScriptedRunner();
        receiver = WebhookReceiver.start();
    }

    @AfterEach
    void closeAll() {
        receiver.release();
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).close();
        }
        receiver.close();
        store.close();
    }

    // ---------------------------------------------------------------------------------------------

    /** One instance: a worker with one merge slot and a deliverer with the given settings, over the shared store. */
    private AsyncMergeService start(Webhooks webhooks, Limits limits, int merges) {
        JobSettings settings = new JobSettings(
                store,
                merges,
                1,
                0,
                0,
                Duration.ofSeconds(30),
                FAST,
                3,
                new RetryBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1), 0),
                Duration.ofDays(2),
                FAST,
                FAST,
                Duration.ZERO,
                "instance-" + started.size(),
                clock);
        WebhookDeliverer deliverer = new WebhookDeliverer(
                settings,
                webhooks,
                new CallbackClient(limits, webhooks.concurrency(), webhooks.timeout(), webhooks.maxResponseBytes()));
        AsyncMergeService service = new AsyncMergeService(
                settings, runner, request -> validate(request, limits), Optional.of(deliverer), JobEvents.NONE);
        started.add(service);
        return service;
    }

    private AsyncMergeService start(Webhooks webhooks) {
        return start(webhooks, LOOPBACK, 1);
    }

    private static String secret(String key) {
        return "whsec_" + Base64.getEncoder().encodeToString(key.getBytes(StandardCharsets.UTF_8));
    }

    private static Webhooks webhooks() {
        return Webhooks.signedWith(SECRET).withBackoff(BACKOFF, BACKOFF).withTimeout(ATTEMPT_TIMEOUT);
    }

    private static void validate(MergeRequest request, Limits limits) {
        if (request.videoUrls().size() < 2) {
            throw new InvalidRequestException("video_urls must list at least 2 URLs");
        }
        request.callbackUrl().ifPresent(url -> CallbackClient.checkUrl(url, limits));
    }

    private static MergeRequest request(URI callback) {
        return MergeRequest.of(List.of(
                        URI.create("https://media.example.com/a.mp4"), URI.create("https://media.example.com/b.mp4")))
                .withCallbackUrl(callback);
    }

    private URI hook() {
        return receiver.url("/hooks/merge?token=receiver-secret");
    }

    private Delivery delivery(TaskId id) {
        return store.find(id)
                .flatMap(Job::delivery)
                .orElseThrow(() -> new AssertionError("task " + id + " has no delivery"));
    }

    private static JsonNode json(Received r) throws IOException {
        return JSON.readTree(r.body());
    }

    /** Checks what every delivery carries: method, type, the three headers, a valid signature, this task's id. */
    private void assertSignedDelivery(Received r, TaskId id) throws IOException {
        assertEquals("POST", r.method());
        assertEquals("/hooks/merge?token=receiver-secret", r.target());
        assertEquals("application/json", r.header("content-type"));
        assertEquals("msg_" + id, r.header("webhook-id"));
        assertEquals(Long.toString(clock.instant().getEpochSecond()), r.header("webhook-timestamp"));
        assertTrue(r.header("webhook-signature").startsWith("v1,"), r.header("webhook-signature"));
        assertTrue(r.verify(SECRET), "the signature does not verify: " + r.headers());
        assertFalse(r.verify(OTHER_SECRET), "a signature that any key verifies proves nothing");
        assertEquals(id.value(), json(r).get("task_id").asText());
    }

    /** Waits until {@code condition} holds, failing after {@link #WAIT}. */
    private static void eventually(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                fail("not within " + WAIT + ": " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }

    /** Waits until the delivery of {@code id} has been tried {@code attempts} times and waits for the next. */
    private void awaitRetry(TaskId id, int attempts) {
        eventually(
                "attempt " + attempts + " of " + id + " recorded as failed",
                () -> delivery(id).attempt() == attempts + 1
                        && delivery(id).notBefore().isAfter(clock.instant()));
    }

    private void awaitDone(TaskId id) {
        eventually("the delivery of " + id + " done", () -> delivery(id).state() == Delivery.State.DONE);
    }

    /** Lets the deliverers claim a few more times, so that a delivery that was to come would have come. */
    private void letDeliverersLook() {
        int seen = store.deliveryClaims();
        eventually("the deliverers looked again", () -> store.deliveryClaims() >= seen + 5);
    }

    // ---------------------------------------------------------------------------------------------

    @Test
    @DisplayName("a completed and a failed task each post exactly one signed webhook with the result body")
    void oneSignedDeliveryPerOutcome() throws Exception {
        AsyncMergeService service = start(webhooks());
        TaskId completed = service.submit(Principal.ANONYMOUS, request(hook()), Optional.empty());
        runner.next().succeed();
        Received first = receiver.next(WAIT);
        TaskId failed = service.submit(Principal.ANONYMOUS, request(hook()), Optional.empty());
        runner.next().fail(new MergeException(ErrorCode.INVALID_MEDIA, "Input 1 is not a video"));
        Received second = receiver.next(WAIT);

        assertSignedDelivery(first, completed);
        MergeResult result = ScriptedRunner.resultFor(completed);
        JsonNode ok = json(first);
        assertEquals("completed", ok.get("status").asText());
        assertTrue(ok.get("success").asBoolean());
        assertEquals(result.mergedUrl().toString(), ok.get("merged_url").asText());
        assertEquals(result.durationSeconds(), ok.get("duration_seconds").asDouble());
        assertEquals(1.2, ok.get("processing_time").asDouble());
        assertEquals(2, ok.get("clips_merged").asInt());
        assertSignedDelivery(second, failed);
        JsonNode bad = json(second);
        assertEquals("failed", bad.get("status").asText());
        assertFalse(bad.get("success").asBoolean());
        assertEquals("INVALID_MEDIA", bad.get("reason").asText());
        assertEquals("Input 1 is not a video", bad.get("error").asText());

        awaitDone(completed);
        awaitDone(failed);
        clock.advance(Duration.ofHours(1));
        letDeliverersLook();
        assertEquals(2, receiver.count(), "one delivery per task");
        assertEquals(1, delivery(completed).attempt());
    }

    @Test
    @DisplayName("a receiver answering 500 twice gets the third attempt, with the same id and a fresh timestamp")
    void retriedUntilDelivered() throws Exception {
        receiver.answer(500, 500);
        AsyncMergeService service = start(webhooks());
        TaskId id = service.submit(Principal.ANONYMOUS, request(hook()), Optional.empty());
        runner.next().succeed();

        Received first = receiver.next(WAIT);
        assertSignedDelivery(first, id);
        awaitRetry(id, 1);
        assertEquals(Delivery.State.DUE, delivery(id).state());
        clock.advance(BACKOFF);
        Received second = receiver.next(WAIT);
        assertSignedDelivery(second, id);
        awaitRetry(id, 2);
        clock.advance(BACKOFF);
        Received third = receiver.next(WAIT);
        assertSignedDelivery(third, id);
        awaitDone(id);

        assertEquals(List.of(500, 500, 200), List.of(first.answered(), second.answered(), third.answered()));
        assertEquals(first.text(), third.text(), "every attempt carries the same body");
        assertTrue(
                Long.parseLong(third.header("webhook-timestamp")) > Long.parseLong(first.header("webhook-timestamp")),
                "each attempt is signed at its own time");
        assertEquals(3, delivery(id).attempt());
    }

    @Test
    @DisplayName("a delivery that failed on one instance is made by the next instance started on the same store")
    void retryOutlivesTheInstance() throws Exception {
        receiver.answer(503);
        AsyncMergeService first = start(webhooks());
        TaskId id = first.submit(Principal.ANONYMOUS, request(hook()), Optional.empty());
        runner.next().succeed();
        assertEquals(503, receiver.next(WAIT).answered());
        awaitRetry(id, 1);
        first.close();

        start(webhooks(), LOOPBACK, 0);
        clock.advance(BACKOFF);

        Received again = receiver.next(WAIT);
        assertSignedDelivery(again, id);
        assertEquals(200, again.answered());
        awaitDone(id);
        assertEquals(2, receiver.count());
    }

    @Test
    @DisplayName("an attempt cut off by shutdown is made again by the next instance once its lease ends")
    void attemptCutOffByShutdownIsMadeAgain() throws Exception {
        receiver.holdNext();
        AsyncMergeService first = start(webhooks());
        TaskId id = first.submit(Principal.ANONYMOUS, request(hook()), Optional.empty());
        runner.next().succeed();
        receiver.awaitHeld(WAIT);
        first.close();
        assertEquals(1, delivery(id).attempt(), "a cut-off attempt is not recorded as failed");

        start(webhooks(), LOOPBACK, 0);
        letDeliverersLook();
        assertEquals(1, receiver.count(), "nothing is claimed again while the lease holds");
        clock.advance(ATTEMPT_TIMEOUT.plusSeconds(30));

        Received again = receiver.next(WAIT);
        assertSignedDelivery(again, id);
        awaitDone(id);
    }

    @Test
    @DisplayName("a callback whose host resolves to a forbidden address at delivery time is never called")
    void forbiddenAtDeliveryIsNeverCalled() throws Exception {
        Limits noLoopback = Limits.defaults();
        URI byName = URI.create("http://localhost:" + receiver.port() + "/hooks/merge");
        // Attempt 1 at 0 s, attempt 2 at 5 s, and the next (2.5 to 5 s later) would be past the 6 s.
        AsyncMergeService service = start(webhooks().withMaxAge(Duration.ofSeconds(6)), noLoopback, 1);
        TaskId id = service.submit(Principal.ANONYMOUS, request(byName), Optional.empty());
        runner.next().succeed();

        awaitRetry(id, 1);
        clock.advance(BACKOFF);
        awaitDone(id);

        assertEquals(0, receiver.count(), "the receiver on loopback was reached");
        assertEquals(2, delivery(id).attempt(), "given up after the attempt past which the next would be too late");
    }

    @Test
    @DisplayName("a delivery still failing at its maximum age is given up and never tried again")
    void givenUpAtMaxAge() throws Exception {
        receiver.answer(500, 500, 500, 500);
        Duration step = Duration.ofSeconds(20);
        AsyncMergeService service = start(webhooks().withBackoff(step, step).withMaxAge(Duration.ofSeconds(30)));
        TaskId id = service.submit(Principal.ANONYMOUS, request(hook()), Optional.empty());
        runner.next().succeed();

        assertEquals(500, receiver.next(WAIT).answered());
        awaitRetry(id, 1);
        clock.advance(step);
        assertEquals(500, receiver.next(WAIT).answered());
        // The next wait (10 to 20 s with jitter) ends after the 30 s: given up now, not tried a third time.
        awaitDone(id);
        clock.advance(Duration.ofHours(1));
        letDeliverersLook();

        assertEquals(2, receiver.count());
        assertEquals(2, delivery(id).attempt());
    }

    @Test
    @DisplayName("a task cancelled while pending posts its failure with reason CANCELLED")
    void cancelledTaskDelivers() throws Exception {
        AsyncMergeService service = start(webhooks(), LOOPBACK, 0);
        TaskId id = service.submit(Principal.ANONYMOUS, request(hook()), Optional.empty());
        assertTrue(service.cancel(Optional.empty(), id));

        Received r = receiver.next(WAIT);

        assertSignedDelivery(r, id);
        assertEquals("failed", json(r).get("status").asText());
        assertEquals("CANCELLED", json(r).get("reason").asText());
        awaitDone(id);
    }

    @Test
    @DisplayName("a task submitted without a callback URL posts to the default one, which its request then carries")
    void defaultCallbackUrlApplies() throws Exception {
        AsyncMergeService service = start(webhooks().withDefaultCallbackUrl(hook()));
        TaskId id = service.submit(
                Principal.ANONYMOUS,
                MergeRequest.of(List.of(URI.create("https://a.example/1.mp4"), URI.create("https://a.example/2.mp4"))),
                Optional.empty());
        runner.next().succeed();

        assertSignedDelivery(receiver.next(WAIT), id);
        assertEquals(Optional.of(hook()), store.find(id).orElseThrow().request().callbackUrl());
    }
}
