package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.apache.hc.client5.http.config.ConnectionConfig;
import org.apache.hc.client5.http.config.RequestConfig;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.impl.classic.HttpClients;
import org.apache.hc.client5.http.impl.io.ManagedHttpClientConnectionFactory;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManager;
import org.apache.hc.client5.http.impl.io.PoolingHttpClientConnectionManagerBuilder;
import org.apache.hc.core5.http.config.Http1Config;
import org.apache.hc.core5.http.io.SocketConfig;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.TimeValue;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP client and the watchdog thread behind every request the engine sends out, input downloads
 * ({@link Fetcher}) and webhooks ({@link CallbackClient}) alike, so that both go out under the same rules:
 *
 * <ul>
 *   <li>every connection goes to an address {@link CheckingDnsResolver} resolved and checked, with no proxy;
 *   <li>response heads are bounded (a header line and the number of headers: HttpClient's defaults are unbounded,
 *       and a header line can stream forever);
 *   <li>a connection is reused only when it left no byte behind its response and none arrived while it sat idle
 *       ({@link CheckingConnection}, checked at every lease);
 *   <li>no redirect is followed, nothing is retried automatically, no compression is asked for (a small compressed
 *       body must not inflate past the checks), no cookies or authentication are kept.
 * </ul>
 *
 * <p>The watchdog is one daemon thread for the callers' timers (deadlines, interrupt polls, speed checks); a
 * cancelled timer leaves its queue at once. {@link #close()} closes the connections and waits for that thread to
 * end: a servlet container stopping the application looks for leftover threads right after.
 */
final class OutboundHttp implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(OutboundHttp.class);
    private static final int MAX_HEADER_LINE = 8 * 1024;
    private static final int MAX_HEADERS = 100;
    /** The watchdog's tasks end at once when interrupted; the bound only guards against the unexpected. */
    private static final long CLOSE_WAIT_SECONDS = 5;

    private final CloseableHttpClient client;
    private final ScheduledThreadPoolExecutor watchdog;
    private final String watchdogName;

    /**
     * How one client connects and waits.
     *
     * @param connect             how long a connection may take to open
     * @param read                how long a read may wait for a byte, and the response head for its first
     * @param lease               how long a request may wait for a pooled connection
     * @param connections         connections kept at most, in all
     * @param connectionsPerRoute connections kept at most to one host and port
     * @param userAgent           the {@code User-Agent} sent
     * @param watchdogName        the watchdog thread's name
     */
    record Settings(
            Timeout connect,
            Timeout read,
            Timeout lease,
            int connections,
            int connectionsPerRoute,
            String userAgent,
            String watchdogName) {
        Settings {
            requireNonNull(connect, "connect");
            requireNonNull(read, "read");
            requireNonNull(lease, "lease");
            requireNonNull(userAgent, "userAgent");
            requireNonNull(watchdogName, "watchdogName");
        }
    }

    OutboundHttp(HostLookup lookup, AddressPolicy policy, Settings settings) {
        requireNonNull(lookup, "lookup");
        requireNonNull(policy, "policy");
        PoolingHttpClientConnectionManager pool = PoolingHttpClientConnectionManagerBuilder.create()
                .setDnsResolver(new CheckingDnsResolver(lookup, policy))
                .setConnectionFactory(CheckingConnection.factory(ManagedHttpClientConnectionFactory.builder()
                        .http1Config(Http1Config.custom()
                                .setMaxLineLength(MAX_HEADER_LINE)
                                .setMaxHeaderCount(MAX_HEADERS)
                                .build())
                        .build()))
                .setDefaultConnectionConfig(ConnectionConfig.custom()
                        .setConnectTimeout(settings.connect())
                        .setSocketTimeout(settings.read())
                        // Every lease checks the pooled connection for bytes that arrived while it was idle.
                        .setValidateAfterInactivity(TimeValue.ZERO_MILLISECONDS)
                        .build())
                .setDefaultSocketConfig(
                        SocketConfig.custom().setSoTimeout(settings.read()).build())
                .setMaxConnTotal(settings.connections())
                .setMaxConnPerRoute(settings.connectionsPerRoute())
                .build();
        this.client = HttpClients.custom()
                .setConnectionManager(pool)
                .setDefaultRequestConfig(RequestConfig.custom()
                        .setRedirectsEnabled(false)
                        .setResponseTimeout(settings.read())
                        .setConnectionRequestTimeout(settings.lease())
                        .setContentCompressionEnabled(false)
                        .build())
                .disableRedirectHandling()
                .disableAutomaticRetries()
                .disableContentCompression()
                .disableCookieManagement()
                .disableAuthCaching()
                .setUserAgent(settings.userAgent())
                .build();
        this.watchdogName = settings.watchdogName();
        this.watchdog = new ScheduledThreadPoolExecutor(1, task -> {
            Thread t = new Thread(task, watchdogName);
            t.setDaemon(true);
            return t;
        });
        watchdog.setRemoveOnCancelPolicy(true);
    }

    /** The pooled client; requests made with it must not be sent after {@link #close()}. */
    CloseableHttpClient client() {
        return client;
    }

    /** The watchdog thread's scheduler, for the callers' timers. */
    ScheduledExecutorService watchdog() {
        return watchdog;
    }

    /**
     * Aborts the requests in flight, closes the connections and ends the watchdog thread, waiting up to
     * {@value #CLOSE_WAIT_SECONDS} s for it.
     */
    @Override
    public void close() {
        client.close(CloseMode.IMMEDIATE);
        watchdog.shutdownNow();
        try {
            if (!watchdog.awaitTermination(CLOSE_WAIT_SECONDS, TimeUnit.SECONDS)) {
                LOG.warn("The {} thread did not end within {} s", watchdogName, CLOSE_WAIT_SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
