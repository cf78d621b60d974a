package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The checks of a URL that need no DNS: scheme, user-info, port, host spelling, IP literals, length. */
final class UrlRules {
    /** Longer URLs are refused; browsers and CDNs cap around here, and a clip URL has no need for more. */
    static final int MAX_URL_LENGTH = 2048;

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}\\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    /** A port as RFC 3986 writes it: digits, leading zeros allowed (java.net.URI and HttpClient skip them). */
    private static final Pattern PORT = Pattern.compile("0*([0-9]{1,5})");

    private static final int MAX_PORT = 65535;

    private UrlRules() {}

    static void check(URI url, int index, AddressPolicy policy) {
        requireNonNull(url, "url");
        requireNonNull(policy, "policy");
        if (url.toString().length() > MAX_URL_LENGTH) {
            throw forbidden(index, "is longer than " + MAX_URL_LENGTH + " characters");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException(
                    ErrorCode.UNSUPPORTED_SCHEME,
                    "Input " + index + ": only http and https URLs can be fetched",
                    index);
        }
        if (url.isOpaque() || url.getRawAuthority() == null) {
            throw forbidden(index, "has no host");
        }
        if (url.getRawUserInfo() != null || url.getRawAuthority().indexOf('@') >= 0) {
            throw forbidden(index, "carries user information");
        }
        checkPort(url.getRawAuthority(), index);
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            // java.net.URI leaves the host null when it cannot read it as a name or an address
            // (0x7f.0.0.1, 127.1, percent-encoded or non-ASCII names): other parsers would guess.
            throw forbidden(index, "has no host in canonical spelling (use ASCII names or a dotted-quad address)");
        }
        if (host.startsWith("[")) {
            String inner = host.substring(1, host.length() - 1);
            Optional<byte[]> v6 = IpLiterals.parseIpv6(inner);
            if (v6.isEmpty()) {
                throw forbidden(index, "has an IPv6 address that is not in plain form");
            }
            requirePermitted(v6.get(), index, policy);
            return;
        }
        if (IpLiterals.looksNumeric(host)) {
            Optional<byte[]> v4 = IpLiterals.parseCanonicalIpv4(host);
            if (v4.isEmpty()) {
                throw forbidden(index, "has a numeric host that is not a canonical dotted-quad address");
            }
            requirePermitted(v4.get(), index, policy);
            return;
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw forbidden(index, "has a host name that is not a plain ASCII name");
        }
    }

    /**
     * Refuses a port outside 1 to 65535 or not written in digits. Read from the raw authority because
     * java.net.URI takes 65536 as a port, and reads a port too large for an int as a registry-based authority
     * without host or port, where the host check would misname the fault. An empty port means the default.
     */
    private static void checkPort(String authority, int index) {
        String port;
        if (authority.startsWith("[")) {
            int close = authority.indexOf(']');
            if (close < 0 || !authority.startsWith(":", close + 1)) {
                return; // no port, or no readable IPv6 literal: the host check refuses the latter
            }
            port = authority.substring(close + 2);
        } else {
            int colon = authority.lastIndexOf(':');
            if (colon < 0) {
                return;
            }
            port = authority.substring(colon + 1);
        }
        if (port.isEmpty()) {
            return;
        }
        Matcher digits = PORT.matcher(port);
        int value = digits.matches() ? Integer.parseInt(digits.group(1)) : -1;
        if (value < 1 || value > MAX_PORT) {
            throw new FetchException(
                    ErrorCode.INVALID_REQUEST,
                    "Input " + index + ": the URL's port is not a number from 1 to " + MAX_PORT,
                    index);
        }
    }

    private static void requirePermitted(byte[] address, int index, AddressPolicy policy) {
        if (!policy.permits(address)) {
            throw forbidden(index, "points at an address that may not be fetched");
        }
    }

    private static FetchException forbidden(int index, String what) {
        return new FetchException(ErrorCode.URL_FORBIDDEN, "Input " + index + ": the URL " + what, index);
    }
}
