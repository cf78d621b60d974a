package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How a service posts each submitted task's final status to the task's {@link MergeRequest#callbackUrl() callback
 * URL}: signed as the Standard Webhooks specification says, at least once, retried with exponential backoff until
 * delivered or until {@link #maxAge()} after the task ended. Deliveries are kept in the job store, so they survive
 * restarts and any instance sharing the store sends them. Give it to {@link MergeService.Builder#webhooks}; a service
 * without it refuses requests that carry a callback URL.
 *
 * <p>Each delivery is a {@code POST} of the JSON of {@link TaskJson#webhook} with {@code Content-Type:
 * application/json} and three headers: {@code webhook-id} ({@code msg_} and the task id, the same on every attempt:
 * a receiver's idempotency key), {@code webhook-timestamp} (the attempt's time in epoch seconds) and
 * {@code webhook-signature}: {@code v1,} and the base64 HMAC-SHA256, keyed with the secret, of
 * {@code id + "." + timestamp + "." + body}. An answer of 2xx delivers it; anything else (another status, a
 * redirect, which is not followed, a timeout, a refused connection, a host that now resolves to a forbidden address)
 * is a failed attempt.
 *
 * <p>Values are immutable; {@code with…} methods return copies. The secret never appears in {@link #toString()}.
 */
public final class Webhooks {
    /** How long after a task ended its webhook is still tried (default 24 h). */
    public static final Duration DEFAULT_MAX_AGE = Duration.ofHours(24);
    /** The wait after the first failed attempt (default 10 s), doubled per attempt. */
    public static final Duration DEFAULT_INITIAL_BACKOFF = Duration.ofSeconds(10);
    /** The longest wait between two attempts (default 1 h). */
    public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofHours(1);
    /** How long one attempt may take, connection and answer together (default 10 s). */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** How many deliveries one instance makes at once (default 4). */
    public static final int DEFAULT_CONCURRENCY = 4;
    /** How much of a receiver's answer is read before it is discarded (default 16 KiB). */
    public static final int DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024;
    /** The shortest key the specification allows: 24 bytes. */
    public static final int MIN_KEY_BYTES = 24;
    /** The longest key the specification allows: 64 bytes. */
    public static final int MAX_KEY_BYTES = 64;

    private static final String SECRET_PREFIX = "whsec_";
    private static final String ALGORITHM = "HmacSHA256";

    private final byte[] key;
    private final Optional<URI> defaultCallbackUrl;
    private final Duration maxAge;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration timeout;
    private final int concurrency;
    private final int maxResponseBytes;

    private Webhooks(
            byte[] key,
            Optional<URI> defaultCallbackUrl,
            Duration maxAge,
            Duration initialBackoff,
            Duration maxBackoff,
            Duration timeout,
            int concurrency,
            int maxResponseBytes) {
        this.key = key;
        this.defaultCallbackUrl = requireNonNull(defaultCallbackUrl, "defaultCallbackUrl");
        this.maxAge = positive(maxAge, "maxAge");
        this.initialBackoff = positive(initialBackoff, "initialBackoff");
        this.maxBackoff = positive(maxBackoff, "maxBackoff");
        if (maxBackoff.compareTo(initialBackoff) < 0) {
            throw new IllegalArgumentException("the longest backoff must not be shorter than the first");
        }
        this.timeout = positive(timeout, "timeout");
        if (concurrency < 1 || concurrency > 256) {
            throw new IllegalArgumentException("concurrency must be between 1 and 256: " + concurrency);
        }
        this.concurrency = concurrency;
        if (maxResponseBytes < 0) {
            throw new IllegalArgumentException("maxResponseBytes must be >= 0: " + maxResponseBytes);
        }
        this.maxResponseBytes = maxResponseBytes;
    }

    /**
     * Webhooks signed with a secret in the specification's form, {@code whsec_} followed by the base64 of a key of
     * {@value #MIN_KEY_BYTES} to {@value #MAX_KEY_BYTES} random bytes, with the defaults for everything else.
     *
     * @param secret the shared secret, {@code whsec_} and base64; whitespace around the base64 is ignored
     * @return webhooks signed with the secret's key
     * @throws IllegalArgumentException when the secret is not of that form (the message never repeats it)
     */
    public static Webhooks signedWith(String secret) {
        requireNonNull(secret, "secret");
        if (!secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("a webhook secret must start with " + SECRET_PREFIX);
        }
        byte[] key;
        try {
            key = Base64.getDecoder()
                    .decode(secret.substring(SECRET_PREFIX.length()).trim());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("a webhook secret must be " + SECRET_PREFIX + " followed by base64");
        }
        return signedWith(key);
    }

    /**
     * Webhooks signed with this key of {@value #MIN_KEY_BYTES} to {@value #MAX_KEY_BYTES} bytes (copied), whose
     * secret a receiver knows as {@code whsec_} + its base64, with the defaults for everything else.
     *
     * @param key the raw HMAC key
     * @return webhooks signed with a copy of the key
     * @throws IllegalArgumentException when the key is shorter or longer
     */
    public static Webhooks signedWith(byte[] key) {
        requireNonNull(key, "key");
        if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException(
                    "a webhook key must have " + MIN_KEY_BYTES + " to " + MAX_KEY_BYTES + " bytes, not " + key.length);
        }
        return new Webhooks(
                key.clone(),
                Optional.empty(),
                DEFAULT_MAX_AGE,
                DEFAULT_INITIAL_BACKOFF,
                DEFAULT_MAX_BACKOFF,
                DEFAULT_TIMEOUT,
                DEFAULT_CONCURRENCY,
                DEFAULT_MAX_RESPONSE_BYTES);
    }

    /**
     * The {@code webhook-signature} of one attempt: {@code v1,} and the base64 HMAC-SHA256 of
     * {@code messageId + "." + timestamp + "." + body}.
     *
     * @param messageId the {@code webhook-id} header, {@code msg_} and the task id
     * @param timestamp the {@code webhook-timestamp} header, the attempt's time in epoch seconds
     * @param body      the exact bytes posted
     * @return the header value, {@code v1,} and the base64 signature
     */
    public String signature(String messageId, long timestamp, byte[] body) {
        requireNonNull(messageId, "messageId");
        requireNonNull(body, "body");
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            mac.update((messageId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
            return "v1," + Base64.getEncoder().encodeToString(mac.doFinal(body));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has " + ALGORITHM, e);
        }
    }

    /** {@return where tasks submitted without a callback URL post their status; empty (the default) for nowhere} */
    public Optional<URI> defaultCallbackUrl() {
        return defaultCallbackUrl;
    }

    /**
     * {@return how long after a task ended its delivery is still attempted; then it is given up and logged}
     * Default {@link #DEFAULT_MAX_AGE}.
     */
    public Duration maxAge() {
        return maxAge;
    }

    /**
     * {@return the wait after the first failed attempt, doubled per attempt up to {@link #maxBackoff()}} Default
     * {@link #DEFAULT_INITIAL_BACKOFF}.
     */
    public Duration initialBackoff() {
        return initialBackoff;
    }

    /**
     * {@return the longest wait between two attempts} Up to half of each wait is taken off at random. Default
     * {@link #DEFAULT_MAX_BACKOFF}.
     */
    public Duration maxBackoff() {
        return maxBackoff;
    }

    /**
     * {@return how long one attempt may take, from connecting to the end of the answer} An instance that vanishes
     * during an attempt leaves it to another after this timeout and a margin of 30 s. Default
     * {@link #DEFAULT_TIMEOUT}.
     */
    public Duration timeout() {
        return timeout;
    }

    /** {@return how many deliveries one instance makes at once, 1 to 256 (default {@value #DEFAULT_CONCURRENCY})} */
    public int concurrency() {
        return concurrency;
    }

    /**
     * {@return how many bytes of a receiver's answer are read (and discarded) before the connection is cut} Default
     * {@value #DEFAULT_MAX_RESPONSE_BYTES}.
     */
    public int maxResponseBytes() {
        return maxResponseBytes;
    }

    /**
     * A copy that posts the status of tasks submitted without a callback URL to {@code url}, which must pass the
     * same URL rules as a request's (checked when the service is built).
     *
     * @param url the callback URL for tasks that have none of their own
     * @return a copy with that default callback URL
     */
    public Webhooks withDefaultCallbackUrl(URI url) {
        return new Webhooks(
                key,
                Optional.of(requireNonNull(url, "url")),
                maxAge,
                initialBackoff,
                maxBackoff,
                timeout,
                concurrency,
                maxResponseBytes);
    }

    /**
     * A copy that tries each delivery for this long after its task ended. The service's retention must be at least
     * as long, or building it fails.
     *
     * @param age how long after a task ended its delivery is still attempted; positive
     * @return a copy with that maximum age
     * @throws IllegalArgumentException when {@code age} is not positive
     */
    public Webhooks withMaxAge(Duration age) {
        return new Webhooks(
                key, defaultCallbackUrl, age, initialBackoff, maxBackoff, timeout, concurrency, maxResponseBytes);
    }

    /**
     * A copy that waits {@code initial} after the first failed attempt, doubling up to {@code max}.
     *
     * @param initial the wait after the first failed attempt; positive
     * @param max     the longest wait between two attempts; not shorter than {@code initial}
     * @return a copy with that backoff
     * @throws IllegalArgumentException when a duration is not positive or {@code max} is shorter than {@code initial}
     */
    public Webhooks withBackoff(Duration initial, Duration max) {
        return new Webhooks(key, defaultCallbackUrl, maxAge, initial, max, timeout, concurrency, maxResponseBytes);
    }

    /**
     * A copy whose attempts may take this long.
     *
     * @param attemptTimeout how long one attempt may take, from connecting to the end of the answer; positive
     * @return a copy with that timeout
     * @throws IllegalArgumentException when {@code attemptTimeout} is not positive
     */
    public Webhooks withTimeout(Duration attemptTimeout) {
        return new Webhooks(
                key,
                defaultCallbackUrl,
                maxAge,
                initialBackoff,
                maxBackoff,
                attemptTimeout,
                concurrency,
                maxResponseBytes);
    }

    /**
     * A copy that makes this many deliveries at once per instance.
     *
     * @param deliveries how many deliveries one instance makes at once, 1 to 256
     * @return a copy with that concurrency
     * @throws IllegalArgumentException when {@code deliveries} is outside 1..256
     */
    public Webhooks withConcurrency(int deliveries) {
        return new Webhooks(
                key, defaultCallbackUrl, maxAge, initialBackoff, maxBackoff, timeout, deliveries, maxResponseBytes);
    }

    /**
     * A copy that reads at most this many bytes of each answer before cutting the connection.
     *
     * @param bytes how many bytes of an answer are read and discarded, 0 or more; 0 reads none
     * @return a copy with that limit
     * @throws IllegalArgumentException when {@code bytes} is negative
     */
    public Webhooks withMaxResponseBytes(int bytes) {
        return new Webhooks(key, defaultCallbackUrl, maxAge, initialBackoff, maxBackoff, timeout, concurrency, bytes);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Webhooks other
                && Arrays.equals(key, other.key)
                && defaultCallbackUrl.equals(other.defaultCallbackUrl)
                && maxAge.equals(other.maxAge)
                && initialBackoff.equals(other.initialBackoff)
                && maxBackoff.equals(other.maxBackoff)
                && timeout.equals(other.timeout)
                && concurrency == other.concurrency
                && maxResponseBytes == other.maxResponseBytes;
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                Arrays.hashCode(key),
                defaultCallbackUrl,
                maxAge,
                initialBackoff,
                maxBackoff,
                timeout,
                concurrency,
                maxResponseBytes);
    }

    @Override
    public String toString() {
        return "Webhooks[secret=(hidden), defaultCallbackUrl="
                + defaultCallbackUrl.map(URI::getHost).orElse("none")
                + ", maxAge=" + maxAge + ", backoff=" + initialBackoff + ".." + maxBackoff + ", timeout=" + timeout
                + ", concurrency=" + concurrency + "]";
    }

    private static Duration positive(Duration d, String name) {
        requireNonNull(d, name);
        if (d.isNegative() || d.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0: " + d);
        }
        return d;
    }
}
