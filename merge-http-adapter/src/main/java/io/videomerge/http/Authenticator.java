package io.videomerge.http;

import io.videomerge.Principal;
import jakarta.servlet.http.HttpServletRequest;
import java.util.Collection;
import java.util.Optional;

/**
 * Decides whether a request to the merge endpoints may proceed, and for whom: the {@link Principal} it yields owns
 * the tasks the request submits, and is the only caller that can read, wait on or cancel them (another principal
 * gets the 404 of an unknown id); idempotency keys are scoped to it. A refused request is answered 401 with
 * {@link #challenge()} in {@code WWW-Authenticate}. The health check and the OpenAPI document are public.
 *
 * <p>Implementations are called concurrently from container threads and must be thread-safe.
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * The caller the request's credentials identify, or empty when they are missing or not acceptable. The id must
     * be stable (the same caller, the same id, across restarts and instances) and must not be the credential
     * itself: it is stored with every task.
     *
     * @param request the request to the merge endpoints
     * @return the caller, or empty to answer 401
     */
    Optional<Principal> authenticate(HttpServletRequest request);

    /** {@return the {@code WWW-Authenticate} value of a 401 answer} */
    default String challenge() {
        return "ApiKey header=\"X-API-Key\"";
    }

    /**
     * The default: the {@code X-API-Key} header must equal one of {@code keys}, compared in constant time. Each key
     * is its own principal, with the id {@code key-} followed by 16 hex digits of a SHA-256 digest of the key: stable,
     * and not the key. With no keys every request passes as {@link Principal#ANONYMOUS}, and the servlet logs a
     * warning when it starts.
     *
     * @param keys the accepted API keys; empty for open endpoints
     * @return the authenticator
     */
    static Authenticator apiKeys(Collection<String> keys) {
        return new ApiKeyAuthenticator(keys);
    }
}
