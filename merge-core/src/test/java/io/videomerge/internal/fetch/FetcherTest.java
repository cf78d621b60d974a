package io.videomerge.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("Fetcher")
@Timeout(value = 60, unit = TimeUnit.SECONDS) // a hang guard, not a speed assertion
class FetcherTest {
    private static final int CAP = 64 * 1024;
    private static final Pattern IPV4_TEXT = Pattern.compile("\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    /** Test host names, mapped without DNS. */
    private static final HostLookup TEST_HOSTS = host -> {
        Map<String, List<String>> names = Map.of(
                "media.test", List.of("127.0.0.1"),
                "media6.test", List.of("::1"),
                "private.test", List.of("10.1.2.3"),
                "metadata.test", List.of("169.254.169.254"),
                "mixed.test", List.of("127.0.0.1", "10.0.0.1"),
                "ula.test", List.of("fd00::1"),
                "internal.test", List.of("127.0.0.2"),
                "xn--bcher-kva.example", List.of("127.0.0.1"),
                "xn--caf-dma.example", List.of("10.1.2.3"));
        List<String> addresses = names.get(host);
        if (addresses == null) {
            throw new UnknownHostException(host);
        }
        InetAddress[] out = new InetAddress[addresses.size()];
        for (int i = 0; i < out.length; i++) {
            String text = addresses.get(i);
            out[i] = InetAddress.getByAddress(
                    host,
                    IpLiterals.parseCanonicalIpv4(text)
                            .or(() -> IpLiterals.parseIpv6(text))
                            .orElseThrow());
        }
        return out;
    };

    @TempDir
    Path jobDir;

    private final CountDownLatch release = new CountDownLatch(1);

    @AfterEach
    void releaseStalledHandlers() {
        release.countDown();
    }

    private static Limits loopbackAllowed() {
        return Limits.builder()
                .allowLoopbackUrls(true)
                .maxBytesPerFile(CAP)
                .maxBytesPerJob(16L * CAP)
                .readTimeout(Duration.ofSeconds(20))
                .downloadTimeout(Duration.ofSeconds(40))
                .build();
    }

    private static Limits loopbackForbidden() {
        return loopbackAllowed().toBuilder().allowLoopbackUrls(false).build();
    }

    private static Fetcher fetcher(Limits limits) {
        return new Fetcher(limits, TEST_HOSTS, AddressPolicy.of(limits));
    }

    private ByteBudget budget() {
        return new ByteBudget(16L * CAP);
    }

    private static byte[] randomBytes(int n) {
        byte[] out = new byte[n];
        new Random(n).nextBytes(out);
        return out;
    }

    private FetchException refused(ErrorCode code, int index, Executable call) {
        FetchException e = assertThrows(FetchException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(OptionalInt.of(index), e.inputIndex());
        assertFalse(IPV4_TEXT.matcher(e.getMessage()).find(), "no address in: " + e.getMessage());
        assertFalse(e.getMessage().contains("::"), "no address in: " + e.getMessage());
        assertFalse(e.getMessage().contains(jobDir.toString()), "no path in: " + e.getMessage());
        return e;
    }

    private FetchException fetchRefused(Limits limits, URI url, ErrorCode code, int index) {
        try (Fetcher fetcher = fetcher(limits)) {
            FetchException e = refused(code, index, () -> fetcher.fetch(url, index, jobDir, budget()));
            assertJobDirEmpty();
            return e;
        }
    }

    private void assertJobDirEmpty() {
        assertEquals(List.of(), filesInJobDir());
    }

    private List<String> filesInJobDir() {
        try (Stream<Path> files = Files.list(jobDir)) {
            return files.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void awaitRelease() {
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Nested
    @DisplayName("when the download is allowed")
    class Downloads {
        @Test
        @DisplayName("a file is saved byte for byte as clip-N, with our User-Agent and no Accept-Encoding")
        void savesTheBodyExactly() throws IOException {
            byte[] body = randomBytes(50_000);
            ByteBudget budget = budget();
            try (LocalServer server = LocalServer.on("127.0.0.1").serve("/clip.mp4", body);
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                Path saved = fetcher.fetch(server.uri("/clip.mp4"), 3, jobDir, budget);

                assertEquals(jobDir.resolve("clip-3"), saved);
                assertArrayEquals(body, Files.readAllBytes(saved));
                assertEquals(body.length, budget.used());
                var headers = server.requests().get(0);
                assertTrue(headers.getFirst("User-Agent").startsWith("videomerge/"), headers.getFirst("User-Agent"));
                assertFalse(headers.containsKey("Accept-Encoding"), "Accept-Encoding sent");
            }
        }

        @Test
        @DisplayName("a host name resolved by the injected resolver and redirects within the limit are followed")
        void followsCheckedRedirects() throws IOException {
            byte[] body = randomBytes(10_000);
            try (LocalServer server = LocalServer.on("127.0.0.1");
                    Fetcher fetcher = fetcher(
                            loopbackAllowed().toBuilder().maxRedirects(2).build())) {
                server.redirect("/a", 302, "/b")
                        .redirect("/b", 307, "http://media.test:" + server.port() + "/c")
                        .serve("/c", body);

                Path saved =
                        fetcher.fetch(URI.create("http://media.test:" + server.port() + "/a"), 0, jobDir, budget());

                assertArrayEquals(body, Files.readAllBytes(saved));
                assertEquals(3, server.requests().size());
            }
        }

        @Test
        @DisplayName("IPv6 loopback, as a literal or behind a name, is fetched when loopback is allowed")
        void fetchesOverIpv6Loopback() throws IOException {
            byte[] body = randomBytes(5_000);
            try (LocalServer server = LocalServer.on("::1").serve("/clip", body);
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                assertArrayEquals(body, Files.readAllBytes(fetcher.fetch(server.uri("/clip"), 0, jobDir, budget())));
                URI named = URI.create("http://media6.test:" + server.port() + "/clip");
                assertArrayEquals(body, Files.readAllBytes(fetcher.fetch(named, 1, jobDir, budget())));
            }
        }

        @Test
        @DisplayName("a Content-Length smaller than the body bounds what is written")
        void understatedContentLengthBoundsTheFile() throws IOException {
            try (RawServer server = new RawServer(out -> {
                        out.write(
                                RawServer.ascii("HTTP/1.1 200 OK\r\nContent-Length: 100\r\nConnection: close\r\n\r\n"));
                        byte[] chunk = new byte[8192];
                        for (int i = 0; i < 128; i++) {
                            out.write(chunk);
                        }
                    });
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                Path saved = fetcher.fetch(server.uri("/"), 0, jobDir, budget());

                assertEquals(100, Files.size(saved));
            }
        }
    }

    @Nested
    @DisplayName("refuses schemes other than http and https")
    class Schemes {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "file:///etc/passwd",
                    "ftp://example.com/a.mp4",
                    "gopher://example.com/_x",
                    "data:video/mp4;base64,AAAA",
                    "jar:file:///tmp/x.jar!/a.mp4",
                    "concat:a.mp4%7Cb.mp4",
                    "/relative.mp4"
                })
        @DisplayName("at submit and at fetch, with UNSUPPORTED_SCHEME")
        void refusesScheme(String url) {
            refused(ErrorCode.UNSUPPORTED_SCHEME, 4, () -> Fetcher.checkUrl(URI.create(url), 4, loopbackAllowed()));
            fetchRefused(loopbackAllowed(), URI.create(url), ErrorCode.UNSUPPORTED_SCHEME, 4);
        }
    }

    @Nested
    @DisplayName("refuses loopback unless configured")
    class Loopback {
        @ParameterizedTest
        @ValueSource(strings = {"127.0.0.1", "[::1]"})
        @DisplayName("a loopback literal is URL_FORBIDDEN at submit and at fetch, and nothing is requested")
        void refusesLoopbackLiteral(String host) {
            try (LocalServer server = LocalServer.on("127.0.0.1").serve("/", new byte[10])) {
                URI url = URI.create("http://" + host + ":" + server.port() + "/");
                refused(ErrorCode.URL_FORBIDDEN, 1, () -> Fetcher.checkUrl(url, 1, loopbackForbidden()));
                fetchRefused(loopbackForbidden(), url, ErrorCode.URL_FORBIDDEN, 1);
                assertEquals(0, server.requests().size());
            }
        }

        @Test
        @DisplayName("localhost, resolved by the system resolver, is URL_FORBIDDEN")
        void refusesLocalhostName() {
            try (LocalServer server = LocalServer.on("127.0.0.1").serve("/", new byte[10]);
                    Fetcher fetcher = new Fetcher(loopbackForbidden())) {
                URI url = URI.create("http://localhost:" + server.port() + "/");
                refused(ErrorCode.URL_FORBIDDEN, 2, () -> fetcher.fetch(url, 2, jobDir, budget()));
                assertJobDirEmpty();
                assertEquals(0, server.requests().size());
            }
        }
    }

    @Nested
    @DisplayName("refuses private, link-local and other internal addresses even with loopback allowed")
    class InternalAddresses {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "10.0.0.1",
                    "172.16.0.1",
                    "172.31.255.255",
                    "192.168.1.1",
                    "100.64.0.1",
                    "169.254.169.254",
                    "0.0.0.0",
                    "224.0.0.1",
                    "255.255.255.255",
                    "198.18.0.1",
                    "192.0.2.1"
                })
        @DisplayName("an IPv4 literal in a forbidden range")
        void refusesIpv4Literal(String host) {
            URI url = URI.create("http://" + host + "/latest/meta-data/");
            for (Limits limits : List.of(loopbackForbidden(), loopbackAllowed())) {
                refused(ErrorCode.URL_FORBIDDEN, 0, () -> Fetcher.checkUrl(url, 0, limits));
                fetchRefused(limits, url, ErrorCode.URL_FORBIDDEN, 0);
            }
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "::ffff:127.0.0.1",
                    "::ffff:7f00:1",
                    "::ffff:10.0.0.1",
                    "::127.0.0.1",
                    "::",
                    "64:ff9b::a00:1",
                    "64:ff9b:1::1",
                    "fc00::1",
                    "fd12:3456::1",
                    "fe80::1",
                    "fec0::1",
                    "ff02::1",
                    "2002:7f00:1::",
                    "2001::1",
                    "2001:db8::1",
                    "fe80::1%25eth0"
                })
        @DisplayName("an IPv6 literal in a forbidden range, mapped and translated forms included")
        void refusesIpv6Literal(String host) {
            URI url = URI.create("http://[" + host + "]/");
            for (Limits limits : List.of(loopbackForbidden(), loopbackAllowed())) {
                refused(ErrorCode.URL_FORBIDDEN, 0, () -> Fetcher.checkUrl(url, 0, limits));
                fetchRefused(limits, url, ErrorCode.URL_FORBIDDEN, 0);
            }
        }

        @ParameterizedTest
        @ValueSource(strings = {"private.test", "metadata.test", "ula.test", "mixed.test"})
        @DisplayName("a host name with any address in a forbidden range")
        void refusesHostResolvingInside(String host) {
            fetchRefused(loopbackAllowed(), URI.create("http://" + host + "/a.mp4"), ErrorCode.URL_FORBIDDEN, 5);
        }

        @Test
        @DisplayName(
                "a name that does not resolve and a name that resolves inside get the same code, message and retry")
        void unresolvableAndInternalNamesLookAlike() {
            FetchException unknown = fetchRefused(
                    loopbackAllowed(), URI.create("http://nowhere.test/a.mp4"), ErrorCode.URL_FORBIDDEN, 5);
            assertEquals("Input 5: the URL's host cannot be fetched", unknown.getMessage());
            for (String host : List.of("private.test", "metadata.test", "ula.test", "mixed.test")) {
                FetchException inside = fetchRefused(
                        loopbackAllowed(), URI.create("http://" + host + "/a.mp4"), ErrorCode.URL_FORBIDDEN, 5);
                assertSameRefusal(unknown, inside);
            }
        }

        @Test
        @DisplayName("so do a redirect to a name that does not resolve and a redirect to a name that resolves inside")
        void redirectsToUnresolvableAndInternalNamesLookAlike() {
            try (LocalServer server = LocalServer.on("127.0.0.1")
                    .redirect("/unknown", 302, "http://nowhere.test/a.mp4")
                    .redirect("/inside", 302, "http://private.test/a.mp4")) {
                assertSameRefusal(
                        fetchRefused(loopbackAllowed(), server.uri("/unknown"), ErrorCode.URL_FORBIDDEN, 2),
                        fetchRefused(loopbackAllowed(), server.uri("/inside"), ErrorCode.URL_FORBIDDEN, 2));
            }
        }

        @Test
        @DisplayName("so do, with the system resolver, a reserved name that never resolves and localhost")
        void systemResolverRefusalsLookAlike() {
            try (Fetcher fetcher = new Fetcher(loopbackForbidden())) {
                FetchException unknown = refused(
                        ErrorCode.URL_FORBIDDEN,
                        0,
                        () -> fetcher.fetch(URI.create("http://nowhere.invalid/a.mp4"), 0, jobDir, budget()));
                FetchException loopback = refused(
                        ErrorCode.URL_FORBIDDEN,
                        0,
                        () -> fetcher.fetch(URI.create("http://localhost/a.mp4"), 0, jobDir, budget()));
                assertSameRefusal(unknown, loopback);
            }
        }

        private void assertSameRefusal(FetchException first, FetchException second) {
            assertEquals(first.code(), second.code());
            assertEquals(first.getMessage(), second.getMessage());
            assertEquals(first.isRetryable(), second.isRetryable());
            assertEquals(first.inputIndex(), second.inputIndex());
            for (FetchException e : List.of(first, second)) {
                assertFalse(e.getMessage().toLowerCase(Locale.ROOT).contains("resolv"), e.getMessage());
                for (String address : List.of("10.1.2.3", "169.254.169.254", "fd00", "127.0.0.1", "10.0.0.1")) {
                    assertFalse(e.getMessage().contains(address), e.getMessage());
                }
            }
        }
    }

