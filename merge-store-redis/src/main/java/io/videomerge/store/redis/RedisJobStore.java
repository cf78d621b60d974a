package io.videomerge.store.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.DefaultClientResources;
import io.lettuce.core.resource.Delay;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobCodec;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.spi.Renewal;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A {@link JobStore} in Redis that many service instances share: every state change is one Lua
 * script, so claims, heartbeats and outcomes are atomic without WATCH/MULTI retries.
 *
 * <p>All keys of one store start with the hash tag {@code {prefix}} and so live in one Redis Cluster
 * slot: a hash per job, a ready sorted set scored by not-before time (ties broken by creation order),
 * a processing sorted set scored by lease expiry, a finished sorted set scored by finish time, a deliveries sorted
 * set of due webhook deliveries scored by their not-before time, and one string per idempotency key of each
 * principal. Finished jobs expire after the retention (48 hours by default) in the
 * same script that finishes them. Times come from the injected {@link Clock}, never from Redis.
 *
 * <p>A store built from a URI owns its client: commands time out after the command timeout (2 s by
 * default) and are rejected at once while the connection is down, so callers get
 * {@link io.videomerge.StoreUnavailableException} instead of waiting; Lettuce reconnects by itself and
 * the store works again when Redis is back. A store given a {@link RedisClient} applies the command
 * timeout to its own connection and leaves the client's options and life to the caller.
 *
 * <pre>{@code
 * try (RedisJobStore store = RedisJobStore.builder("redis://127.0.0.1:6379").keyPrefix("merges").build()) {
 *     MergeService service = MergeService.builder().jobStore(store)...build();
 * }
 * }</pre>
 */
public final class RedisJobStore implements JobStore {
    /** The key prefix unless another is set: keys are {@code {videomerge}:…}. */
    public static final String DEFAULT_KEY_PREFIX = "videomerge";
    /**
     * How long a finished job stays before Redis expires it, unless another retention is set: 48 h, a safety net
     * behind the service's own retention (24 h), whose janitor purges first and deletes the job's output.
     */
    public static final Duration DEFAULT_RETENTION = Duration.ofHours(48);
    /** How long a command may take before it fails with StoreUnavailableException, unless set otherwise. */
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofSeconds(2);

    /** Index entries handled per script call, so one call never blocks Redis for long. */
    private static final int BATCH = 500;

    private final Connector redis;
    private final Clock clock;
    private final String base;
    private final String retention;

    private RedisJobStore(Connector redis, Builder builder) {
        this.redis = redis;
        this.clock = builder.clock;
        this.base = "{" + builder.keyPrefix + "}";
        this.retention = Long.toString(builder.retention.toMillis());
        redis.tryConnect();
    }

    /**
     * {@return a builder for a store that creates, and on {@link #close} shuts down, its own client for {@code uri}}
     *
     * @param uri a Redis URI, for example {@code redis://127.0.0.1:6379}
     */
    public static Builder builder(String uri) {
        return new Builder(RedisURI.create(requireNonNull(uri, "uri")), null);
    }

    /**
     * {@return a builder for a store on a client the caller owns; {@link #close} leaves the client open}
     *
     * @param client the Lettuce client, configured by the caller
     */
    public static Builder builder(RedisClient client) {
        return new Builder(null, requireNonNull(client, "client"));
    }

    @Override
    public Job create(NewJob job) {
        requireNonNull(job, "job");
        String id = job.id().value();
        List<Object> reply;
        try {
            reply = redis.eval(
                    Script.CREATE,
                    ScriptOutputType.MULTI,
                    jobKey(id),
                    base,
                    id,
                    JobCodec.writeRequest(job.request()),
                    job.idempotencyKey().orElse(""),
                    Integer.toString(job.maxAttempts()),
                    now(),
                    JobMessages.QUEUED,
                    job.principal().id(),
                    job.fingerprint(),
                    job.request().callbackUrl().isPresent() ? "1" : "");
        } catch (IllegalStateException e) {
            if (String.valueOf(e.getMessage()).contains("VM_DUPLICATE_ID")) {
                throw new IllegalArgumentException("a job with id " + id + " exists already", e);
            }
            throw e;
        }
        return JobHash.fromReply(reply).orElseThrow(() -> new IllegalStateException("create returned no job"));
    }

