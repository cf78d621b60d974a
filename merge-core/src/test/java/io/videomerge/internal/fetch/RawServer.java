package io.videomerge.internal.fetch;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback socket server that answers requests with scripted byte streams, for responses
 * {@code com.sun.net.httpserver} refuses to send (a lying Content-Length, a close-delimited body), and for
 * watching which connection each request came on.
 */
final class RawServer implements AutoCloseable {
    /** Writes a response; may throw when the client goes away. */
    @FunctionalInterface
    interface Script {
        void answer(OutputStream out) throws IOException;
    }

    private final ServerSocket socket;
    private final List<Script> answers;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger connections = new AtomicInteger();
    private final List<Integer> connectionOfEachRequest = new CopyOnWriteArrayList<>();
    private final Map<Integer, CountDownLatch> hangUps = new ConcurrentHashMap<>();

    /** Answers every request with {@code script}, one request per connection, which it then closes. */
    RawServer(Script script) {
        this(List.of(script), false);
    }

    private RawServer(List<Script> answers, boolean keepAlive) {
        this.answers = answers;
        try {
            socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(
                () -> {
                    while (!socket.isClosed()) {
                        try {
                            Socket client = socket.accept();
                            int connection = connections.incrementAndGet();
                            if (keepAlive) {
                                daemon(() -> serve(client, connection, true), "test-raw-connection-" + connection)
                                        .start();
                            } else {
                                serve(client, connection, false);
                            }
                        } catch (IOException e) {
                            // The server closed.
                        }
                    }
                },
                "test-raw-server");
        daemon(acceptor);
        acceptor.start();
    }

    /**
     * A server that keeps each connection open for further requests and answers the n-th request it receives
     * (counted over all connections, from 0) with {@code answers[n]}; a request beyond them is not answered and
     * its connection is closed.
     */
    static RawServer keepingAlive(Script... answers) {
        return new RawServer(List.of(answers), true);
    }

    /** For each request received so far, in order, the number of the connection it came on (from 1). */
    List<Integer> connectionOfEachRequest() {
        return List.copyOf(connectionOfEachRequest);
    }

    /** Waits until the client closes connection {@code connection} (from 1); false if it has not by the timeout. */
    boolean awaitHangUp(int connection, Duration timeout) throws InterruptedException {
        return hangUp(connection).await(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CountDownLatch hangUp(int connection) {
        return hangUps.computeIfAbsent(connection, c -> new CountDownLatch(1));
    }

    private void serve(Socket client, int connection, boolean keepAlive) {
        try (client) {
            InputStream in = client.getInputStream();
            OutputStream out = client.getOutputStream();
            do {
                if (!readRequestHead(in)) {
                    hangUp(connection).countDown();
                    return;
                }
                connectionOfEachRequest.add(connection);
                int n = requests.getAndIncrement();
                if (keepAlive && n >= answers.size()) {
                    return;
                }
                answers.get(keepAlive ? n : 0).answer(out);
                out.flush();
            } while (keepAlive);
        } catch (IOException e) {
            // The client hung up (as it should when it refuses the body) or the server closed.
            hangUp(connection).countDown();
        }
    }

    private static Thread daemon(Runnable task, String name) {
        return daemon(new Thread(task, name));
    }

    private static Thread daemon(Thread thread) {
        thread.setDaemon(true);
        return thread;
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    }

    /** Reads up to the blank line that ends a request head; false if the client closed before a request began. */
    private static boolean readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        boolean any = false;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                if (any) {
                    throw new IOException("client closed before the request ended");
                }
                return false;
            }
            any = true;
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return true;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