    @Nested
    @DisplayName("refuses hosts spelt in ways parsers disagree on")
    class Spellings {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "0177.0.0.1",
                    "0x7f.0.0.1",
                    "2130706433",
                    "127.1",
                    "0x7f000001",
                    "017700000001",
                    "127.0.0.01",
                    "127.0.0.1.",
                    "1.2.3.4.5",
                    "127.000.000.001",
                    "example.123"
                })
        @DisplayName("a non-canonical numeric host, even where it would mean an allowed address")
        void refusesNonCanonicalNumericHost(String host) {
            URI url = URI.create("http://" + host + "/");
            refused(ErrorCode.URL_FORBIDDEN, 6, () -> Fetcher.checkUrl(url, 6, loopbackAllowed()));
            fetchRefused(loopbackAllowed(), url, ErrorCode.URL_FORBIDDEN, 6);
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "http://user:secret@127.0.0.1/",
                    "http://media.test@127.0.0.1/",
                    "http://user@media.test/",
                    "http://a_b.test/",
                    "http://ex%61mple.com/",
                    "http://b\u00fccher.example/",
                    "http:opaque"
                })
        @DisplayName("user-info, a host java.net.URI cannot read, or no host")
        void refusesUserInfoAndUnreadableHosts(String url) {
            refused(ErrorCode.URL_FORBIDDEN, 0, () -> Fetcher.checkUrl(URI.create(url), 0, loopbackAllowed()));
            fetchRefused(loopbackAllowed(), URI.create(url), ErrorCode.URL_FORBIDDEN, 0);
        }

        @Test
        @DisplayName("a URL longer than the cap")
        void refusesOverlongUrl() {
            URI url = URI.create("http://media.test/" + "a".repeat(UrlRules.MAX_URL_LENGTH));
            refused(ErrorCode.URL_FORBIDDEN, 0, () -> Fetcher.checkUrl(url, 0, loopbackAllowed()));
        }

        @Test
        @DisplayName("a public host name and a public dotted quad pass the submit check")
        void acceptsPlainUrls() {
            Fetcher.checkUrl(URI.create("https://cdn.example.com/v/clip.mp4?sig=x#t=1"), 0, Limits.defaults());
            Fetcher.checkUrl(URI.create("http://93.184.216.34:8080/clip.mp4"), 0, Limits.defaults());
            Fetcher.checkUrl(URI.create("https://[2606:4700:4700::1111]/clip.mp4"), 0, Limits.defaults());
            assertEquals(
                    "cdn.example.com", URI.create("https://cdn.example.com/").getHost());
        }
    }

    @Nested
    @DisplayName("fetches internationalised host names in their ASCII (punycode) form")
    class InternationalNames {
        private final List<String> asked = new CopyOnWriteArrayList<>();
        private final HostLookup recording = host -> {
            asked.add(host);
            return TEST_HOSTS.lookup(host);
        };

        private Fetcher recordingFetcher(Limits limits) {
            return new Fetcher(limits, recording, AddressPolicy.of(limits));
        }

        @Test
        @DisplayName("a punycode name passes submit, is resolved and sent in Host as written, and is downloaded")
        void fetchesPunycodeName() throws IOException {
            byte[] body = randomBytes(20_000);
            try (LocalServer server = LocalServer.on("127.0.0.1").serve("/clip.mp4", body);
                    Fetcher fetcher = recordingFetcher(loopbackAllowed())) {
                URI url = URI.create("http://xn--bcher-kva.example:" + server.port() + "/clip.mp4");
                Fetcher.checkUrl(url, 0, loopbackAllowed());

                Path saved = fetcher.fetch(url, 0, jobDir, budget());

                assertArrayEquals(body, Files.readAllBytes(saved));
                assertEquals(List.of("xn--bcher-kva.example"), asked);
                assertEquals(
                        "xn--bcher-kva.example:" + server.port(),
                        server.requests().get(0).getFirst("Host"));
            }
        }

        @Test
        @DisplayName("a punycode name whose address is forbidden is refused after the same checks as any name")
        void refusesPunycodeNameResolvingInside() {
            try (LocalServer server = LocalServer.on("127.0.0.1").serve("/clip.mp4", new byte[10])) {
                try (Fetcher fetcher = recordingFetcher(loopbackForbidden())) {
                    URI loopback = URI.create("http://xn--bcher-kva.example:" + server.port() + "/clip.mp4");
                    refused(ErrorCode.URL_FORBIDDEN, 0, () -> fetcher.fetch(loopback, 0, jobDir, budget()));
                }
                try (Fetcher fetcher = recordingFetcher(loopbackAllowed())) {
                    URI internal = URI.create("http://xn--caf-dma.example/clip.mp4");
                    refused(ErrorCode.URL_FORBIDDEN, 1, () -> fetcher.fetch(internal, 1, jobDir, budget()));
                }
                // Refused for their addresses, not because a Unicode spelling failed to resolve.
                assertEquals(List.of("xn--bcher-kva.example", "xn--caf-dma.example"), asked);
                assertEquals(0, server.requests().size());
                assertJobDirEmpty();
            }
        }

        @Test
        @DisplayName("the resolver looks up the ASCII form of the Unicode name HttpClient hands it")
        void resolverEncodesUnicodeNames() throws UnknownHostException {
            CheckingDnsResolver resolver = new CheckingDnsResolver(recording, AddressPolicy.of(loopbackAllowed()));

            InetAddress[] addresses = resolver.resolve("b\u00fccher.example");

            assertEquals("127.0.0.1", addresses[0].getHostAddress());
            assertEquals(List.of("xn--bcher-kva.example"), asked);
            assertThrows(ForbiddenAddressException.class, () -> resolver.resolve("caf\u00e9.example"));
        }
    }

    @Nested
    @DisplayName("refuses ports outside 1 to 65535 as a malformed request")
    class Ports {
        @ParameterizedTest
        @ValueSource(
                strings = {
                    "http://example.com:65536/a.mp4",
                    "http://example.com:99999999999/a.mp4",
                    "http://example.com:0/a.mp4",
                    "http://example.com:0000065536/a.mp4",
                    "http://93.184.216.34:70000/a.mp4",
                    "http://[2606:4700:4700::1111]:65536/a.mp4",
                    "http://example.com:-1/a.mp4",
                    "http://example.com:+80/a.mp4",
                    "http://example.com:8a/a.mp4"
                })
        @DisplayName("at submit and at fetch, with INVALID_REQUEST naming the input")
        void refusesPort(String url) {
            FetchException e = refused(
                    ErrorCode.INVALID_REQUEST, 1, () -> Fetcher.checkUrl(URI.create(url), 1, Limits.defaults()));
            assertEquals("Input 1: the URL's port is not a number from 1 to 65535", e.getMessage());
            fetchRefused(loopbackAllowed(), URI.create(url), ErrorCode.INVALID_REQUEST, 1);
        }

        @Test
        @DisplayName("ports 1 and 65535, a port with leading zeros and an empty port (the default) pass")
        void acceptsPortsInRange() {
            for (String url : List.of(
                    "http://example.com:1/a.mp4",
                    "https://example.com:65535/a.mp4",
                    "http://example.com:00000008080/a.mp4",
                    "http://example.com:/a.mp4",
                    "http://[2606:4700:4700::1111]:443/a.mp4")) {
                Fetcher.checkUrl(URI.create(url), 0, Limits.defaults());
            }
        }

        @Test
        @DisplayName("a redirect to a port over 65535 is a permanent DOWNLOAD_FAILED, not a malformed request")
        void refusesRedirectToBadPort() {
            try (LocalServer server = LocalServer.on("127.0.0.1").redirect("/", 302, "http://media.test:65536/a.mp4")) {
                FetchException e = fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.DOWNLOAD_FAILED, 2);
                assertFalse(e.isRetryable());
                assertEquals("Input 2: the server redirected to an invalid URL", e.getMessage());
            }
        }

        @Test
        @DisplayName(
                "a URL the HTTP client will not take becomes a permanent DOWNLOAD_FAILED, never an unchecked error")
        void clientRefusalIsAFetchException() {
            FetchException e = refused(
                    ErrorCode.DOWNLOAD_FAILED, 3, () -> Fetcher.newRequest(URI.create("http://example.com:65536/"), 3));
            assertFalse(e.isRetryable());
            assertEquals("Input 3: the URL cannot be requested", e.getMessage());
        }
    }

    @Nested
    @DisplayName("checks every redirect hop")
    class Redirects {
        @Test
        @DisplayName("a redirect from an allowed server to another loopback address is URL_FORBIDDEN")
        void refusesRedirectToLoopback() throws IOException {
            Limits limits = loopbackForbidden();
            AddressPolicy onlyFirstServer =
                    AddressPolicy.of(limits).allowingExactly(InetAddress.getByName("127.0.0.1"));
            try (LocalServer target = LocalServer.on("127.0.0.2").serve("/secret", new byte[10]);
                    LocalServer first = LocalServer.on("127.0.0.1");
                    Fetcher fetcher = new Fetcher(limits, TEST_HOSTS, onlyFirstServer)) {
                first.serve("/ok", new byte[10])
                        .redirect("/literal", 302, target.uri("/secret").toString())
                        .redirect("/named", 301, "http://internal.test:" + target.port() + "/secret");
                // The first server itself is reachable: the refusals below are the hop's.
                assertEquals(10, Files.size(fetcher.fetch(first.uri("/ok"), 0, jobDir, budget())));
                Files.delete(jobDir.resolve("clip-0"));

                refused(ErrorCode.URL_FORBIDDEN, 1, () -> fetcher.fetch(first.uri("/literal"), 1, jobDir, budget()));
                refused(ErrorCode.URL_FORBIDDEN, 2, () -> fetcher.fetch(first.uri("/named"), 2, jobDir, budget()));

                assertJobDirEmpty();
                assertEquals(0, target.requests().size());
            }
        }

        @ParameterizedTest
        @ValueSource(
                strings = {
                    "http://169.254.169.254/latest/meta-data/",
                    "http://10.0.0.1/",
                    "http://metadata.test/",
                    "http://private.test/",
                    "http://[::ffff:10.0.0.1]/",
                    "http://[fd00::1]/",
                    "http://0x7f.0.0.1/"
                })
        @DisplayName("a redirect to a private or metadata address is URL_FORBIDDEN with loopback allowed")
        void refusesRedirectToInternalAddress(String location) {
            try (LocalServer server = LocalServer.on("127.0.0.1").redirect("/", 302, location)) {
                fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.URL_FORBIDDEN, 3);
            }
        }

        @Test
        @DisplayName("a redirect to a file URL is UNSUPPORTED_SCHEME")
        void refusesRedirectToFile() {
            try (LocalServer server = LocalServer.on("127.0.0.1").redirect("/", 308, "file:///etc/passwd")) {
                fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.UNSUPPORTED_SCHEME, 0);
            }
        }

        @Test
        @DisplayName("more redirects than the limit fail for good with DOWNLOAD_FAILED")
        void refusesTooManyRedirects() {
            try (LocalServer server = LocalServer.on("127.0.0.1")) {
                server.handle("/loop", exchange -> {
                    exchange.getResponseHeaders().add("Location", "/loop");
                    exchange.sendResponseHeaders(302, -1);
                });
                FetchException e = fetchRefused(
                        loopbackAllowed().toBuilder().maxRedirects(2).build(),
                        server.uri("/loop"),
                        ErrorCode.DOWNLOAD_FAILED,
                        0);
                assertFalse(e.isRetryable());
                assertEquals(3, server.requests().size());
            }
        }
    }

    @Nested
    @DisplayName("reports HTTP and network failures")
    class Failures {
        @Test
        @DisplayName("HTTP 404 is a permanent DOWNLOAD_FAILED")
        void notFoundIsPermanent() {
            try (LocalServer server = LocalServer.on("127.0.0.1").status("/", 404)) {
                assertFalse(fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.DOWNLOAD_FAILED, 0)
                        .isRetryable());
            }
        }

        @ParameterizedTest
        @ValueSource(ints = {503, 500, 429})
        @DisplayName("HTTP 5xx and 429 are retryable DOWNLOAD_FAILED")
        void serverTroubleIsRetryable(int status) {
            try (LocalServer server = LocalServer.on("127.0.0.1").status("/", status)) {
                assertTrue(fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.DOWNLOAD_FAILED, 0)
                        .isRetryable());
            }
        }

        @Test
        @DisplayName("a refused connection is a retryable DOWNLOAD_FAILED")
        void refusedConnectionIsRetryable() throws IOException {
            int port;
            try (ServerSocket closed = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                port = closed.getLocalPort();
            }
            FetchException e = fetchRefused(
                    loopbackAllowed(), URI.create("http://127.0.0.1:" + port + "/"), ErrorCode.DOWNLOAD_FAILED, 0);
            assertTrue(e.isRetryable());
        }

        @Test
        @DisplayName("an endless response header is a permanent DOWNLOAD_FAILED, not a memory sink")
        void endlessHeaderFails() throws IOException {
            try (RawServer server = new RawServer(out -> {
                out.write(RawServer.ascii("HTTP/1.1 200 OK\r\nX-Filler: "));
                byte[] filler = RawServer.ascii("a".repeat(4096));
                while (true) {
                    out.write(filler);
                }
            })) {
                assertFalse(fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.DOWNLOAD_FAILED, 0)
                        .isRetryable());
            }
        }

        @Test
        @DisplayName(
                "a write refused for lack of space is a retryable STORAGE_FULL naming the input, not a failed download")
        void fullDiskIsStorageFull() throws IOException {
            Path full = Path.of("/dev/full");
            assertTrue(
                    Files.isWritable(full),
                    "this test needs Linux's /dev/full (a device that refuses every write with ENOSPC)");
            // clip-2 of the job folder leads to /dev/full, where the kernel refuses every write with ENOSPC, as a
            // full disk does; no privilege needed.
            Files.createSymbolicLink(jobDir.resolve("clip-2"), full);
            ByteBudget budget = budget();
            try (LocalServer server = LocalServer.on("127.0.0.1").serve("/clip.mp4", randomBytes(50_000));
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                MergeException e = assertThrows(
                        MergeException.class, () -> fetcher.fetch(server.uri("/clip.mp4"), 2, jobDir, budget));

                assertEquals(ErrorCode.STORAGE_FULL, e.code(), e.getMessage());
                assertTrue(e.isRetryable());
                assertEquals(OptionalInt.of(2), e.inputIndex());
                assertTrue(e.getMessage().startsWith("Input 2 "), e.getMessage());
                assertFalse(e.getMessage().contains(jobDir.toString()), "no path in: " + e.getMessage());
                assertJobDirEmpty();
                assertEquals(0, budget.used());
                assertTrue(Files.isWritable(full), "the device itself is left alone");
            }
        }

        @Test
        @DisplayName("a body that ends before its Content-Length is a retryable DOWNLOAD_FAILED")
        void truncatedBodyFails() throws IOException {
            try (RawServer server = new RawServer(out -> {
                out.write(RawServer.ascii("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n"));
                out.write(new byte[200]);
            })) {
                assertTrue(fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.DOWNLOAD_FAILED, 0)
                        .isRetryable());
            }
        }
    }

    @Nested
    @DisplayName("caps bytes on what is written")
    class Bytes {
        @Test
        @DisplayName("a Content-Length above the cap is INPUT_TOO_LARGE before the body is read")
        void refusesDeclaredOversize() throws IOException {
            try (RawServer server = new RawServer(out -> {
                out.write(RawServer.ascii("HTTP/1.1 200 OK\r\nContent-Length: 10737418240\r\n\r\n"));
                out.write(new byte[1000]);
            })) {
                fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.INPUT_TOO_LARGE, 0);
            }
        }

        @Test
        @DisplayName("an endless chunked body stops at the cap with INPUT_TOO_LARGE")
        void stopsEndlessChunkedBody() {
            ByteBudget budget = budget();
            try (LocalServer server = LocalServer.on("127.0.0.1");
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                server.handle("/", exchange -> {
                    exchange.sendResponseHeaders(200, 0);
                    byte[] chunk = new byte[4096];
                    while (true) {
                        LocalServer.send(exchange, chunk); // throws once the client hangs up
                    }
                });
                refused(ErrorCode.INPUT_TOO_LARGE, 0, () -> fetcher.fetch(server.uri("/"), 0, jobDir, budget));
                assertJobDirEmpty();
                assertEquals(0, budget.used());
            }
        }

        @Test
        @DisplayName("an endless close-delimited body without Content-Length stops at the cap")
        void stopsEndlessUndelimitedBody() throws IOException {
            try (RawServer server = new RawServer(out -> {
                out.write(RawServer.ascii("HTTP/1.1 200 OK\r\nConnection: close\r\n\r\n"));
                byte[] chunk = new byte[4096];
                while (true) {
                    out.write(chunk);
                }
            })) {
                fetchRefused(loopbackAllowed(), server.uri("/"), ErrorCode.INPUT_TOO_LARGE, 0);
            }
        }

        @Test
        @DisplayName("the job's budget refuses the input that would exceed it, declared or streamed")
        void enforcesJobBudget() throws IOException {
            byte[] body = randomBytes(60_000);
            ByteBudget budget = new ByteBudget(100_000);
            try (LocalServer server = LocalServer.on("127.0.0.1");
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                server.serve("/sized", body).handle("/chunked", exchange -> {
                    exchange.sendResponseHeaders(200, 0);
                    LocalServer.send(exchange, body);
                });
                fetcher.fetch(server.uri("/sized"), 0, jobDir, budget);

                refused(ErrorCode.INPUT_TOO_LARGE, 1, () -> fetcher.fetch(server.uri("/sized"), 1, jobDir, budget));
                refused(ErrorCode.INPUT_TOO_LARGE, 2, () -> fetcher.fetch(server.uri("/chunked"), 2, jobDir, budget));

                assertEquals(List.of("clip-0"), filesInJobDir());
                assertEquals(body.length, budget.used());
            }
        }
    }

    @Nested
    @DisplayName("pools a connection only after a clean response")
    class Connections {
        /** How long a connection that should be closed may take to be seen closed: a hang guard. */
        private static final Duration HANG_UP = Duration.ofSeconds(10);

        private static byte[] response(String head, byte[]... parts) throws IOException {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.write(RawServer.ascii(head));
            for (byte[] part : parts) {
                out.write(part);
            }
            return out.toByteArray();
        }

        private static RawServer.Script sized(byte[] body) throws IOException {
            byte[] whole = response("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\n\r\n", body);
            return out -> out.write(whole);
        }

        @Test
        @DisplayName("after a body longer than its Content-Length, the declared bytes are saved and the next download"
                + " gets its own bytes over a new connection")
        void overlongBodyClosesTheConnection() throws IOException, InterruptedException {
            byte[] declared = randomBytes(10);
            byte[] clip = randomBytes(5_000);
            // One write, so the surplus is on the client's side of the socket when the body ends.
            byte[] overlong = response(
                    "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", declared, RawServer.ascii("X".repeat(30)));
            try (RawServer server = RawServer.keepingAlive(out -> out.write(overlong), sized(clip));
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                Path first = fetcher.fetch(server.uri("/first"), 0, jobDir, budget());
                // Closed when the response ended, not kept in the pool until the next lease finds it spoilt.
                assertTrue(server.awaitHangUp(1, HANG_UP), "the connection of the overlong response stayed open");
                Path second = fetcher.fetch(server.uri("/second"), 1, jobDir, budget());

                assertArrayEquals(declared, Files.readAllBytes(first));
                assertArrayEquals(clip, Files.readAllBytes(second));
                assertEquals(List.of(1, 2), server.connectionOfEachRequest());
            }
        }

        @Test
        @DisplayName("bytes that arrive while the connection waits in the pool make the next download use a new one")
        void bytesWhileIdleCloseTheConnection() throws IOException, InterruptedException {
            byte[] first = randomBytes(1_000);
            byte[] clip = randomBytes(5_000);
            byte[] clean = response("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", first);
            CountDownLatch sendSurplus = new CountDownLatch(1);
            CountDownLatch surplusSent = new CountDownLatch(1);
            RawServer.Script lateSurplus = out -> {
                out.write(clean);
                out.flush();
                try {
                    if (sendSurplus.await(30, TimeUnit.SECONDS)) {
                        out.write(RawServer.ascii("X".repeat(30)));
                        out.flush();
                        surplusSent.countDown();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            try (RawServer server = RawServer.keepingAlive(lateSurplus, sized(clip));
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                assertArrayEquals(first, Files.readAllBytes(fetcher.fetch(server.uri("/a"), 0, jobDir, budget())));
                sendSurplus.countDown();
                assertTrue(surplusSent.await(30, TimeUnit.SECONDS), "the server never sent the surplus");

                assertArrayEquals(clip, Files.readAllBytes(fetcher.fetch(server.uri("/b"), 1, jobDir, budget())));
                assertEquals(List.of(1, 2), server.connectionOfEachRequest());
            }
        }

        @Test
        @DisplayName("the connection of a clean response, sized or chunked, is reused")
        void cleanResponsesReuseTheConnection() throws IOException {
            byte[] clip = randomBytes(5_000);
            byte[] chunked =
                    RawServer.ascii("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
            try (RawServer server = RawServer.keepingAlive(sized(clip), out -> out.write(chunked), sized(clip));
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                assertArrayEquals(clip, Files.readAllBytes(fetcher.fetch(server.uri("/a"), 0, jobDir, budget())));
                assertEquals("hello", Files.readString(fetcher.fetch(server.uri("/b"), 1, jobDir, budget())));
                assertArrayEquals(clip, Files.readAllBytes(fetcher.fetch(server.uri("/c"), 2, jobDir, budget())));

                assertEquals(List.of(1, 1, 1), server.connectionOfEachRequest());
            }
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"error status", "declared over the cap", "streamed over the cap", "truncated"})
        @DisplayName("a download that failed leaves the next one a new connection")
        void failedDownloadClosesTheConnection(String failure) throws IOException, InterruptedException {
            byte[] clip = randomBytes(5_000);
            Limits limits = loopbackAllowed().toBuilder()
                    .readTimeout(Duration.ofMillis(500))
                    .build();
            RawServer.Script misbehaving;
            ErrorCode expected;
            switch (failure) {
                case "error status" -> {
                    byte[] notFound = RawServer.ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 5\r\n\r\nnope!");
                    misbehaving = out -> out.write(notFound);
                    expected = ErrorCode.DOWNLOAD_FAILED;
                }
                case "declared over the cap" -> {
                    misbehaving = sized(new byte[CAP + 1]);
                    expected = ErrorCode.INPUT_TOO_LARGE;
                }
                case "streamed over the cap" -> {
                    byte[] big = response(
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(CAP + 1)
                                    + "\r\n",
                            new byte[CAP + 1],
                            RawServer.ascii("\r\n0\r\n\r\n"));
                    misbehaving = out -> out.write(big);
                    expected = ErrorCode.INPUT_TOO_LARGE;
                }
                default -> {
                    // 200 of 1000 bytes, and the connection stays open: the read timeout ends the wait.
                    byte[] truncated = response("HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n", new byte[200]);
                    misbehaving = out -> out.write(truncated);
                    expected = ErrorCode.DOWNLOAD_TIMEOUT;
                }
            }
            try (RawServer server = RawServer.keepingAlive(misbehaving, sized(clip));
                    Fetcher fetcher = fetcher(limits)) {
                refused(expected, 0, () -> fetcher.fetch(server.uri("/bad"), 0, jobDir, budget()));
                assertTrue(server.awaitHangUp(1, HANG_UP), "the connection of the failed download stayed open");
                assertArrayEquals(clip, Files.readAllBytes(fetcher.fetch(server.uri("/good"), 1, jobDir, budget())));

                assertEquals(List.of(1, 2), server.connectionOfEachRequest());
            }
        }
    }

    @Nested
    @DisplayName("bounds time")
    class Time {
        @Test
        @DisplayName("a server that stalls past the read timeout is a retryable DOWNLOAD_TIMEOUT")
        void stallPastReadTimeout() {
            Limits limits = loopbackAllowed().toBuilder()
                    .readTimeout(Duration.ofMillis(300))
                    .build();
            try (LocalServer server = LocalServer.on("127.0.0.1").handle("/", exchange -> {
                exchange.sendResponseHeaders(200, 0);
                LocalServer.send(exchange, new byte[1000]);
                awaitRelease();
            })) {
                FetchException e = fetchRefused(limits, server.uri("/"), ErrorCode.DOWNLOAD_TIMEOUT, 0);
                assertTrue(e.isRetryable());
                assertTrue(e.getMessage().contains("read timeout"), e.getMessage());
            }
        }

        @Test
        @DisplayName("a body stalled below the speed floor is a retryable DOWNLOAD_TIMEOUT before the read timeout")
        void stallBelowSpeedFloor() {
            Limits limits = loopbackAllowed().toBuilder()
                    .minDownloadSpeed(64 * 1024, Duration.ofMillis(300))
                    .build();
            try (LocalServer server = LocalServer.on("127.0.0.1").handle("/", exchange -> {
                exchange.sendResponseHeaders(200, 0);
                LocalServer.send(exchange, new byte[1000]);
                awaitRelease();
            })) {
                FetchException e = fetchRefused(limits, server.uri("/"), ErrorCode.DOWNLOAD_TIMEOUT, 4);
                assertTrue(e.isRetryable());
                assertTrue(e.getMessage().startsWith("Input 4: the download averaged "), e.getMessage());
                assertTrue(
                        e.getMessage().endsWith(" B/s over the last 300 ms, below the floor of 65536 B/s"),
                        e.getMessage());
            }
        }

        @Test
        @DisplayName("a server that does not accept within the connect timeout is a retryable DOWNLOAD_TIMEOUT")
        void connectTimeout() throws IOException {
            Limits limits = loopbackAllowed().toBuilder()
                    .connectTimeout(Duration.ofMillis(300))
                    .build();
            List<Socket> fillers = new ArrayList<>();
            // A listener that never accepts, with its backlog full: the kernel drops further SYNs.
            try (ServerSocket listener = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
                InetSocketAddress address = new InetSocketAddress(listener.getInetAddress(), listener.getLocalPort());
                boolean full = false;
                for (int i = 0; i < 16 && !full; i++) {
                    Socket filler = new Socket();
                    fillers.add(filler);
                    try {
                        filler.connect(address, 300);
                    } catch (SocketTimeoutException e) {
                        full = true;
                    }
                }
                assertTrue(full, "the backlog never filled up");
                URI url = URI.create("http://127.0.0.1:" + listener.getLocalPort() + "/");
                FetchException e = fetchRefused(limits, url, ErrorCode.DOWNLOAD_TIMEOUT, 0);
                assertTrue(e.isRetryable());
                assertTrue(e.getMessage().contains("connect timeout"), e.getMessage());
            } finally {
                for (Socket filler : fillers) {
                    filler.close();
                }
            }
        }

        @Test
        @DisplayName("a download still running at the overall deadline is a DOWNLOAD_TIMEOUT")
        void overallDeadline() {
            Limits limits = loopbackAllowed().toBuilder()
                    .downloadTimeout(Duration.ofMillis(500))
                    .build();
            try (LocalServer server = LocalServer.on("127.0.0.1").handle("/", exchange -> {
                exchange.sendResponseHeaders(200, 0);
                LocalServer.send(exchange, new byte[1000]);
                awaitRelease();
            })) {
                FetchException e = fetchRefused(limits, server.uri("/"), ErrorCode.DOWNLOAD_TIMEOUT, 0);
                assertTrue(e.getMessage().contains("overall deadline"), e.getMessage());
            }
        }

        @Test
        @DisplayName("interrupting the caller aborts a stalled download with CANCELLED and keeps the flag")
        void interruptCancels() throws InterruptedException {
            CountDownLatch requested = new CountDownLatch(1);
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            AtomicBoolean flagKept = new AtomicBoolean();
            try (LocalServer server = LocalServer.on("127.0.0.1").handle("/", exchange -> {
                        exchange.sendResponseHeaders(200, 0);
                        LocalServer.send(exchange, new byte[1000]);
                        requested.countDown();
                        awaitRelease();
                    });
                    Fetcher fetcher = fetcher(loopbackAllowed())) {
                Thread worker = new Thread(() -> {
                    try {
                        fetcher.fetch(server.uri("/"), 7, jobDir, budget());
                    } catch (RuntimeException e) {
                        thrown.set(e);
                    }
                    flagKept.set(Thread.currentThread().isInterrupted());
                });
                worker.start();
                assertTrue(requested.await(30, TimeUnit.SECONDS), "the request never arrived");
                worker.interrupt();
                worker.join();

                MergeException e = assertThrows(MergeException.class, () -> {
                    throw thrown.get();
                });
                assertEquals(ErrorCode.CANCELLED, e.code(), e.getMessage());
                assertEquals(OptionalInt.of(7), e.inputIndex());
                assertTrue(flagKept.get());
                assertJobDirEmpty();
            }
        }
    }

    @Test
    @DisplayName("the resolver hands the client only the addresses it checked")
    void resolverReturnsCheckedAddresses() throws UnknownHostException {
        CheckingDnsResolver resolver = new CheckingDnsResolver(TEST_HOSTS, AddressPolicy.of(loopbackAllowed()));
        assertEquals(
                "[127.0.0.1]",
                Arrays.toString(Arrays.stream(resolver.resolve("media.test"))
                        .map(InetAddress::getHostAddress)
                        .toArray()));
        assertThrows(ForbiddenAddressException.class, () -> resolver.resolve("mixed.test"));
        assertThrows(ForbiddenAddressException.class, () -> resolver.resolve("127.1"));
        assertThrows(ForbiddenAddressException.class, () -> resolver.resolve("[::ffff:127.0.0.1]"));
    }
}
