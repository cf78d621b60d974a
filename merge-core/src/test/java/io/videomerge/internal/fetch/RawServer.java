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

/**
 * A loopback socket server that answers every request with a scripted byte stream, for responses
 * {@code com.sun.net.httpserver} refuses to send (a lying Content-Length, a close-delimited body).
 */
final class RawServer implements AutoCloseable {
    /** Writes a response; may throw when the client goes away. */
    @FunctionalInterface
    interface Script {
        void answer(OutputStream out) throws IOException;
    }

    private final ServerSocket socket;
    private final Thread acceptor;

    RawServer(Script script) {
        try {
            socket = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        acceptor = new Thread(
                () -> {
                    while (!socket.isClosed()) {
                        try (Socket client = socket.accept()) {
                            readRequestHead(client.getInputStream());
                            OutputStream out = client.getOutputStream();
                            script.answer(out);
                            out.flush();
                        } catch (IOException e) {
                            // The client hung up (as it should when it refuses the body) or the server closed.
                        }
                    }
                },
                "test-raw-server");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + socket.getLocalPort() + path);
    }

    private static void readRequestHead(InputStream in) throws IOException {
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < end.length) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("client closed before the request ended");
            }
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
