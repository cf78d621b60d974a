package io.videomerge.internal.fetch;

import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * The table of address ranges a download may never connect to: everything that is not a public
 * unicast destination on the internet.
 *
 * <p>Kept as explicit CIDR blocks rather than {@link java.net.InetAddress#isSiteLocalAddress()} and
 * friends, which miss carrier-grade NAT, the IPv6 transition ranges, unique-local addresses and more.
 * For IPv6 the table also refuses everything outside global unicast {@code 2000::/3}, so an address
 * block assigned in future for internal use is refused until someone decides otherwise.
 */
final class ForbiddenRanges {
    static final AddressRange LOOPBACK_V4 = AddressRange.of("127.0.0.0/8", "loopback");
    static final AddressRange LOOPBACK_V6 = AddressRange.of("::1/128", "loopback");

    /** Every forbidden block, most specific first so that {@link #match} names the narrowest reason. */
    static final List<AddressRange> TABLE = sortedMostSpecificFirst(List.of(
            AddressRange.of("0.0.0.0/8", "unspecified (this network)"),
            AddressRange.of("10.0.0.0/8", "private"),
            AddressRange.of("100.64.0.0/10", "carrier-grade NAT"),
            LOOPBACK_V4,
            AddressRange.of("169.254.0.0/16", "link-local (cloud metadata)"),
            AddressRange.of("172.16.0.0/12", "private"),
            AddressRange.of("192.0.0.0/24", "IETF protocol assignments"),
            AddressRange.of("192.0.2.0/24", "documentation (TEST-NET-1)"),
            AddressRange.of("192.88.99.0/24", "6to4 relay anycast"),
            AddressRange.of("192.168.0.0/16", "private"),
            AddressRange.of("198.18.0.0/15", "benchmarking"),
            AddressRange.of("198.51.100.0/24", "documentation (TEST-NET-2)"),
            AddressRange.of("203.0.113.0/24", "documentation (TEST-NET-3)"),
            AddressRange.of("224.0.0.0/4", "multicast"),
            AddressRange.of("240.0.0.0/4", "reserved"),
            AddressRange.of("255.255.255.255/32", "broadcast"),
            AddressRange.of("::/128", "unspecified"),
            LOOPBACK_V6,
            AddressRange.of("::ffff:0:0/96", "IPv4-mapped"),
            AddressRange.of("::/96", "IPv4-compatible"),
            AddressRange.of("64:ff9b::/96", "NAT64"),
            AddressRange.of("64:ff9b:1::/48", "local-use NAT64"),
            AddressRange.of("100::/64", "discard-only"),
            AddressRange.of("2001::/32", "Teredo"),
            AddressRange.of("2001:2::/48", "benchmarking"),
            AddressRange.of("2001:20::/28", "ORCHIDv2"),
            AddressRange.of("2001:db8::/32", "documentation"),
            AddressRange.of("2002::/16", "6to4"),
            AddressRange.of("3fff::/20", "documentation"),
            AddressRange.of("fc00::/7", "unique-local"),
            AddressRange.of("fe80::/10", "link-local"),
            AddressRange.of("fec0::/10", "site-local (deprecated)"),
            AddressRange.of("ff00::/8", "multicast"),
            AddressRange.of("::/3", "outside IPv6 global unicast"),
            AddressRange.of("4000::/2", "outside IPv6 global unicast"),
            AddressRange.of("8000::/1", "outside IPv6 global unicast")));

    private ForbiddenRanges() {}

    /** The narrowest forbidden range holding {@code address} (4 or 16 raw bytes), if any. */
    static Optional<AddressRange> match(byte[] address) {
        for (AddressRange range : TABLE) {
            if (range.contains(address)) {
                return Optional.of(range);
            }
        }
        return Optional.empty();
    }

    private static List<AddressRange> sortedMostSpecificFirst(List<AddressRange> ranges) {
        return ranges.stream()
                .sorted(Comparator.comparingInt(AddressRange::prefixLength).reversed())
                .toList();
    }
}
