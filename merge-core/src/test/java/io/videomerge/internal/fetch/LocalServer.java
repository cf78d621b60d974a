package io.videomerge.internal.fetch;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/** A real HTTP server on a loopback address for one test, recording the requests it saw. */
final class LocalServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "test-http-server");
        t.setDaemon(true);
        return t;
    });
    private final List<Headers> requests = new CopyOnWriteArrayList<>();
    private final String host;

    private LocalServer(String host) throws IOException {
        this.host = host;
        this.server = HttpServer.create(new InetSocketAddress(host, 0), 0);
        server.setExecutor(executor);
        server.start();
    }

    static LocalServer on(String host) {
        try {
            return new LocalServer(host);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Serves {@code path} with {@code handler}, recording each request's headers first. */
    LocalServer handle(String path, HttpHandler handler) {
        server.createContext(path, exchange -> {
            requests.add(exchange.getRequestHeaders());
            try {
                handler.handle(exchange);
            } finally {
                exchange.close();
            }
        });
        return this;
    }

    LocalServer serve(String path, byte[] body) {
        return handle(path, exchange -> {
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
    }

    LocalServer redirect(String path, int status, String location) {
        return handle(path, exchange -> {
            exchange.getResponseHeaders().add("Location", location);
            exchange.sendResponseHeaders(status, -1);
        });
    }

    LocalServer status(String path, int status) {
        return handle(path, exchange -> exchange.sendResponseHeaders(status, -1));
    }

    URI uri(String path) {
        String authority = host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return URI.create("http://" + authority + ":" + port() + path);
    }

    int port() {
        return server.getAddress().getPort();
    }

    List<Headers> requests() {
        return List.copyOf(requests);
    }

    static void send(HttpExchange exchange, byte[] chunk) throws IOException {
        exchange.getResponseBody().write(chunk);
        exchange.getResponseBody().flush();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
