package io.videomerge.upload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.upload.UrlSigner.Verdict;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class UrlSignerTest {
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final Instant NOW = Instant.parse("2030-01-01T12:00:00Z");
    private static final URI FILE = URI.create("https://vm.example.com/files/task-1.mp4");

    private static UrlSigner at(Instant now) {
        return new UrlSigner(SECRET, Clock.fixed(now, ZoneOffset.UTC));
    }

    private static URI withQuery(URI url, String query) {
        String text = url.toString();
        return URI.create(text.substring(0, text.indexOf('?') + 1) + query);
    }

    private static String query(URI url) {
        return url.getRawQuery();
    }

    @Test
    @DisplayName("a signed URL is the URL with ?expires=<epoch seconds>&signature=<43 base64url characters>, "
            + "and it checks as valid until it expires")
    void signsAndVerifies() {
        URI signed = at(NOW).sign(FILE, Duration.ofHours(24));

        assertTrue(signed.toString()
                .startsWith(FILE + "?expires=" + NOW.plus(Duration.ofHours(24)).getEpochSecond() + "&signature="));
        assertTrue(query(signed).matches("expires=[0-9]+&signature=[A-Za-z0-9_-]{43}"), signed.toString());
        assertEquals(Verdict.VALID, at(NOW).verify(signed));
        assertEquals(
                Verdict.VALID,
                at(NOW.plus(Duration.ofHours(24)).minusSeconds(1)).verify(signed));
    }

    @Test
    @DisplayName("a URL checked at or after its expiry is EXPIRED")
    void expired() {
        URI signed = at(NOW).sign(FILE, Duration.ofMinutes(1));

        assertEquals(Verdict.EXPIRED, at(NOW.plusSeconds(60)).verify(signed));
        assertEquals(Verdict.EXPIRED, at(NOW.plus(Duration.ofDays(2))).verify(signed));
        assertEquals(Verdict.EXPIRED, at(NOW).verify(at(NOW).sign(FILE, NOW.minusSeconds(1))));
    }

    @Test
    @DisplayName("another path under the same signature is INVALID")
    void alteredPath() {
        URI signed = at(NOW).sign(FILE, Duration.ofHours(1));
        String query = query(signed);

        assertEquals(Verdict.INVALID, at(NOW).verify("/files/task-2.mp4", query));
        assertEquals(Verdict.INVALID, at(NOW).verify("/files/task-1.mp4/", query));
        assertEquals(Verdict.INVALID, at(NOW).verify("/other/task-1.mp4", query));
        assertEquals(Verdict.VALID, at(NOW).verify("/files/task-1.mp4", query));
    }

    @Test
    @DisplayName("a changed expiry is INVALID, later or earlier, never EXPIRED: a forged URL learns nothing")
    void alteredExpiry() {
        URI signed = at(NOW).sign(FILE, Duration.ofHours(1));
        long expires = NOW.plus(Duration.ofHours(1)).getEpochSecond();
        String signature = query(signed).substring(query(signed).indexOf("&signature="));

        assertEquals(Verdict.INVALID, at(NOW).verify(withQuery(signed, "expires=" + (expires + 3600) + signature)));
        assertEquals(Verdict.INVALID, at(NOW).verify(withQuery(signed, "expires=" + (expires - 7200) + signature)));
        assertEquals(Verdict.INVALID, at(NOW).verify(withQuery(signed, "expires=0" + expires + signature)));
    }

    @Test
    @DisplayName("a changed signature is INVALID")
    void alteredSignature() {
        URI signed = at(NOW).sign(FILE, Duration.ofHours(1));
        char[] query = query(signed).toCharArray();
        int last = query.length - 1;
        query[last] = query[last] == 'A' ? 'B' : 'A';

        assertEquals(Verdict.INVALID, at(NOW).verify(FILE.getRawPath(), new String(query)));
    }

    @Test
    @DisplayName("a URL signed under another secret is INVALID")
    void wrongSecret() {
        byte[] other = Arrays.copyOf(SECRET, SECRET.length);
        other[0] ^= 1;
        URI signed = new UrlSigner(other, Clock.fixed(NOW, ZoneOffset.UTC)).sign(FILE, Duration.ofHours(1));

        assertEquals(Verdict.INVALID, at(NOW).verify(signed));
    }

    @Test
    @DisplayName("the raw path is signed: an encoded path checks only as it was encoded")
    void rawPath() {
        URI signed = at(NOW).sign(URI.create("https://vm.example.com/files/a%2Db.mp4"), Duration.ofHours(1));

        assertEquals(Verdict.VALID, at(NOW).verify("/files/a%2Db.mp4", query(signed)));
        assertEquals(Verdict.INVALID, at(NOW).verify("/files/a-b.mp4", query(signed)));
    }

    @Nested
    @DisplayName("missing and malformed parameters")
    class Malformed {
        @Test
        @DisplayName("no query, a missing, empty, repeated or unknown parameter, or a malformed value is INVALID")
        void malformedQueries() {
            URI signed = at(NOW).sign(FILE, Duration.ofHours(1));
            String query = query(signed);
            String expires = query.substring(0, query.indexOf('&'));
            String signature = query.substring(query.indexOf('&') + 1);
            String value = signature.substring("signature=".length());

            assertEquals(Verdict.INVALID, at(NOW).verify(FILE));
            assertEquals(Verdict.INVALID, at(NOW).verify(FILE.getRawPath(), null));
            for (String bad : List.of(
                    "",
                    expires,
                    signature,
                    signature + "&" + expires + "&x=1",
                    expires + "&" + signature + "&" + signature,
                    expires + "&" + expires + "&" + signature,
                    "expires=&" + signature,
                    "expires&" + signature,
                    "expires=-1&" + signature,
                    "expires=1e9&" + signature,
                    "expires=99999999999999999999&" + signature,
                    expires + "&signature=",
                    expires + "&signature=" + value + "=",
                    expires + "&signature=" + value.substring(1),
                    expires + "&signature=" + value.replace(value.charAt(0), '+'),
                    expires + "&SIGNATURE=" + value)) {
                assertEquals(Verdict.INVALID, at(NOW).verify(FILE.getRawPath(), bad), bad);
            }
            assertEquals(Verdict.VALID, at(NOW).verify(FILE.getRawPath(), signature + "&" + expires), "any order");
        }
    }

    @Test
    @DisplayName("a secret shorter than 32 bytes is refused; the signer never shows its secret")
    void shortSecretRefused() {
        IllegalArgumentException refused =
                assertThrows(IllegalArgumentException.class, () -> new UrlSigner(Arrays.copyOf(SECRET, 31)));

        assertTrue(refused.getMessage().contains("32"), refused.getMessage());
        assertFalse(new UrlSigner(SECRET).toString().contains("0123456789"));
    }

    @Test
    @DisplayName("only a URL without query or fragment is signed, with a positive validity")
    void signRefusesWhatItCannotSign() {
        UrlSigner signer = at(NOW);

        assertThrows(IllegalArgumentException.class, () -> signer.sign(URI.create(FILE + "?a=1"), Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> signer.sign(URI.create(FILE + "#t=1"), Duration.ofHours(1)));
        assertThrows(IllegalArgumentException.class, () -> signer.sign(FILE, Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> signer.sign(FILE, Instant.ofEpochSecond(-1)));
    }
}
