package io.videomerge.http;

import static java.util.Objects.requireNonNull;

import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.List;

/** Checks {@code X-API-Key} against configured keys; no keys configured means every request passes. */
final class ApiKeyAuthenticator implements Authenticator {
    static final String HEADER = "X-API-Key";

    // Digests, not the keys: equal-length values make MessageDigest.isEqual's time independent of both
    // the presented key's length and of where it differs from a configured one.
    private final List<byte[]> digests;

    ApiKeyAuthenticator(Collection<String> keys) {
        requireNonNull(keys, "keys");
        this.digests = keys.stream()
                .map(k -> {
                    requireNonNull(k, "key");
                    if (k.isBlank()) {
                        throw new IllegalArgumentException("an API key must not be blank");
                    }
                    return sha256(k);
                })
                .toList();
    }

    boolean isOpen() {
        return digests.isEmpty();
    }

    @Override
    public boolean authenticate(HttpServletRequest request) {
        if (digests.isEmpty()) {
            return true;
        }
        String presented = request.getHeader(HEADER);
        if (presented == null) {
            return false;
        }
        byte[] digest = sha256(presented);
        boolean match = false;
        for (byte[] known : digests) {
            // No early exit: the time taken does not tell which key (or whether any) matched.
            match |= MessageDigest.isEqual(known, digest);
        }
        return match;
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
