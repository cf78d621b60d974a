package io.videomerge.internal.fetch;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Strict parsers of IP address text: the only spellings a URL host may use.
 *
 * <p>Our own parsers rather than {@link java.net.InetAddress#getByName}: the JDK accepts short forms
 * ({@code 127.1}, {@code 2130706433}) and turns IPv4-mapped IPv6 text into an IPv4 address, which
 * would hide {@code ::ffff:0:0/96} from the range table.
 */
final class IpLiterals {
    private static final Pattern CANONICAL_V4 =
            Pattern.compile("(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})");
    private static final Pattern HEX_GROUP = Pattern.compile("[0-9a-fA-F]{1,4}");
    private static final Pattern NUMERIC_LABEL = Pattern.compile("[0-9]+|0[xX][0-9a-fA-F]*");

    private IpLiterals() {}

    /** Four decimal parts 0-255 without leading zeros, nothing else (no octal, hex, short or 32-bit forms). */
    static Optional<byte[]> parseCanonicalIpv4(String text) {
        var m = CANONICAL_V4.matcher(text);
        if (!m.matches()) {
            return Optional.empty();
        }
        byte[] out = new byte[4];
        for (int i = 0; i < 4; i++) {
            int part = Integer.parseInt(m.group(i + 1));
            if (part > 255) {
                return Optional.empty();
            }
            out[i] = (byte) part;
        }
        return Optional.of(out);
    }

    /**
     * IPv6 text (without brackets) as 16 bytes: hex groups, at most one {@code ::}, an optional trailing
     * canonical dotted quad; zone ids are refused.
     */
    static Optional<byte[]> parseIpv6(String text) {
        if (text.isEmpty() || text.indexOf('%') >= 0 || text.indexOf(':') < 0) {
            return Optional.empty();
        }
        int gap = text.indexOf("::");
        if (gap >= 0 && text.indexOf("::", gap + 1) >= 0) {
            return Optional.empty();
        }
        int[] head = new int[8];
        int[] tail = new int[8];
        int headCount;
        int tailCount;
        if (gap < 0) {
            headCount = groups(text, head, true);
            tailCount = 0;
            if (headCount != 8) {
                return Optional.empty();
            }
        } else {
            String left = text.substring(0, gap);
            String right = text.substring(gap + 2);
            headCount = left.isEmpty() ? 0 : groups(left, head, false);
            tailCount = right.isEmpty() ? 0 : groups(right, tail, true);
            if (headCount < 0 || tailCount < 0 || headCount + tailCount > 7) {
                return Optional.empty();
            }
        }
        if (headCount < 0) {
            return Optional.empty();
        }
        int[] all = new int[8];
        System.arraycopy(head, 0, all, 0, headCount);
        System.arraycopy(tail, 0, all, 8 - tailCount, tailCount);
        byte[] out = new byte[16];
        for (int i = 0; i < 8; i++) {
            out[2 * i] = (byte) (all[i] >>> 8);
            out[2 * i + 1] = (byte) all[i];
        }
        return Optional.of(out);
    }

    /**
     * Whether a host name would be read as a number by some URL parser (WHATWG: its last label is
     * decimal or {@code 0x} hex), so that only the canonical dotted quad may be accepted.
     */
    static boolean looksNumeric(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        String last = h.substring(h.lastIndexOf('.') + 1);
        return !last.isEmpty() && NUMERIC_LABEL.matcher(last).matches();
    }

    /** Parses colon-separated groups into {@code into}; returns how many 16-bit groups, or -1. */
    private static int groups(String text, int[] into, boolean mayEndWithIpv4) {
        String[] parts = text.split(":", -1);
        int count = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (mayEndWithIpv4 && i == parts.length - 1 && part.indexOf('.') >= 0) {
                Optional<byte[]> v4 = parseCanonicalIpv4(part);
                if (v4.isEmpty() || count + 2 > 8) {
                    return -1;
                }
                byte[] b = v4.get();
                into[count++] = ((b[0] & 0xff) << 8) | (b[1] & 0xff);
                into[count++] = ((b[2] & 0xff) << 8) | (b[3] & 0xff);
            } else {
                if (!HEX_GROUP.matcher(part).matches() || count + 1 > 8) {
                    return -1;
                }
                into[count++] = Integer.parseInt(part, 16);
            }
        }
        return count;
    }
}
