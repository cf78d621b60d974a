package io.videomerge.http;

import jakarta.servlet.http.HttpServletRequest;
import java.util.Collection;

/**
 * Decides whether a request to the merge endpoints may proceed; a refused request is answered 401 with
 * {@link #challenge()} in {@code WWW-Authenticate}. The health check and the OpenAPI document are public.
 *
 * <p>Implementations are called concurrently from container threads and must be thread-safe.
 */
@FunctionalInterface
public interface Authenticator {

    /** Whether the request carries acceptable credentials. */
    boolean authenticate(HttpServletRequest request);

    /** The {@code WWW-Authenticate} value of a 401 answer. */
    default String challenge() {
        return "ApiKey header=\"X-API-Key\"";
    }

    /**
     * The default: the {@code X-API-Key} header must equal one of {@code keys}, compared in constant time.
     * With no keys every request passes, and the servlet logs a warning when it starts.
     */
    static Authenticator apiKeys(Collection<String> keys) {
        return new ApiKeyAuthenticator(keys);
    }
}
