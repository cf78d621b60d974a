package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The receiver's check of the README's Webhooks section, as printed there, against what the service signs. */
@DisplayName("the README's webhook receiver")
class ReadmeWebhookReceiverTest {
    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private static final Instant SENT = Instant.ofEpochSecond(1614265330);
    private static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);

    // ---- as in README.md

    /** Whether a request is a webhook of the service holding {@code secret}; {@code body} as received. */
    static boolean verify(String secret, String id, String timestamp, String signatures, byte[] body, Instant now)
            throws GeneralSecurityException {
        if (id == null
                || timestamp == null
                || signatures == null
                || !timestamp.matches("\\d{1,12}")
                || Math.abs(now.getEpochSecond() - Long.parseLong(timestamp)) > 300) {
            return false; // missing headers, or more than 5 minutes off
        }
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(Base64.getDecoder().decode(secret.substring("whsec_".length())), "HmacSHA256"));
        mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        byte[] expected =
                ("v1," + Base64.getEncoder().encodeToString(mac.doFinal(body))).getBytes(StandardCharsets.US_ASCII);
        for (String signature : signatures.split(" ")) { // several during a secret rotation
            if (MessageDigest.isEqual(expected, signature.getBytes(StandardCharsets.US_ASCII))) {
                return true;
            }
        }
        return false;
    }

    // ----

    @Test
    @DisplayName("accepts the specification's reference vector and what the service signs, among other signatures")
    void acceptsGoodSignatures() throws Exception {
        String signed = Webhooks.signedWith(SECRET).signature(ID, SENT.getEpochSecond(), BODY);

        assertTrue(verify(
                SECRET,
                ID,
                "1614265330",
                "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=",
                BODY,
                SENT.plusSeconds(60)));
        assertTrue(verify(SECRET, ID, "1614265330", "v1,c29tZXRoaW5nIGVsc2U= " + signed, BODY, SENT));
    }

    @Test
    @DisplayName("refuses another body, id or secret, an old timestamp and missing headers")
    void refusesTheRest() throws Exception {
        String signed = Webhooks.signedWith(SECRET).signature(ID, SENT.getEpochSecond(), BODY);
        String other = "whsec_" + Base64.getEncoder().encodeToString(new byte[32]);

        assertFalse(verify(
                SECRET, ID, "1614265330", signed, "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8), SENT));
        assertFalse(verify(SECRET, "msg_other", "1614265330", signed, BODY, SENT));
        assertFalse(verify(other, ID, "1614265330", signed, BODY, SENT));
        assertFalse(verify(SECRET, ID, "1614265330", signed, BODY, SENT.plusSeconds(301)));
        assertFalse(verify(SECRET, ID, "1614265330.5", signed, BODY, SENT));
        assertFalse(verify(SECRET, ID, null, signed, BODY, SENT));
    }
}
