package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("Webhooks")
class WebhooksTest {
    @Test
    @DisplayName("signs as the Standard Webhooks reference vector says")
    void referenceVector() {
        Webhooks webhooks = Webhooks.signedWith("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw");

        String signature = webhooks.signature(
                "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8));

        assertEquals("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    @Test
    @DisplayName("a key given as bytes signs as its whsec_ form does")
    void bytesAndSecretAgree() {
        byte[] key = "twenty-four bytes of key".getBytes(StandardCharsets.US_ASCII);
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);

        assertEquals(
                Webhooks.signedWith("whsec_" + Base64.getEncoder().encodeToString(key))
                        .signature("msg_1", 1, body),
                Webhooks.signedWith(key).signature("msg_1", 1, body));
        assertFalse(Webhooks.signedWith(key)
                .signature("msg_1", 1, body)
                .equals(Webhooks.signedWith(key).signature("msg_1", 2, body)));
    }

    @Test
    @DisplayName("refuses secrets without the prefix, not in base64, or of a key too short or too long, never"
            + " repeating them")
    void refusesBadSecrets() {
        String plain = "correct horse battery staple and more";
        IllegalArgumentException noPrefix =
                assertThrows(IllegalArgumentException.class, () -> Webhooks.signedWith(plain));
        IllegalArgumentException notBase64 =
                assertThrows(IllegalArgumentException.class, () -> Webhooks.signedWith("whsec_not base64!"));
        String shortKey = "whsec_" + Base64.getEncoder().encodeToString(new byte[23]);
        String longKey = "whsec_" + Base64.getEncoder().encodeToString(new byte[65]);

        assertFalse(noPrefix.getMessage().contains(plain));
        assertFalse(notBase64.getMessage().contains("not base64!"));
        assertThrows(IllegalArgumentException.class, () -> Webhooks.signedWith(shortKey));
        assertThrows(IllegalArgumentException.class, () -> Webhooks.signedWith(longKey));
        Webhooks.signedWith("whsec_" + Base64.getEncoder().encodeToString(new byte[64]));
    }

    @Test
    @DisplayName("has safe defaults, checks its settings, and keeps its secret out of toString")
    void defaultsAndChecks() {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        Webhooks webhooks = Webhooks.signedWith(secret);

        assertEquals(Duration.ofHours(24), webhooks.maxAge());
        assertEquals(Duration.ofSeconds(10), webhooks.initialBackoff());
        assertEquals(Duration.ofHours(1), webhooks.maxBackoff());
        assertEquals(Duration.ofSeconds(10), webhooks.timeout());
        assertEquals(4, webhooks.concurrency());
        assertTrue(webhooks.defaultCallbackUrl().isEmpty());
        assertFalse(webhooks.toString().contains("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"), webhooks.toString());
        assertThrows(
                IllegalArgumentException.class,
                () -> webhooks.withBackoff(Duration.ofMinutes(2), Duration.ofMinutes(1)));
        assertThrows(IllegalArgumentException.class, () -> webhooks.withMaxAge(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> webhooks.withConcurrency(0));
        assertEquals(
                URI.create("https://hooks.example.com/x"),
                webhooks.withDefaultCallbackUrl(URI.create("https://hooks.example.com/x"))
                        .defaultCallbackUrl()
                        .orElseThrow());
    }
}
