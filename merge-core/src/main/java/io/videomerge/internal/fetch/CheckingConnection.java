package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import org.apache.hc.client5.http.io.ManagedHttpClientConnection;
import org.apache.hc.core5.http.ClassicHttpRequest;
import org.apache.hc.core5.http.ClassicHttpResponse;
import org.apache.hc.core5.http.EndpointDetails;
import org.apache.hc.core5.http.HttpException;
import org.apache.hc.core5.http.ProtocolVersion;
import org.apache.hc.core5.http.io.HttpConnectionFactory;
import org.apache.hc.core5.io.CloseMode;
import org.apache.hc.core5.util.Timeout;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A pooled connection that is reused only while no unread byte waits on it.
 *
 * <p>HttpClient hands a connection back to the pool as soon as a response body reaches its end (its
 * Content-Length or its last chunk), whatever the server sent after that. A server that sends more than it
 * declared leaves those bytes on the connection, and the next request on it reads them as its response: a
 * failed download, or a wrong one. Unread bytes after a finished exchange mean the connection no longer
 * frames messages as both sides think, so it counts as inconsistent when the pool decides whether to keep it
 * (the pool closes it), and as stale when the pool leases it out again (bytes that came while it sat idle;
 * the pool closes it and opens another). Each check waits at most {@value #GLANCE_MILLIS} ms for bytes.
 *
 * <p>The pool consults {@link #isStale()} on every lease only if the connection config validates after 0 ms of
 * inactivity, as {@link Fetcher} sets it. Bytes that arrive after the connection was leased again cannot be
 * told from the next response; no HTTP/1.1 client can.
 */
final class CheckingConnection implements ManagedHttpClientConnection {
    private static final Logger LOG = LoggerFactory.getLogger(CheckingConnection.class);
    private static final long GLANCE_MILLIS = 1;
    private static final Timeout GLANCE = Timeout.ofMilliseconds(GLANCE_MILLIS);

    private final ManagedHttpClientConnection delegate;

    private CheckingConnection(ManagedHttpClientConnection delegate) {
        this.delegate = requireNonNull(delegate, "delegate");
    }

    /** Wraps every connection {@code base} makes. */
    static HttpConnectionFactory<ManagedHttpClientConnection> factory(
            HttpConnectionFactory<ManagedHttpClientConnection> base) {
        requireNonNull(base, "base");
        return new HttpConnectionFactory<>() {
            @Override
            public ManagedHttpClientConnection createConnection(Socket socket) throws IOException {
                return new CheckingConnection(base.createConnection(socket));
            }

            @Override
            public ManagedHttpClientConnection createConnection(SSLSocket sslSocket, Socket socket) throws IOException {
                return new CheckingConnection(base.createConnection(sslSocket, socket));
            }
        };
    }

    @Override
    public boolean isConsistent() {
        return delegate.isConsistent() && !hasUnreadBytes("after its response");
    }

    @Override
    public boolean isStale() throws IOException {
        return delegate.isStale() || hasUnreadBytes("while idle");
    }

    private boolean hasUnreadBytes(String when) {
        if (!delegate.isOpen()) {
            return false;
        }
        boolean unread;
        try {
            unread = delegate.isDataAvailable(GLANCE);
        } catch (IOException e) {
            unread = true;
        }
        if (unread) {
            LOG.debug("a connection to {} had unread bytes {}; it is closed", delegate.getRemoteAddress(), when);
        }
        return unread;
    }

    @Override
    public void bind(Socket socket) throws IOException {
        delegate.bind(socket);
    }

    @Override
    public void bind(SSLSocket sslSocket, Socket socket) throws IOException {
        delegate.bind(sslSocket, socket);
    }

    @Override
    public Socket getSocket() {
        return delegate.getSocket();
    }

    @Override
    public SSLSession getSSLSession() {
        return delegate.getSSLSession();
    }

    @Override
    public void passivate() {
        delegate.passivate();
    }

    @Override
    public void activate() {
        delegate.activate();
    }

    @Override
    public void sendRequestHeader(ClassicHttpRequest request) throws HttpException, IOException {
        delegate.sendRequestHeader(request);
    }

    @Override
    public void terminateRequest(ClassicHttpRequest request) throws HttpException, IOException {
        delegate.terminateRequest(request);
    }

    @Override
    public void sendRequestEntity(ClassicHttpRequest request) throws HttpException, IOException {
        delegate.sendRequestEntity(request);
    }

    @Override
    public ClassicHttpResponse receiveResponseHeader() throws HttpException, IOException {
        return delegate.receiveResponseHeader();
    }

    @Override
    public void receiveResponseEntity(ClassicHttpResponse response) throws HttpException, IOException {
        delegate.receiveResponseEntity(response);
    }

    @Override
    public boolean isDataAvailable(Timeout timeout) throws IOException {
        return delegate.isDataAvailable(timeout);
    }

    @Override
    public void flush() throws IOException {
        delegate.flush();
    }

    @Override
    public EndpointDetails getEndpointDetails() {
        return delegate.getEndpointDetails();
    }

    @Override
    public SocketAddress getLocalAddress() {
        return delegate.getLocalAddress();
    }

    @Override
    public SocketAddress getRemoteAddress() {
        return delegate.getRemoteAddress();
    }

    @Override
    public ProtocolVersion getProtocolVersion() {
        return delegate.getProtocolVersion();
    }

    @Override
    public boolean isOpen() {
        return delegate.isOpen();
    }

    @Override
    public Timeout getSocketTimeout() {
        return delegate.getSocketTimeout();
    }

    @Override
    public void setSocketTimeout(Timeout timeout) {
        delegate.setSocketTimeout(timeout);
    }

    @Override
    public void close(CloseMode closeMode) {
        delegate.close(closeMode);
    }

    @Override
    public void close() throws IOException {
        delegate.close();
    }
}
