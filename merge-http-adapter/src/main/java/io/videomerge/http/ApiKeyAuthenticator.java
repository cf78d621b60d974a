package io.videomerge.http;

import static java.util.Objects.requireNonNull;

import io.videomerge.Principal;
import jakarta.servlet.http.HttpServletRequest;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * Checks {@code X-API-Key} against configured keys, each its own principal; no keys configured means every request
 * passes as {@link Principal#ANONYMOUS}.
 */
final class ApiKeyAuthenticator implements Authenticator {
    static final String HEADER = "X-API-Key";

    // Digests, not the keys: equal-length values make MessageDigest.isEqual's time independent of both
    // the presented key's length and of where it differs from a configured one.
    private final List<byte[]> digests;
    private final List<Principal> principals;

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
        this.principals = keys.stream().map(ApiKeyAuthenticator::principalOf).toList();
    }

    /**
     * The principal of {@code key}: a digest of it under a label of its own, so the id is not the digest the
     * comparison uses either; 64 bits tell thousands of keys apart.
     */
    static Principal principalOf(String key) {
        byte[] digest = sha256("videomerge principal\n" + key);
        return new Principal("key-" + HexFormat.of().formatHex(digest, 0, 8));
    }

    boolean isOpen() {
        return digests.isEmpty();
    }

    @Override
    public Optional<Principal> authenticate(HttpServletRequest request) {
        if (digests.isEmpty()) {
            return Optional.of(Principal.ANONYMOUS);
        }
        String presented = request.getHeader(HEADER);
        if (presented == null) {
            return Optional.empty();
        }
        byte[] digest = sha256(presented);
        int match = -1;
        for (int i = 0; i < digests.size(); i++) {
            // No early exit: the time taken does not tell which key (or whether any) matched.
            if (MessageDigest.isEqual(digests.get(i), digest)) {
                match = i;
            }
        }
        return match < 0 ? Optional.empty() : Optional.of(principals.get(match));
    }

    private static byte[] sha256(String value) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