    @Override
    public Optional<Job> find(TaskId id) {
        requireNonNull(id, "id");
        return JobHash.fromFields(redis.call(commands -> commands.hgetall(jobKey(id.value()))));
    }

    @Override
    public Optional<Job> claim(String owner, Duration leaseTime) {
        requireNonNull(owner, "owner");
        long now = clock.millis();
        List<Object> reply = redis.eval(
                Script.CLAIM,
                ScriptOutputType.MULTI,
                base + ":ready",
                base,
                Long.toString(now),
                owner,
                Long.toString(expiry(now, leaseTime)),
                JobMessages.PROCESSING);
        return JobHash.fromReply(reply);
    }

    @Override
    public Renewal renew(Lease lease, Duration leaseTime, double progress, String message) {
        requireNonNull(lease, "lease");
        requireNonNull(message, "message");
        long now = clock.millis();
        double clamped = Double.isNaN(progress) ? 0 : Math.max(0, Math.min(1, progress));
        long answer = redis.eval(
                Script.RENEW,
                ScriptOutputType.INTEGER,
                jobKey(lease),
                base,
                lease.taskId().value(),
                Long.toString(lease.token()),
                Long.toString(now),
                Long.toString(expiry(now, leaseTime)),
                Double.toString(clamped),
                message);
        return answer == 2 ? Renewal.CANCEL_REQUESTED : answer == 1 ? Renewal.RENEWED : Renewal.LOST;
    }

    @Override
    public boolean complete(Lease lease, MergeResult result) {
        requireNonNull(lease, "lease");
        requireNonNull(result, "result");
        return changed(redis.eval(
                Script.COMPLETE,
                ScriptOutputType.INTEGER,
                jobKey(lease),
                base,
                lease.taskId().value(),
                Long.toString(lease.token()),
                now(),
                JobCodec.writeResult(result),
                retention,
                JobMessages.COMPLETED));
    }

    @Override
    public boolean fail(Lease lease, JobError error, Optional<Instant> retryAt) {
        requireNonNull(lease, "lease");
        requireNonNull(error, "error");
        requireNonNull(retryAt, "retryAt");
        return changed(redis.eval(
                Script.FAIL,
                ScriptOutputType.INTEGER,
                jobKey(lease),
                base,
                lease.taskId().value(),
                Long.toString(lease.token()),
                now(),
                error.code().name(),
                error.message(),
                retryAt.map(t -> Long.toString(t.toEpochMilli())).orElse(""),
                retention));
    }

    @Override
    public boolean release(Lease lease) {
        requireNonNull(lease, "lease");
        return changed(redis.eval(
                Script.RELEASE,
                ScriptOutputType.INTEGER,
                jobKey(lease),
                base,
                lease.taskId().value(),
                Long.toString(lease.token()),
                now(),
                retention,
                JobMessages.CANCELLED.message(),
                JobMessages.RELEASED));
    }

    @Override
    public int requeueExpired() {
        String now = now();
        int changed = 0;
        List<Long> reply;
        do {
            reply = redis.eval(
                    Script.REQUEUE_EXPIRED,
                    ScriptOutputType.MULTI,
                    base + ":processing",
                    base,
                    now,
                    retention,
                    Integer.toString(BATCH),
                    JobMessages.WORKER_LOST.message(),
                    JobMessages.CANCELLED.message(),
                    JobMessages.REQUEUED);
            changed += reply.get(0).intValue();
        } while (reply.get(1) == BATCH);
        return changed;
    }

