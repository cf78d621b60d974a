package io.videomerge.internal.fetch;

import java.net.UnknownHostException;

/**
 * A host resolved to, or named, an address the policy forbids. An {@link UnknownHostException} because
 * that is all HttpClient's resolver hook may throw; {@link Fetcher} answers it exactly as it answers a name
 * that does not resolve (URL_FORBIDDEN, one message, retryable), and only logs the message, which names the
 * address.
 */
final class ForbiddenAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    ForbiddenAddressException(String detail) {
        super(detail);
    }
}
