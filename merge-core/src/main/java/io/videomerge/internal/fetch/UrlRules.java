package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.FetchException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks of a URL that need no DNS: scheme, user-info, port, host spelling, IP literals, length. A refusal names
 * what the URL is: input {@code index}, or a field of the request such as {@code callback_url}.
 */
final class UrlRules {
    /** Longer URLs are refused; browsers and CDNs cap around here, and a clip URL has no need for more. */
    static final int MAX_URL_LENGTH = 2048;

    private static final Pattern HOST_NAME = Pattern.compile(
            "(?=.{1,253}\\.?$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\\.?");

    /** A port as RFC 3986 writes it: digits, leading zeros allowed (java.net.URI and HttpClient skip them). */
    private static final Pattern PORT = Pattern.compile("0*([0-9]{1,5})");

    private static final int MAX_PORT = 65535;

    private UrlRules() {}

    /** Checks the URL of input {@code index}. */
    static void check(URI url, int index, AddressPolicy policy) {
        check(url, new Subject("Input " + index, index), policy);
    }

    /** Checks the URL of {@code field}, a URL of the request that is not an input. */
    static void check(URI url, String field, AddressPolicy policy) {
        check(url, new Subject(requireNonNull(field, "field"), -1), policy);
    }

    private static void check(URI url, Subject subject, AddressPolicy policy) {
        requireNonNull(url, "url");
        requireNonNull(policy, "policy");
        if (url.toString().length() > MAX_URL_LENGTH) {
            throw forbidden(subject, "is longer than " + MAX_URL_LENGTH + " characters");
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw subject.refusal(ErrorCode.UNSUPPORTED_SCHEME, "only http and https URLs can be fetched");
        }
        if (url.isOpaque() || url.getRawAuthority() == null) {
            throw forbidden(subject, "has no host");
        }
        if (url.getRawUserInfo() != null || url.getRawAuthority().indexOf('@') >= 0) {
            throw forbidden(subject, "carries user information");
        }
        checkPort(url.getRawAuthority(), subject);
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            // java.net.URI leaves the host null when it cannot read it as a name or an address
            // (0x7f.0.0.1, 127.1, percent-encoded or non-ASCII names): other parsers would guess.
            throw forbidden(subject, "has no host in canonical spelling (use ASCII names or a dotted-quad address)");
        }
        if (host.startsWith("[")) {
            String inner = host.substring(1, host.length() - 1);
            Optional<byte[]> v6 = IpLiterals.parseIpv6(inner);
            if (v6.isEmpty()) {
                throw forbidden(subject, "has an IPv6 address that is not in plain form");
            }
            requirePermitted(v6.get(), subject, policy);
            return;
        }
        if (IpLiterals.looksNumeric(host)) {
            Optional<byte[]> v4 = IpLiterals.parseCanonicalIpv4(host);
            if (v4.isEmpty()) {
                throw forbidden(subject, "has a numeric host that is not a canonical dotted-quad address");
            }
            requirePermitted(v4.get(), subject, policy);
            return;
        }
        if (!HOST_NAME.matcher(host).matches()) {
            throw forbidden(subject, "has a host name that is not a plain ASCII name");
        }
    }

    /**
     * Refuses a port outside 1 to 65535 or not written in digits. Read from the raw authority because
     * java.net.URI takes 65536 as a port, and reads a port too large for an int as a registry-based authority
     * without host or port, where the host check would misname the fault. An empty port means the default.
     */
    private static void checkPort(String authority, Subject subject) {
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
            throw subject.refusal(ErrorCode.INVALID_REQUEST, "the URL's port is not a number from 1 to " + MAX_PORT);
        }
    }

    private static void requirePermitted(byte[] address, Subject subject, AddressPolicy policy) {
        if (!policy.permits(address)) {
            throw forbidden(subject, "points at an address that may not be fetched");
        }
    }

    private static FetchException forbidden(Subject subject, String what) {
        return subject.refusal(ErrorCode.URL_FORBIDDEN, "the URL " + what);
    }

    /** What a checked URL is: an input (its index, 0 or more) or another field of the request (index -1). */
    private record Subject(String name, int index) {
        FetchException refusal(ErrorCode code, String what) {
            String message = name + ": " + what;
            return index >= 0 ? new FetchException(code, message, index) : new FetchException(code, message);
        }
    }
}
