package io.videomerge.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import io.videomerge.Limits;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@DisplayName("CallbackClient")
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a speed assertion
class CallbackClientTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    private static final byte[] BODY = "{\"task_id\":\"t\"}".getBytes(StandardCharsets.UTF_8);
    private static final Map<String, String> HEADERS = Map.of("webhook-id", "msg_t", "webhook-timestamp", "1");

    /** Test host names, resolved without DNS. */
    private static final HostLookup HOSTS = host -> {
        byte[] address = switch (host) {
            case "hooks.test" -> new byte[] {127, 0, 0, 1};
            case "private.test" -> new byte[] {10, 1, 2, 3};
            default -> throw new UnknownHostException(host);
        };
        return new InetAddress[] {InetAddress.getByAddress(host, address)};
    };

    private final LocalServer server = LocalServer.on("127.0.0.1");
    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void stop() {
        release.countDown();
        server.close();
    }

    private static CallbackClient client(boolean loopbackAllowed, Duration timeout) {
        Limits limits = Limits.builder().allowLoopbackUrls(loopbackAllowed).build();
        return new CallbackClient(HOSTS, AddressPolicy.of(limits), 2, timeout, 1024);
    }

    private URI byName(String path) {
        return URI.create("http://hooks.test:" + server.port() + path);
    }

    @Test
    @DisplayName("posts the body as application/json with the given headers, and a 2xx answer delivers it")
    void postsAndDelivers() {
        AtomicReference<byte[]> body = new AtomicReference<>();
        AtomicReference<String> method = new AtomicReference<>();
        server.handle("/hook", exchange -> {
            method.set(exchange.getRequestMethod());
            try (InputStream in = exchange.getRequestBody()) {
                body.set(in.readAllBytes());
            }
            exchange.sendResponseHeaders(204, -1);
        });
        try (CallbackClient client = client(true, TIMEOUT)) {
            CallbackClient.Attempt attempt = client.post(byName("/hook?token=x"), HEADERS, BODY);

            assertTrue(attempt.delivered(), attempt.outcome());
            assertEquals("HTTP 204", attempt.outcome());
        }
        assertEquals("POST", method.get());
        assertEquals(new String(BODY, StandardCharsets.UTF_8), new String(body.get(), StandardCharsets.UTF_8));
        assertEquals("application/json", server.requests().get(0).getFirst("Content-Type"));
        assertEquals("msg_t", server.requests().get(0).getFirst("webhook-id"));
    }

    @Test
    @DisplayName("an answer other than 2xx is a failed attempt, a redirect too, which is not followed")
    void non2xxFailsAndRedirectsAreNotFollowed() {
        server.status("/broken", 500);
        server.redirect("/moved", 302, byName("/target").toString());
        server.status("/target", 200);
        try (CallbackClient client = client(true, TIMEOUT)) {
            CallbackClient.Attempt broken = client.post(byName("/broken"), HEADERS, BODY);
            CallbackClient.Attempt moved = client.post(byName("/moved"), HEADERS, BODY);

            assertFalse(broken.delivered());
            assertEquals("HTTP 500", broken.outcome());
            assertFalse(moved.delivered());
            assertTrue(moved.outcome().startsWith("HTTP 302"), moved.outcome());
        }
        assertEquals(2, server.requests().size(), "the redirect's target was called");
    }

    @Test
    @DisplayName("a host that resolves to a forbidden address is never connected to")
    void forbiddenResolutionIsNeverCalled() {
        server.status("/hook", 200);
        try (CallbackClient client = client(false, TIMEOUT)) {
            CallbackClient.Attempt loopback = client.post(byName("/hook"), HEADERS, BODY);
            CallbackClient.Attempt internal =
                    client.post(URI.create("http://private.test:" + server.port() + "/hook"), HEADERS, BODY);

            assertFalse(loopback.delivered());
            assertEquals("the host resolves to an address that may not be called", loopback.outcome());
            assertFalse(internal.delivered());
            assertEquals("the host resolves to an address that may not be called", internal.outcome());
        }
        assertEquals(0, server.requests().size(), "the receiver on loopback was reached");
    }

    @Test
    @DisplayName("a URL that breaks the URL rules is refused before any connection")
    void urlRulesApplyAtDelivery() {
        try (CallbackClient client = client(false, TIMEOUT)) {
            CallbackClient.Attempt metadata =
                    client.post(URI.create("http://169.254.169.254/latest/meta-data"), HEADERS, BODY);
            CallbackClient.Attempt literal = client.post(server.uri("/hook"), HEADERS, BODY);

            assertFalse(metadata.delivered());
            assertTrue(metadata.outcome().contains("callback_url: the URL points at an address"), metadata.outcome());
            assertFalse(literal.delivered());
        }
        assertEquals(0, server.requests().size());
    }

    @Test
    @DisplayName("a receiver that does not answer within the timeout fails the attempt")
    void silentReceiverTimesOut() {
        server.handle("/slow", exchange -> {
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        try (CallbackClient client = client(true, Duration.ofMillis(300))) {
            CallbackClient.Attempt attempt = client.post(byName("/slow"), HEADERS, BODY);

            assertFalse(attempt.delivered());
            assertTrue(
                    attempt.outcome().equals("timed out") || attempt.outcome().startsWith("no answer within"),
                    attempt.outcome());
        }
    }

    @Test
    @DisplayName("an endless answer is read up to the cap and cut off, its status still counting")
    void endlessAnswerIsCut() {
        server.handle("/endless", exchange -> {
            exchange.sendResponseHeaders(200, 0);
            byte[] chunk = new byte[8192];
            try (OutputStream out = exchange.getResponseBody()) {
                while (release.getCount() > 0) {
                    out.write(chunk);
                }
            } catch (IOException e) {
                // The client cut the answer off, as it should.
            }
        });
        try (CallbackClient client = client(true, TIMEOUT)) {
            CallbackClient.Attempt attempt = client.post(byName("/endless"), HEADERS, BODY);

            assertTrue(attempt.delivered(), attempt.outcome());
        }
    }

    @Test
    @DisplayName("an endless response header fails the attempt at the head limit, not at the timeout")
    void endlessHeaderLineIsRefused() throws IOException {
        byte[] chunk = RawServer.ascii("a".repeat(4096));
        try (RawServer receiver = new RawServer(out -> {
                    out.write(RawServer.ascii("HTTP/1.1 200 OK\r\nX-Endless: "));
                    while (release.getCount() > 0) {
                        out.write(chunk);
                    }
                });
                CallbackClient client = client(true, TIMEOUT)) {
            CallbackClient.Attempt attempt = client.post(receiver.uri("/hook"), HEADERS, BODY);

            assertFalse(attempt.delivered());
            assertFalse(attempt.outcome().startsWith("no answer within"), attempt.outcome());
        }
    }

    @Test
    @DisplayName("an answer longer than its Content-Length closes its connection: the next post gets a new one")
    void overlongAnswerIsNotReused() throws IOException {
        byte[] overlong = RawServer.ascii("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n");
        byte[] clean = RawServer.ascii("HTTP/1.1 204 No Content\r\n\r\n");
        try (RawServer receiver = RawServer.keepingAlive(out -> out.write(overlong), out -> out.write(clean));
                CallbackClient client = client(true, TIMEOUT)) {
            CallbackClient.Attempt first = client.post(receiver.uri("/first"), HEADERS, BODY);
            CallbackClient.Attempt second = client.post(receiver.uri("/second"), HEADERS, BODY);

            assertTrue(first.delivered(), first.outcome());
            assertEquals("HTTP 204", second.outcome());
            assertEquals(List.of(1, 2), receiver.connectionOfEachRequest());
        }
    }

    @Test
    @DisplayName("checkUrl names callback_url and no input, with the inputs' codes")
    void checkUrlNamesTheField() {
        Limits limits = Limits.defaults();
        FetchException forbidden = assertThrows(
                FetchException.class, () -> CallbackClient.checkUrl(URI.create("http://10.0.0.1/hook"), limits));
        FetchException scheme = assertThrows(
                FetchException.class, () -> CallbackClient.checkUrl(URI.create("file:///etc/passwd"), limits));

        assertEquals(ErrorCode.URL_FORBIDDEN, forbidden.code());
        assertTrue(forbidden.getMessage().startsWith("callback_url: "), forbidden.getMessage());
        assertFalse(forbidden.getMessage().contains("10.0.0.1"), "no address in: " + forbidden.getMessage());
        assertEquals(OptionalInt.empty(), forbidden.inputIndex());
        assertEquals(ErrorCode.UNSUPPORTED_SCHEME, scheme.code());
        assertTrue(scheme.getMessage().startsWith("callback_url: "), scheme.getMessage());
        CallbackClient.checkUrl(URI.create("https://hooks.example.com/merge?token=x"), limits);
    }

    @Test
    @DisplayName("describe keeps scheme, host, port and path, and drops user information and query")
    void describeHidesSecrets() {
        assertEquals(
                "https://hooks.example.com:8443/merge/done",
                CallbackClient.describe(URI.create("https://user:pw@hooks.example.com:8443/merge/done?token=s3cret")));
    }
}
