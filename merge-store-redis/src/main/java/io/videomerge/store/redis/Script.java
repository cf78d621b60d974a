package io.videomerge.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The Lua scripts that make each state change of a job atomic in Redis, each prefixed with the
 * shared {@code common.lua} and known by the SHA-1 digest under which Redis caches it.
 */
enum Script {
    CREATE("create"),
    CLAIM("claim"),
    RENEW("renew"),
    COMPLETE("complete"),
    FAIL("fail"),
    RELEASE("release"),
    REQUEUE_EXPIRED("requeue-expired"),
    CANCEL("cancel"),
    PURGE("purge"),
    CLAIM_DELIVERY("claim-delivery"),
    DELIVERY_DONE("delivery-done"),
    RETRY_DELIVERY("retry-delivery");

    private final String source;
    private final String sha;

    Script(String name) {
        this.source = read("common.lua") + "\n" + read(name + ".lua");
        this.sha = sha1(source);
    }

    /** The full text sent with SCRIPT LOAD. */
    String source() {
        return source;
    }

    /** The digest EVALSHA calls it by (Redis's own SHA-1 of the text). */
    String sha() {
        return sha;
    }

    private static String read(String resource) {
        try (InputStream in = Script.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing script resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String sha1(String text) {
        try {
            return HexFormat.of()
                    .formatHex(MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is required of every JVM", e);
        }
    }
}
