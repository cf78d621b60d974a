package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import io.videomerge.Limits;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decides whether a download may connect to an address: never to a {@link ForbiddenRanges} block,
 * except loopback ({@code 127.0.0.0/8}, {@code ::1}) when {@link Limits#allowLoopbackUrls()} says so.
 *
 * <p>Tests may further allow single exact addresses ({@link #allowingExactly}), which lets a test
 * prove that a redirect from an allowed local server to another loopback address is refused.
 */
final class AddressPolicy {
    private final boolean allowLoopback;
    private final List<byte[]> exactlyAllowed;

    private AddressPolicy(boolean allowLoopback, List<byte[]> exactlyAllowed) {
        this.allowLoopback = allowLoopback;
        this.exactlyAllowed = exactlyAllowed;
    }

    static AddressPolicy of(Limits limits) {
        requireNonNull(limits, "limits");
        return new AddressPolicy(limits.allowLoopbackUrls(), List.of());
    }

    /** A copy that also permits exactly {@code address}: for tests only. */
    AddressPolicy allowingExactly(InetAddress address) {
        List<byte[]> copy = new ArrayList<>(exactlyAllowed);
        copy.add(requireNonNull(address, "address").getAddress());
        return new AddressPolicy(allowLoopback, List.copyOf(copy));
    }

    /** Whether a connection to {@code address} (4 or 16 raw bytes) is allowed. */
    boolean permits(byte[] address) {
        requireNonNull(address, "address");
        for (byte[] exact : exactlyAllowed) {
            if (Arrays.equals(exact, address)) {
                return true;
            }
        }
        if (allowLoopback
                && (ForbiddenRanges.LOOPBACK_V4.contains(address) || ForbiddenRanges.LOOPBACK_V6.contains(address))) {
            return true;
        }
        return ForbiddenRanges.match(address).isEmpty();
    }

    boolean permits(InetAddress address) {
        return permits(address.getAddress());
    }
}
