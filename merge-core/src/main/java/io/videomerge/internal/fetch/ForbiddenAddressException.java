package io.videomerge.internal.fetch;

import java.net.UnknownHostException;

/**
 * A host resolved to, or named, an address the policy forbids. An {@link UnknownHostException} because
 * that is all HttpClient's resolver hook may throw; {@link Fetcher} turns it into URL_FORBIDDEN.
 */
final class ForbiddenAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    ForbiddenAddressException(String detail) {
        super(detail);
    }
}
