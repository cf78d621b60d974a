package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.internal.disk.DiskSpace;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedByInterruptException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLException;
import org.apache.hc.client5.http.ClientProtocolException;
import org.apache.hc.client5.http.ConnectTimeoutException;
import org.apache.hc.client5.http.classic.methods.HttpGet;
import org.apache.hc.client5.http.impl.classic.CloseableHttpClient;
import org.apache.hc.client5.http.protocol.HttpClientContext;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.Header;
import org.apache.hc.core5.http.HttpEntity;
import org.apache.hc.core5.http.HttpHeaders;
import org.apache.hc.core5.http.MessageConstraintException;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads one input URL to {@code clip-<index>} in a job's folder, enforcing every fetch rule of
 * SECURITY.md: http/https only, canonical hosts, every address checked against {@link ForbiddenRanges}
 * and the connection pinned to a checked address, redirects followed by our own loop with each hop
 * checked again, connect/read timeouts, an overall deadline and a download speed floor, a per-file byte cap and
 * the job's {@link ByteBudget}, both counted on the bytes written.
 *
 * <p>The speed floor ({@link Limits#minDownloadBytesPerSecond()} over {@link Limits#lowSpeedWindow()}) catches
 * what the read timeout cannot: a source that sends a byte now and then and so is never silent for long. It
 * judges the response body in consecutive spans, the first starting when the response head has arrived and
 * each lasting at least the window: at the end of a span, the bytes received during it divided by its length
 * must reach the floor, or the download fails with {@link ErrorCode#DOWNLOAD_TIMEOUT} (retryable). The
 * watchdog ends the spans, so a slow source is stopped even while a read is blocked, whatever the sizes of the
 * reads; a download that ends before its first span ends is never judged, and 0 turns the floor off. Redirect
 * responses are not judged (their bodies are not read).
 *
 * <p>A host name that does not resolve and one that resolves to a forbidden address fail alike: URL_FORBIDDEN,
 * "the URL's host cannot be fetched", retryable (a name may resolve later; a retry checks again). Telling them
 * apart would let a client probe which internal names exist; the log at INFO says which it was.
 *
 * <p>A write that fails because the disk is full ({@link DiskSpace#isFull(Throwable)}) fails with
 * {@link ErrorCode#STORAGE_FULL} (retryable), not as a failed download: the input is not at fault.
 *
 * <p>Connections are pooled, and a connection goes back to the pool only after a response whose body was read to
 * its end and that left no byte behind it ({@link CheckingConnection}); a download that stops early (an error
 * status, a redirect, a cap, a timeout, a cancel, a failed read) aborts its request, which closes the connection.
 *
 * <p>Built on Apache HttpClient 5 because its {@code DnsResolver} hook lets us hand the socket the very
 * address we checked; the JDK client resolves on its own. No proxy is used (a proxy would resolve the
 * name itself), no {@code Accept-Encoding} is sent (a small compressed body must not inflate past the
 * checks), no cookies are kept.
 *
 * <p>Cancellation: interrupting the calling thread aborts the transfer within about
 * {@value #INTERRUPT_POLL_MILLIS} ms (blocking socket reads ignore interrupts, so a watchdog watches the
 * caller's flag and aborts the request); {@link #fetch} then throws a {@link MergeException} with code
 * {@link ErrorCode#CANCELLED} and leaves the interrupt flag set.
 *
 * <p>One instance serves many jobs and threads; {@link #close()} releases its connections and watchdog.
 */
public final class Fetcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Fetcher.class);
    private static final long INTERRUPT_POLL_MILLIS = 50;
    private static final int BUFFER_SIZE = 64 * 1024;
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 303, 307, 308);
    private static final int MAX_CONNECTIONS = 64;
    private static final int MAX_CONNECTIONS_PER_HOST = 16;

    private final Limits limits;
    private final AddressPolicy policy;
    private final OutboundHttp http;
    private final CloseableHttpClient client;
    private final ScheduledExecutorService watchdog;

    /** A fetcher with the system resolver and the address policy of {@code limits}. */
    public Fetcher(Limits limits) {
        this(limits, HostLookup.SYSTEM, AddressPolicy.of(limits));
    }

    /** For tests: a fixed name-to-address map, a policy with exact extra addresses. */
    Fetcher(Limits limits, HostLookup lookup, AddressPolicy policy) {
        this.limits = requireNonNull(limits, "limits");
        this.policy = requireNonNull(policy, "policy");
        this.http = new OutboundHttp(
                lookup,
                policy,
                new OutboundHttp.Settings(
                        Timeout.of(limits.connectTimeout()),
                        Timeout.of(limits.readTimeout()),
                        Timeout.of(limits.downloadTimeout()),
                        MAX_CONNECTIONS,
                        MAX_CONNECTIONS_PER_HOST,
                        userAgent(),
                        "videomerge-fetch-watchdog"));
        this.client = http.client();
        this.watchdog = http.watchdog();
    }

    /**
     * Checks what can be checked without DNS: scheme http or https, a host, no user-info, a port from 1 to
     * 65535 if one is given, a canonical host spelling (only dotted-quad IPv4 literals; octal, hex, 32-bit and
     * short numeric forms are refused), an IP literal outside the forbidden ranges, at most
     * {@value UrlRules#MAX_URL_LENGTH} characters. The service calls it when a request arrives, before any job
     * exists.
     *
     * @throws FetchException with {@link ErrorCode#UNSUPPORTED_SCHEME}, {@link ErrorCode#INVALID_REQUEST} (the
     *                        port) or {@link ErrorCode#URL_FORBIDDEN}
     */
    public static void checkUrl(URI url, int index, Limits limits) {
        UrlRules.check(url, index, AddressPolicy.of(limits));
    }

    /**
     * Downloads {@code url} to {@code jobDir.resolve("clip-" + index)}, which must not be shared with a
     * concurrent fetch, and returns that path.
     *
     * @throws FetchException naming {@code index} with code UNSUPPORTED_SCHEME, INVALID_REQUEST, URL_FORBIDDEN,
     *                        DOWNLOAD_FAILED, DOWNLOAD_TIMEOUT (connect or read timeout, overall deadline,
     *                        speed floor) or INPUT_TOO_LARGE; the partial file is deleted and its bytes are given
     *                        back to {@code budget}
     * @throws MergeException with code CANCELLED if the calling thread was interrupted (flag left set), or
     *                        STORAGE_FULL (retryable) if the disk had no room for the file
     */
    public Path fetch(URI url, int index, Path jobDir, ByteBudget budget) {
        requireNonNull(url, "url");
        requireNonNull(jobDir, "jobDir");
        requireNonNull(budget, "budget");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0: " + index);
        }
        Download download = new Download(index, jobDir.resolve("clip-" + index), budget);
        boolean done = false;
        long started = System.nanoTime();
        try {
            download.run(url);
            done = true;
            // The host only: a URL's query may carry a signature.
            LOG.debug(
                    "input {} fetched from {}: {} bytes in {} ms",
                    index,
                    url.getHost(),
                    download.written,
                    (System.nanoTime() - started) / 1_000_000);
            return download.target;
        } finally {
            if (!done) {
                download.discard();
            }
        }
    }

    /** Closes the connections and ends the watchdog thread ({@link OutboundHttp#close()}). */
    @Override
    public void close() {
        http.close();
    }

    /**
     * The request for {@code uri}, or a permanent DOWNLOAD_FAILED if HttpClient will not take it (it throws
     * IllegalArgumentException for a port over 65535): {@link UrlRules} should have refused such a URL, and if
     * it let one through the job must still fail with a code, not with an unexpected exception.
     */
    static HttpGet newRequest(URI uri, int index) {
        try {
            return new HttpGet(uri);
        } catch (IllegalArgumentException e) {
            LOG.warn("input {}: the HTTP client refused a URL that passed the URL rules: {}", index, e.toString());
            throw new FetchException(
                    ErrorCode.DOWNLOAD_FAILED, "Input " + index + ": the URL cannot be requested", index, false, e);
        }
    }

    private static String userAgent() {
        String version = Fetcher.class.getPackage().getImplementationVersion();
        return "videomerge/" + (version == null ? "dev" : version);
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
    }

    /** The state of one call of {@link #fetch}: where it writes, what it has written, why it stopped. */
    private final class Download {
        private final int index;
        private final Path target;
        private final ByteBudget budget;
        private final long deadlineNanos;
        private final Thread caller = Thread.currentThread();
        private final AtomicBoolean deadlinePassed = new AtomicBoolean();
        private final AtomicBoolean interrupted = new AtomicBoolean();
        /** The average, in bytes a second, of the span that fell below the speed floor; -1 while none has. */
        private final AtomicLong belowFloor = new AtomicLong(-1);
        /** Bytes received so far; written by the caller's thread only, read by the watchdog's speed check. */
        private volatile long written;

        Download(int index, Path target, ByteBudget budget) {
            this.index = index;
            this.target = target;
            this.budget = budget;
            this.deadlineNanos = System.nanoTime() + limits.downloadTimeout().toNanos();
        }

        void run(URI url) {
            URI current = url;
            for (int redirects = 0; ; redirects++) {
                checkStillWanted();
                checkHop(current, redirects > 0);
                Optional<URI> next = exchange(current);
                if (next.isEmpty()) {
                    return;
                }
                if (redirects >= limits.maxRedirects()) {
                    throw failed("the URL redirects more than " + limits.maxRedirects() + " times", false, null);
                }
                current = next.get();
            }
        }

        private void checkHop(URI uri, boolean redirected) {
            try {
                UrlRules.check(uri, index, policy);
            } catch (FetchException e) {
                // INVALID_REQUEST says the client's request was malformed; a bad Location is the server's fault.
                if (redirected && e.code() == ErrorCode.INVALID_REQUEST) {
                    throw failed("the server redirected to an invalid URL", false, e);
                }
                throw e;
            }
        }

        /** One request: the body saved (empty result) or the next hop of a redirect. */
        private Optional<URI> exchange(URI uri) {
            long remaining = deadlineNanos - System.nanoTime();
            if (remaining <= 0) {
                throw deadline(null);
            }
            HttpGet get = newRequest(uri, index);
            ScheduledFuture<?> deadlineTask = watchdog.schedule(
                    () -> {
                        deadlinePassed.set(true);
                        get.cancel();
                    },
                    remaining,
                    TimeUnit.NANOSECONDS);
            ScheduledFuture<?> interruptTask = watchdog.scheduleWithFixedDelay(
                    () -> {
                        if (caller.isInterrupted()) {
                            interrupted.set(true);
                            get.cancel();
                        }
                    },
                    INTERRUPT_POLL_MILLIS,
                    INTERRUPT_POLL_MILLIS,
                    TimeUnit.MILLISECONDS);
            ClassicHttpResponse response = null;
            boolean bodyComplete = false;
            try {
                response = client.executeOpen(null, get, HttpClientContext.create());
                int status = response.getCode();
                if (REDIRECTS.contains(status)) {
                    return Optional.of(redirectTarget(uri, response));
                }
                if (status != 200 && status != 203) {
                    boolean retryable = status == 429 || status >= 500;
                    throw failed("the server answered HTTP " + status, retryable, null);
                }
                save(get, response.getEntity());
                bodyComplete = true;
                return Optional.empty();
            } catch (IOException e) {
                throw translate(e, uri);
            } catch (MergeException e) {
                throw e;
            } catch (RuntimeException e) {
                // HttpClient reports a request aborted between its steps as a released endpoint
                // (IllegalStateException); anything else unchecked from it must not escape as a 500 either.
                checkStillWanted(e);
                LOG.warn("download of input {} failed unexpectedly", index, e);
                throw failed("the connection failed", true, e);
            } finally {
                deadlineTask.cancel(false);
                interruptTask.cancel(false);
                if (!bodyComplete) {
                    // Abort before closing: closing a half-read response would drain the rest of it (the rest of
                    // an endless body never comes) and pool the connection. Aborting closes the connection.
                    get.cancel();
                }
                if (response != null) {
                    try {
                        response.close();
                    } catch (IOException e) {
                        LOG.debug("closing a response of input {} failed", index, e);
                    }
                }
            }
        }

        private URI redirectTarget(URI from, ClassicHttpResponse response) {
            Header location = response.getFirstHeader(HttpHeaders.LOCATION);
            if (location == null || location.getValue().isBlank()) {
                throw failed("the server redirected without a Location", false, null);
            }
            try {
                return from.resolve(new URI(location.getValue().trim()));
            } catch (URISyntaxException | IllegalArgumentException e) {
                throw failed("the server redirected to an invalid URL", false, e);
            }
        }

        private void save(HttpGet get, HttpEntity entity) throws IOException {
            long declared = entity == null ? 0 : entity.getContentLength();
            if (declared > limits.maxBytesPerFile()) {
                throw perFileTooLarge();
            }
            if (declared > budget.remaining()) {
                throw jobTooLarge();
            }
            OutputStream out = open();
            Future<?> speedCheck = watchSpeed(get);
            boolean closed = false;
            try {
                if (entity != null) {
                    copy(entity.getContent(), out);
                }
                closed = true;
                closeFile(out);
            } catch (ClosedByInterruptException e) {
                throw cancelled(e);
            } finally {
                speedCheck.cancel(false);
                if (!closed) {
                    try {
                        out.close();
                    } catch (IOException e) {
                        LOG.debug("closing the partial file of input {} failed", index, e);
                    }
                }
            }
            // An aborted close-delimited body reads as a normal end of stream: trust the flags, not EOF.
            checkStillWanted();
        }

        /** Copies the body; read failures propagate as IOException, write failures as FetchException. */
        private void copy(InputStream in, OutputStream out) throws IOException {
            byte[] buffer = new byte[BUFFER_SIZE];
            while (true) {
                checkStillWanted();
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                long total = written + n;
                if (total > limits.maxBytesPerFile()) {
                    throw perFileTooLarge();
                }
                if (!budget.tryCharge(n)) {
                    throw jobTooLarge();
                }
                written = total;
                try {
                    out.write(buffer, 0, n);
                } catch (ClosedByInterruptException e) {
                    throw cancelled(e);
                } catch (IOException e) {
                    throw notStored(e);
                }
            }
        }

        private void closeFile(OutputStream out) {
            try {
                out.close();
            } catch (ClosedByInterruptException e) {
                throw cancelled(e);
            } catch (IOException e) {
                throw notStored(e);
            }
        }

        /** Starts judging the body against the speed floor; the returned future stops it. */
        private Future<?> watchSpeed(HttpGet get) {
            // A window as long as the overall deadline could never end before it.
            if (limits.minDownloadBytesPerSecond() == 0
                    || limits.lowSpeedWindow().compareTo(limits.downloadTimeout()) >= 0) {
                return CompletableFuture.completedFuture(null);
            }
            long window = limits.lowSpeedWindow().toNanos();
            // Fixed delay, not fixed rate: a late run must not be followed by a short span to catch up.
            return watchdog.scheduleWithFixedDelay(new SpeedCheck(get), window, window, TimeUnit.NANOSECONDS);
        }

        private OutputStream open() {
            try {
                return Files.newOutputStream(
                        target,
                        StandardOpenOption.CREATE,
                        StandardOpenOption.TRUNCATE_EXISTING,
                        StandardOpenOption.WRITE);
            } catch (IOException e) {
                throw notStored(e);
            }
        }

        private void checkStillWanted() {
            checkStillWanted(null);
        }

        /**
         * Throws the reason the transfer was stopped from outside, if it was: the caller's interrupt, the overall
         * deadline or the speed floor. An aborted transfer fails for that reason, whatever the socket then said.
         */
        private void checkStillWanted(Throwable cause) {
            if (interrupted.get() || caller.isInterrupted()) {
                throw cancelled(cause);
            }
            if (deadlinePassed.get() || System.nanoTime() - deadlineNanos >= 0) {
                throw deadline(cause);
            }
            long speed = belowFloor.get();
            if (speed >= 0) {
                throw tooSlow(speed, cause);
            }
        }

        void discard() {
            try {
                Files.deleteIfExists(target);
            } catch (IOException e) {
                LOG.warn("could not delete the partial file of input {}", index, e);
            }
            budget.release(written);
            written = 0;
        }

        private MergeException translate(IOException e, URI uri) {
            checkStillWanted(e);
            LOG.debug("download of input {} failed", index, e);
            if (e instanceof UnknownHostException) {
                // A name that does not resolve and a name that resolves inside must answer alike (code, message,
                // retry), or a client could tell which internal names exist. Only the log tells them apart.
                LOG.info(
                        "input {}: host {} refused: {} ({})",
                        index,
                        uri.getHost(),
                        e instanceof ForbiddenAddressException ? "forbidden address" : "does not resolve",
                        e.getMessage());
                return new FetchException(
                        ErrorCode.URL_FORBIDDEN,
                        "Input " + index + ": the URL's host cannot be fetched",
                        index,
                        true,
                        e);
            }
            if (e instanceof ConnectTimeoutException) {
                return new FetchException(
                        ErrorCode.DOWNLOAD_TIMEOUT,
                        "Input " + index + ": could not connect within the connect timeout of "
                                + describe(limits.connectTimeout()),
                        index,
                        true,
                        e);
            }
            if (e instanceof SocketTimeoutException) {
                return new FetchException(
                        ErrorCode.DOWNLOAD_TIMEOUT,
                        "Input " + index
                                + ": the server sent nothing for longer than the read timeout of "
                                + describe(limits.readTimeout()),
                        index,
                        true,
                        e);
            }
            if (e instanceof ConnectException) {
                return failed("the connection was refused", true, e);
            }
            if (e instanceof SSLException) {
                return failed("the TLS connection could not be established", false, e);
            }
            if (e instanceof MessageConstraintException) {
                return failed("the server's response headers exceed the limits", false, e);
            }
            if (e instanceof ClientProtocolException) {
                return failed("the server's response is not valid HTTP", false, e);
            }
            return failed("the connection failed", true, e);
        }

        private FetchException failed(String what, boolean retryable, Throwable cause) {
            return new FetchException(
                    ErrorCode.DOWNLOAD_FAILED, "Input " + index + ": " + what, index, retryable, cause);
        }

        private FetchException deadline(Throwable cause) {
            return new FetchException(
                    ErrorCode.DOWNLOAD_TIMEOUT,
                    "Input " + index
                            + ": the download did not finish within the overall deadline of "
                            + describe(limits.downloadTimeout()),
                    index,
                    true,
                    cause);
        }

        private FetchException tooSlow(long bytesPerSecond, Throwable cause) {
            return new FetchException(
                    ErrorCode.DOWNLOAD_TIMEOUT,
                    "Input " + index + ": the download averaged " + bytesPerSecond + " B/s over the last "
                            + describe(limits.lowSpeedWindow()) + ", below the floor of "
                            + limits.minDownloadBytesPerSecond() + " B/s",
                    index,
                    true,
                    cause);
        }

        /** A failed write of the file: the disk is full (STORAGE_FULL), or some other, retryable, trouble. */
        private MergeException notStored(IOException e) {
            if (DiskSpace.isFull(e)) {
                return DiskSpace.full("Input " + index, index, e);
            }
            return failed("the download could not be stored", true, e);
        }

        private FetchException perFileTooLarge() {
            return new FetchException(
                    ErrorCode.INPUT_TOO_LARGE,
                    "Input " + index + " is larger than " + limits.maxBytesPerFile() + " bytes",
                    index);
        }

        private FetchException jobTooLarge() {
            return new FetchException(
                    ErrorCode.INPUT_TOO_LARGE,
                    "Input " + index + ": the inputs together are larger than " + budget.limit() + " bytes",
                    index);
        }

        private MergeException cancelled(Throwable cause) {
            // Keep the flag: the job layer's cancel relies on seeing the interruption.
            Thread.currentThread().interrupt();
            return new MergeException(
                    ErrorCode.CANCELLED, "Input " + index + ": the download was cancelled", index, false, cause);
        }

        /**
         * Ends one span of the speed floor (run by the watchdog, one run at a time): the bytes received since the
         * previous run, divided by the time since it, must reach the floor, or the request is aborted.
         */
        private final class SpeedCheck implements Runnable {
            private final HttpGet get;
            private long spanStartNanos = System.nanoTime();
            private long spanStartBytes = written;

            SpeedCheck(HttpGet get) {
                this.get = get;
            }

            @Override
            public void run() {
                long now = System.nanoTime();
                long bytes = written;
                double perSecond = (bytes - spanStartBytes) * 1e9 / Math.max(1, now - spanStartNanos);
                if (perSecond < limits.minDownloadBytesPerSecond()) {
                    belowFloor.compareAndSet(-1, (long) perSecond);
                    get.cancel();
                }
                spanStartNanos = now;
                spanStartBytes = bytes;
            }
        }
    }
}
