package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import io.videomerge.FetchException;
import io.videomerge.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpPost;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.ContentType;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.io.entity.ByteArrayEntity;
import org.apache.hc.core5.util.Timeout;

/**
 * Posts webhooks to callback URLs under the same rules as {@link Fetcher}'s downloads, through the same kind of
 * client ({@link OutboundHttp}): the URL is checked again ({@link UrlRules}) before each attempt, the host is
 * resolved once by {@link CheckingDnsResolver} and the connection made to an address it checked, the answer's head
 * is bounded, a connection is reused only when its answer left nothing behind, nothing is followed (a redirect is a
 * failed attempt), no proxy, no cookies, no automatic retries. Each attempt has one overall timeout (a watchdog aborts it) besides the connect and read
 * timeouts, and at most {@code maxResponseBytes} of the answer are read, then discarded.
 *
 * <p>Thread-safe; {@link #close()} aborts attempts in flight and releases the connections.
 */
public final class CallbackClient implements AutoCloseable {
    /** The request field a callback URL comes from, which refusals name. */
    public static final String FIELD = "callback_url";

    private static final ContentType JSON = ContentType.create("application/json");

    private final AddressPolicy policy;
    private final Duration timeout;
    private final int maxResponseBytes;
    private final OutboundHttp http;
    private final CloseableHttpClient client;
    private final ScheduledExecutorService watchdog;

    /**
     * A client with the system resolver and the address policy of {@code limits}.
     *
     * @param connections      how many connections it keeps at most (the deliveries made at once)
     * @param timeout          how long one attempt may take, from connecting to the end of the answer
     * @param maxResponseBytes how much of an answer is read before the connection is cut
     */
    public CallbackClient(Limits limits, int connections, Duration timeout, int maxResponseBytes) {
        this(
                HostLookup.SYSTEM,
                AddressPolicy.of(requireNonNull(limits, "limits")),
                connections,
                timeout,
                maxResponseBytes);
    }

    /** For tests: a fixed name-to-address map, a policy with exact extra addresses. */
    CallbackClient(HostLookup lookup, AddressPolicy policy, int connections, Duration timeout, int maxResponseBytes) {
        this.policy = requireNonNull(policy, "policy");
        this.timeout = requireNonNull(timeout, "timeout");
        this.maxResponseBytes = maxResponseBytes;
        Timeout each = Timeout.of(timeout);
        this.http = new OutboundHttp(
                requireNonNull(lookup, "lookup"),
                policy,
                new OutboundHttp.Settings(
                        each,
                        each,
                        each,
                        connections,
                        connections,
                        "videomerge-webhooks",
                        "videomerge-webhook-watchdog"));
        this.client = http.client();
        this.watchdog = http.watchdog();
    }

    /**
     * Checks a callback URL as {@link Fetcher#checkUrl} checks an input's, naming {@value #FIELD} in a refusal.
     *
     * @throws FetchException with {@link io.videomerge.ErrorCode#UNSUPPORTED_SCHEME} or
     *     {@link io.videomerge.ErrorCode#URL_FORBIDDEN}, without an input index
     */
    public static void checkUrl(URI url, Limits limits) {
        UrlRules.check(url, FIELD, AddressPolicy.of(requireNonNull(limits, "limits")));
    }

    /**
     * The URL as logs may show it: scheme, host, port and path, without user information, query or fragment
     * (which may carry a receiver's token).
     */
    public static String describe(URI url) {
        String host = url.getHost() == null ? "?" : url.getHost();
        String port = url.getPort() < 0 ? "" : ":" + url.getPort();
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        return url.getScheme() + "://" + host + port + path;
    }

    /**
     * Posts {@code body} as {@code application/json} with {@code headers}; never throws for what the network or the
     * receiver did.
     *
     * @return whether the receiver answered 2xx, and what happened in words fit for a log (no address)
     */
    public Attempt post(URI url, Map<String, String> headers, byte[] body) {
        requireNonNull(url, "url");
        requireNonNull(headers, "headers");
        requireNonNull(body, "body");
        try {
            UrlRules.check(url, FIELD, policy);
        } catch (FetchException e) {
            return Attempt.failed("refused by the URL rules: " + e.getMessage());
        }
        HttpPost post = new HttpPost(url);
        headers.forEach(post::setHeader);
        post.setEntity(new ByteArrayEntity(body, JSON));
        AtomicBoolean late = new AtomicBoolean();
        ScheduledFuture<?> deadline = watchdog.schedule(
                () -> {
                    late.set(true);
                    post.cancel();
                },
                timeout.toNanos(),
                TimeUnit.NANOSECONDS);
        ClassicHttpResponse response = null;
        try {
            response = client.executeOpen(null, post, HttpClientContext.create());
            int status = response.getCode();
            // The status decides; the rest of the answer is read only so that the connection can be kept.
            if (!discard(response.getEntity())) {
                // Closing a response read in part would drain the rest of it, however long.
                post.cancel();
            }
            if (status >= 200 && status < 300) {
                return new Attempt(true, "HTTP " + status);
            }
            return Attempt.failed(
                    "HTTP " + status + (status >= 300 && status < 400 ? " (redirects are not followed)" : ""));
        } catch (IOException | IllegalStateException e) {
            return Attempt.failed(late.get() ? "no answer within " + timeout.toMillis() + " ms" : describe(e));
        } finally {
            deadline.cancel(false);
            if (response != null) {
                try {
                    response.close();
                } catch (IOException e) {
                    // The answer was cut off on purpose, or the connection died after the status: nothing to do.
                    post.cancel();
                }
            }
        }
    }

    /**
     * Reads and drops up to the cap of the answer; whether it ended within the cap. A cut answer's stream is left
     * open for the caller to abort: closing it would drain the rest, however long.
     */
    private boolean discard(HttpEntity entity) {
        if (entity == null) {
            return true;
        }
        byte[] buffer = new byte[Math.min(8192, Math.max(1, maxResponseBytes))];
        long read = 0;
        try {
            InputStream in = entity.getContent();
            while (read <= maxResponseBytes) {
                int n = in.read(buffer);
                if (n < 0) {
                    in.close();
                    return true;
                }
                read += n;
            }
        } catch (IOException e) {
            // Cut off after the status line and headers: the status still counts.
            return false;
        }
        return false;
    }

    private static String describe(Exception e) {
        if (e instanceof ForbiddenAddressException) {
            return "the host resolves to an address that may not be called";
        }
        if (e instanceof ConnectTimeoutException || e instanceof SocketTimeoutException) {
            return "timed out";
        }
        if (e instanceof UnknownHostException) {
            return "the host name could not be resolved";
        }
        if (e instanceof ConnectException) {
            return "the connection was refused";
        }
        if (e instanceof SSLException) {
            return "the TLS connection could not be established";
        }
        return "the connection failed";
    }

    @Override
    public void close() {
        http.close();
    }

    /**
     * What one post came to.
     *
     * @param delivered whether the receiver answered 2xx
     * @param outcome   the status, or why there was none, for logs
     */
    public record Attempt(boolean delivered, String outcome) {
        public Attempt {
            requireNonNull(outcome, "outcome");
        }

        static Attempt failed(String outcome) {
            return new Attempt(false, outcome);
        }
    }
}
