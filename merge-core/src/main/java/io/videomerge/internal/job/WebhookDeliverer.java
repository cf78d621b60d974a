package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import io.videomerge.TaskId;
import io.videomerge.TaskJson;
import io.videomerge.Webhooks;
import io.videomerge.internal.fetch.CallbackClient;
import io.videomerge.spi.Delivery;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobState;
import io.videomerge.spi.JobStore;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the webhooks of finished tasks: {@link Webhooks#concurrency()} threads take due deliveries from the store
 * ({@link JobStore#claimDelivery}, under a lease of the attempt timeout plus {@value #LEASE_MARGIN_SECONDS} s), post
 * each signed through the {@link CallbackClient}, and record the outcome: done on a 2xx answer, else the next attempt
 * after an exponential backoff with jitter, until the task has been finished for {@link Webhooks#maxAge()}: then the
 * delivery is given up with a warning. Deliveries live in the store, so any instance sharing it sends them, and one
 * whose deliverer vanished mid-attempt is taken again by anyone once its lease ends: at least once.
 *
 * <p>Idle threads look for due deliveries every poll interval, at once when a task of this instance settles
 * ({@link #wake()}). A store that fails is logged and backed off from.
 */
public final class WebhookDeliverer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebhookDeliverer.class);
    private static final long LEASE_MARGIN_SECONDS = 30;
    private static final Duration MIN_IDLE = Duration.ofMillis(10);
    private static final Duration MAX_STORE_BACKOFF = Duration.ofSeconds(5);
    private static final double JITTER = 0.5;

    private final JobStore store;
    private final Clock clock;
    private final Duration pollInterval;
    private final Duration closeGrace;
    private final Webhooks webhooks;
    private final CallbackClient client;
    private final RetryBackoff backoff;
    private final Duration lease;
    private final BlockingQueue<Boolean> wakeups;
    private final ExecutorService threads;
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile boolean closing;
    private volatile boolean abandoned;

    /**
     * A deliverer over the store, clock, poll interval and close grace of {@code settings}; it owns {@code client},
     * which {@link #close()} closes.
     */
    public WebhookDeliverer(JobSettings settings, Webhooks webhooks, CallbackClient client) {
        requireNonNull(settings, "settings");
        this.store = settings.store();
        this.clock = settings.clock();
        this.pollInterval = settings.pollInterval();
        this.closeGrace = settings.closeGrace();
        this.webhooks = requireNonNull(webhooks, "webhooks");
        this.client = requireNonNull(client, "client");
        this.backoff = new RetryBackoff(webhooks.initialBackoff(), webhooks.maxBackoff(), JITTER);
        this.lease = webhooks.timeout().plusSeconds(LEASE_MARGIN_SECONDS);
        this.wakeups = new ArrayBlockingQueue<>(webhooks.concurrency());
        AtomicInteger number = new AtomicInteger();
        this.threads = Executors.newFixedThreadPool(webhooks.concurrency(), task -> {
            Thread t = new Thread(task, "videomerge-webhook-" + number.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** The id of a task's webhook, the same on every attempt: {@code msg_} and the task id. */
    static String messageId(TaskId id) {
        return "msg_" + id.value();
    }

    /** The body of a final job's webhook: {@link TaskJson#webhook}, as UTF-8. */
    static byte[] body(Job job) {
        String json;
        if (job.state() == JobState.COMPLETED) {
            json = TaskJson.webhook(job.id(), job.result().orElseThrow());
        } else {
            JobError error = job.error().orElseThrow();
            json = TaskJson.webhook(job.id(), error.code(), error.message());
        }
        return json.getBytes(StandardCharsets.UTF_8);
    }

    /** The default callback URL that a request without one gets, if any. */
    Optional<URI> defaultCallbackUrl() {
        return webhooks.defaultCallbackUrl();
    }

    /** Starts the delivery threads. */
    void start() {
        for (int i = 0; i < webhooks.concurrency(); i++) {
            threads.execute(this::deliverLoop);
        }
    }

    /** Makes an idle thread look for due deliveries now: a task of this instance may just have ended. */
    void wake() {
        wakeups.offer(Boolean.TRUE);
    }

    private void deliverLoop() {
        // Idle waits grow from a 64th of the poll interval to the whole of it; a wake-up cuts them short.
        Duration firstIdle = pollInterval.dividedBy(64).compareTo(MIN_IDLE) > 0 ? pollInterval.dividedBy(64) : MIN_IDLE;
        Duration idle = firstIdle;
        Duration storeBackoff = MIN_IDLE;
        while (!closing) {
            Optional<Job> claimed;
            try {
                claimed = store.claimDelivery(lease);
                storeBackoff = MIN_IDLE;
            } catch (RuntimeException e) {
                LOG.warn("claiming a webhook delivery failed; trying again in {} ms: {}", storeBackoff.toMillis(), e);
                pause(storeBackoff);
                storeBackoff = storeBackoff.compareTo(MAX_STORE_BACKOFF) < 0
                        ? storeBackoff.multipliedBy(2)
                        : MAX_STORE_BACKOFF;
                continue;
            }
            if (claimed.isEmpty()) {
                pause(idle);
                idle = idle.multipliedBy(2).compareTo(pollInterval) < 0 ? idle.multipliedBy(2) : pollInterval;
                continue;
            }
            idle = firstIdle;
            try {
                deliver(claimed.get());
            } catch (RuntimeException e) {
                // The store failed to record the outcome (or a bug of ours): the lease ends and it is tried again.
                LOG.warn(
                        "the webhook of task {} failed to be recorded; it is tried again once its lease ends: {}",
                        claimed.get().id(),
                        e.toString());
                LOG.debug("webhook of task {}", claimed.get().id(), e);
            }
        }
    }

    /** One attempt of one claimed delivery, and its outcome recorded under the claim's token. */
    private void deliver(Job job) {
        TaskId id = job.id();
        Delivery delivery = job.delivery().orElseThrow();
        long token = delivery.token();
        Instant deadline = job.finishedAt().orElseThrow().plus(webhooks.maxAge());
        Optional<URI> url = job.request().callbackUrl();
        if (url.isEmpty()) {
            store.deliveryDone(id, token);
            return;
        }
        String where = CallbackClient.describe(url.get());
        Instant now = clock.instant();
        if (!now.isBefore(deadline)) {
            store.deliveryDone(id, token);
            LOG.warn(
                    "webhook of task {} to {} given up without attempt {}: the task ended more than {} ago",
                    id,
                    where,
                    delivery.attempt(),
                    webhooks.maxAge());
            return;
        }
        byte[] body = body(job);
        String messageId = messageId(id);
        long timestamp = now.getEpochSecond();
        Map<String, String> headers = Map.of(
                "webhook-id", messageId,
                "webhook-timestamp", Long.toString(timestamp),
                "webhook-signature", webhooks.signature(messageId, timestamp, body));
        CallbackClient.Attempt attempt = client.post(url.get(), headers, body);
        if (abandoned) {
            // Cut off by close(): the lease ends and the attempt is made again, here or elsewhere.
            LOG.debug("webhook of task {} to {} cut off by shutdown", id, where);
            return;
        }
        if (attempt.delivered()) {
            boolean recorded = store.deliveryDone(id, token);
            LOG.info(
                    "webhook of task {} delivered to {} at attempt {}: {}",
                    id,
                    where,
                    delivery.attempt(),
                    attempt.outcome());
            if (!recorded) {
                LOG.debug("webhook of task {}: the delivery had been claimed again meanwhile", id);
            }
            return;
        }
        Instant next = clock.instant().plus(backoff.delay(delivery.attempt(), ThreadLocalRandom.current()));
        if (next.isAfter(deadline)) {
            store.deliveryDone(id, token);
            LOG.warn(
                    "webhook of task {} to {} given up after attempt {} ({}): the task ended more than {} ago",
                    id,
                    where,
                    delivery.attempt(),
                    attempt.outcome(),
                    webhooks.maxAge());
            return;
        }
        store.retryDelivery(id, token, next);
        LOG.info(
                "webhook of task {} to {} failed at attempt {} ({}); next attempt at {}",
                id,
                where,
                delivery.attempt(),
                attempt.outcome(),
                next);
    }

    /** Waits up to {@code d}, less when woken or closed. */
    private void pause(Duration d) {
        try {
            wakeups.poll(d.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            // Nothing interrupts a delivery thread but close(), which sets closing first.
            LOG.debug("webhook thread interrupted");
        }
    }

    /**
     * Stops claiming, lets attempts in flight end within the close grace, then cuts the rest off: their leases end
     * and the deliveries are taken again by the next instance. Closes the client.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        closing = true;
        for (int i = 0; i < webhooks.concurrency(); i++) {
            wakeups.offer(Boolean.TRUE);
        }
        threads.shutdown();
        boolean interrupted = false;
        try {
            if (!threads.awaitTermination(closeGrace.toNanos(), TimeUnit.NANOSECONDS)) {
                abandoned = true;
                client.close();
                if (!threads.awaitTermination(webhooks.timeout().toNanos(), TimeUnit.NANOSECONDS)) {
                    LOG.warn("webhook threads did not stop; their deliveries are tried again once their leases end");
                }
            }
        } catch (InterruptedException e) {
            interrupted = true;
        } finally {
            abandoned = true;
            client.close();
            threads.shutdownNow();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
