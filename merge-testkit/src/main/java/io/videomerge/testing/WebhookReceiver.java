package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * A webhook receiver on the loopback interface (an ephemeral port) that records every request it gets and answers
 * with the statuses a test scripts ({@link #answer}), 200 once the script is spent. {@link #holdNext()} makes the
 * next request wait until {@link #release()}, so that a test can act while a delivery is certainly in flight.
 *
 * <p>{@link Received#verify} checks a request's signature as a receiver of the Standard Webhooks specification
 * does, written here independently of the library's signer.
 */
public final class WebhookReceiver implements AutoCloseable {
    private final HttpServer server;
    private final BlockingQueue<Integer> script = new LinkedBlockingQueue<>();
    private final BlockingQueue<Received> received = new LinkedBlockingQueue<>();
    private final AtomicInteger count = new AtomicInteger();
    private final CountDownLatch gate = new CountDownLatch(1);
    private final CountDownLatch held = new CountDownLatch(1);
    private volatile boolean holdNext;
    private final ExecutorService executor = Executors.newCachedThreadPool(task -> {
        Thread t = new Thread(task, "webhook-receiver");
        t.setDaemon(true);
        return t;
    });

    private WebhookReceiver() throws IOException {
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", this::handle);
        server.setExecutor(executor);
        server.start();
    }

    /** A started receiver. */
    public static WebhookReceiver start() {
        try {
            return new WebhookReceiver();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The URL of {@code path} on this receiver, such as {@code /hooks/merge?token=abc}. */
    public URI url(String path) {
        return URI.create("http://" + server.getAddress().getAddress().getHostAddress() + ":" + port() + path);
    }

    /** The port it listens on. */
    public int port() {
        return server.getAddress().getPort();
    }

    /** Answers the next requests with these statuses, in order; later ones get 200. */
    public void answer(int... statuses) {
        for (int status : statuses) {
            script.add(status);
        }
    }

    /** Makes the next request wait, unanswered, until {@link #release()}. */
    public void holdNext() {
        holdNext = true;
    }

    /** Waits until the held request has arrived, failing after {@code wait}. */
    public void awaitHeld(Duration wait) throws InterruptedException {
        if (!held.await(wait.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("no request arrived within " + wait);
        }
    }

    /** Lets the held request be answered. */
    public void release() {
        gate.countDown();
    }

    /** The next request received, waiting up to {@code wait} for it. */
    public Received next(Duration wait) throws InterruptedException {
        Received r = received.poll(wait.toMillis(), TimeUnit.MILLISECONDS);
        if (r == null) {
            throw new AssertionError("no webhook arrived within " + wait);
        }
        return r;
    }

    /** How many requests arrived so far, answered or not. */
    public int count() {
        return count.get();
    }

    @Override
    public void close() {
        gate.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body;
            try (InputStream in = exchange.getRequestBody()) {
                body = in.readAllBytes();
            }
            Map<String, String> headers = new HashMap<>();
            exchange.getRequestHeaders()
                    .forEach((name, values) -> headers.put(
                            name.toLowerCase(Locale.ROOT), values.isEmpty() ? "" : String.join(",", values)));
            count.incrementAndGet();
            if (holdNext) {
                holdNext = false;
                held.countDown();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
            }
            Integer status = script.poll();
            int answered = status == null ? 200 : status;
            received.add(new Received(
                    exchange.getRequestMethod(), exchange.getRequestURI().toString(), headers, body, answered));
            exchange.sendResponseHeaders(answered, -1);
        }
    }

    /** One request as it arrived, and the status it was answered with. */
    public static final class Received {
        private final String method;
        private final String target;
        private final Map<String, String> headers;
        private final byte[] body;
        private final int answered;

        Received(String method, String target, Map<String, String> headers, byte[] body, int answered) {
            this.method = requireNonNull(method, "method");
            this.target = requireNonNull(target, "target");
            this.headers = Map.copyOf(headers);
            this.body = body.clone();
            this.answered = answered;
        }

        /** The HTTP method. */
        public String method() {
            return method;
        }

        /** The path and query. */
        public String target() {
            return target;
        }

        /** The headers, names in lower case. */
        public Map<String, String> headers() {
            return headers;
        }

        /** The body's bytes as received. */
        public byte[] body() {
            return body.clone();
        }

        /** The status it was answered with. */
        public int answered() {
            return answered;
        }

        /** A header by its name in lower case, or null. */
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }

        /** The body as UTF-8 text. */
        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        /**
         * Whether one of the {@code v1} signatures of {@code webhook-signature} is the HMAC-SHA256, keyed with the
         * {@code whsec_} secret, of {@code webhook-id.webhook-timestamp.body}, compared in constant time.
         */
        public boolean verify(String secret) {
            String id = header("webhook-id");
            String timestamp = header("webhook-timestamp");
            String signatures = header("webhook-signature");
            if (id == null || timestamp == null || signatures == null || !secret.startsWith("whsec_")) {
                return false;
            }
            byte[] expected;
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring(6)), "HmacSHA256"));
                expected = mac.doFinal((id + "." + timestamp + "." + text()).getBytes(StandardCharsets.UTF_8));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException(e);
            }
            for (String signature : List.of(signatures.split(" "))) {
                if (signature.startsWith("v1,")
                        && MessageDigest.isEqual(expected, Base64.getDecoder().decode(signature.substring(3)))) {
                    return true;
                }
            }
            return false;
        }
    }
}