    @Override
    public boolean cancel(TaskId id) {
        requireNonNull(id, "id");
        return changed(redis.eval(
                Script.CANCEL,
                ScriptOutputType.INTEGER,
                jobKey(id.value()),
                base,
                id.value(),
                now(),
                retention,
                JobMessages.CANCELLED.message(),
                JobMessages.CANCELLING));
    }

    @Override
    public List<Job> purgeFinished(Instant cutoff, int limit) {
        requireNonNull(cutoff, "cutoff");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1: " + limit);
        }
        String before = Long.toString(cutoff.toEpochMilli());
        List<Job> purged = new ArrayList<>();
        int asked;
        List<Object> reply;
        do {
            // Never more entries than jobs still wanted, so the limit holds; entries of jobs that expired
            // meanwhile yield nothing, hence the loop.
            asked = Math.min(limit - purged.size(), BATCH);
            reply = redis.eval(
                    Script.PURGE, ScriptOutputType.MULTI, base + ":finished", base, before, Integer.toString(asked));
            for (Object fields : reply.subList(1, reply.size())) {
                @SuppressWarnings("unchecked")
                List<Object> hash = (List<Object>) fields;
                purged.add(JobHash.fromReply(hash).orElseThrow());
            }
        } while ((Long) reply.get(0) == asked && purged.size() < limit);
        return purged;
    }

    @Override
    public Optional<Job> claimDelivery(Duration leaseTime) {
        long now = clock.millis();
        List<Object> reply = redis.eval(
                Script.CLAIM_DELIVERY,
                ScriptOutputType.MULTI,
                base + ":deliveries",
                base,
                Long.toString(now),
                Long.toString(expiry(now, leaseTime)));
        return JobHash.fromReply(reply);
    }

    @Override
    public boolean deliveryDone(TaskId id, long token) {
        requireNonNull(id, "id");
        return changed(redis.eval(
                Script.DELIVERY_DONE,
                ScriptOutputType.INTEGER,
                jobKey(id.value()),
                base,
                id.value(),
                Long.toString(token)));
    }

    @Override
    public boolean retryDelivery(TaskId id, long token, Instant at) {
        requireNonNull(id, "id");
        requireNonNull(at, "at");
        return changed(redis.eval(
                Script.RETRY_DELIVERY,
                ScriptOutputType.INTEGER,
                jobKey(id.value()),
                base,
                id.value(),
                Long.toString(token),
                Long.toString(at.toEpochMilli())));
    }

    /** The size of the ready set, which holds every pending job, ready or waiting: O(1). */
    @Override
    public long countPending() {
        return redis.call(commands -> commands.zcard(base + ":ready"));
    }

    @Override
    public void ping() {
        redis.call(commands -> commands.ping());
    }

    /**
     * Calls {@code listener} whenever a job may have become ready to claim (created, released or
     * requeued), so an idle worker can wait instead of polling; the listener runs on a Lettuce thread
     * and must return quickly. A wake-up is a hint: the listener may be called when no job is left,
     * and jobs retried with a later not-before time announce nothing.
     *
     * @param listener called on a Lettuce thread; must return quickly
     * @return the subscription; closing it ends the subscription and its connection
     * @throws io.videomerge.StoreUnavailableException when Redis cannot be reached
     */
    public Subscription onJobReady(Runnable listener) {
        requireNonNull(listener, "listener");
        return redis.subscribe(base + ":wake", listener);
    }

    /** Closes the store's connection, and the client too if the store created it. */
    @Override
    public void close() {
        redis.close();
    }

    Optional<String> evictionPolicy() {
        return redis.evictionPolicy();
    }

    private String jobKey(String id) {
        return base + ":job:" + id;
    }

    private String jobKey(Lease lease) {
        return jobKey(lease.taskId().value());
    }

    private String now() {
        return Long.toString(clock.millis());
    }

    private static long expiry(long now, Duration leaseTime) {
        requireNonNull(leaseTime, "leaseTime");
        if (leaseTime.isNegative()) {
            throw new IllegalArgumentException("leaseTime must not be negative: " + leaseTime);
        }
        return now + leaseTime.toMillis();
    }

    private static boolean changed(Long answer) {
        return answer == 1;
    }

    /** A listener registration made by {@link #onJobReady}; {@link #close} ends it. */
    @FunctionalInterface
    public interface Subscription extends AutoCloseable {
        /** Stops the notifications and closes the connection that carried them. */
        @Override
        void close();
    }

    /** Configures a {@link RedisJobStore}; every setting has a default. */
    public static final class Builder {
        private final RedisURI uri;
        private final RedisClient client;
        private Clock clock = Clock.systemUTC();
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Duration retention = DEFAULT_RETENTION;
        private Duration commandTimeout = DEFAULT_COMMAND_TIMEOUT;

        private Builder(RedisURI uri, RedisClient client) {
            this.uri = uri;
            this.client = client;
        }

        /**
         * The clock every time the store records comes from (default: the UTC system clock).
         *
         * @param clock the clock
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The prefix of every key, inside a hash tag; stores with different prefixes share nothing.
         *
         * @param keyPrefix the prefix (default {@value RedisJobStore#DEFAULT_KEY_PREFIX})
         * @return this builder
         * @throws IllegalArgumentException when empty or containing a brace
         */
        public Builder keyPrefix(String keyPrefix) {
            requireNonNull(keyPrefix, "keyPrefix");
            if (keyPrefix.isEmpty() || keyPrefix.contains("{") || keyPrefix.contains("}")) {
                throw new IllegalArgumentException("keyPrefix must be non-empty and contain no braces");
            }
            this.keyPrefix = keyPrefix;
            return this;
        }

        /**
         * How long finished jobs (and their idempotency keys) stay before Redis expires them (default 48 h); keep it
         * longer than the service's retention, so that the service purges first and deletes the outputs.
         *
         * @param retention at least 1 ms
         * @return this builder
         */
        public Builder retention(Duration retention) {
            requireNonNull(retention, "retention");
            if (retention.toMillis() < 1) {
                throw new IllegalArgumentException("retention must be at least 1 ms: " + retention);
            }
            this.retention = retention;
            return this;
        }

        /**
         * How long one command may take (and, for an owned client, one connection attempt) before it fails with
         * {@link io.videomerge.StoreUnavailableException} (default 2 s).
         *
         * @param commandTimeout at least 1 ms
         * @return this builder
         */
        public Builder commandTimeout(Duration commandTimeout) {
            requireNonNull(commandTimeout, "commandTimeout");
            if (commandTimeout.toMillis() < 1) {
                throw new IllegalArgumentException("commandTimeout must be at least 1 ms: " + commandTimeout);
            }
            this.commandTimeout = commandTimeout;
            return this;
        }

        /** {@return the store; it connects now if Redis answers, otherwise at the first command} */
        public RedisJobStore build() {
            if (client != null) {
                return new RedisJobStore(new Connector(client, () -> {}, commandTimeout), this);
            }
            return new RedisJobStore(ownedConnector(), this);
        }

        private Connector ownedConnector() {
            // Reconnect quickly (capped at 1 s) so a restarted Redis is used again within a second.
            ClientResources resources = DefaultClientResources.builder()
                    .reconnectDelay(
                            Delay.exponential(Duration.ofMillis(10), Duration.ofSeconds(1), 2, TimeUnit.MILLISECONDS))
                    .build();
            RedisURI target = RedisURI.builder(uri).withTimeout(commandTimeout).build();
            RedisClient owned = RedisClient.create(resources, target);
            owned.setOptions(ClientOptions.builder()
                    .autoReconnect(true)
                    .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                    .timeoutOptions(TimeoutOptions.enabled(commandTimeout))
                    .socketOptions(SocketOptions.builder()
                            .connectTimeout(commandTimeout)
                            .build())
                    .build());
            return new Connector(
                    owned,
                    () -> {
                        owned.shutdown();
                        resources.shutdown();
                    },
                    commandTimeout);
        }
    }
}
