package io.videomerge.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Limits;
import java.math.BigInteger;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("The forbidden address table")
class ForbiddenRangesTest {
    private static final AddressPolicy DEFAULT = AddressPolicy.of(Limits.defaults());
    private static final AddressPolicy LOOPBACK =
            AddressPolicy.of(Limits.builder().allowLoopbackUrls(true).build());

    private static byte[] ip(String text) {
        return IpLiterals.parseCanonicalIpv4(text)
                .or(() -> IpLiterals.parseIpv6(text))
                .orElseThrow(() -> new IllegalArgumentException(text));
    }

    private static Optional<byte[]> step(byte[] address, int delta) {
        BigInteger value = new BigInteger(1, address).add(BigInteger.valueOf(delta));
        if (value.signum() < 0 || value.bitLength() > address.length * 8) {
            return Optional.empty();
        }
        byte[] raw = value.toByteArray();
        byte[] out = new byte[address.length];
        int copy = Math.min(raw.length, out.length);
        System.arraycopy(raw, raw.length - copy, out, out.length - copy, copy);
        return Optional.of(out);
    }

    @TestFactory
    @DisplayName("each range holds its first and last address and neither neighbour")
    Iterable<DynamicTest> everyRangeHasExactEdges() {
        return ForbiddenRanges.TABLE.stream()
                .map(range -> DynamicTest.dynamicTest(range.toString(), () -> {
                    assertTrue(range.contains(range.first()));
                    assertTrue(range.contains(range.last()));
                    assertFalse(DEFAULT.permits(range.first()));
                    assertFalse(DEFAULT.permits(range.last()));
                    step(range.first(), -1).ifPresent(below -> assertFalse(range.contains(below)));
                    step(range.last(), 1).ifPresent(above -> assertFalse(range.contains(above)));
                }))
                .toList();
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // name of the range, or "allowed" for the public neighbour just outside it
        "0.0.0.0, unspecified (this network)",
        "0.255.255.255, unspecified (this network)",
        "1.0.0.0, allowed",
        "9.255.255.255, allowed",
        "10.0.0.0, private",
        "10.255.255.255, private",
        "11.0.0.0, allowed",
        "100.63.255.255, allowed",
        "100.64.0.0, carrier-grade NAT",
        "100.127.255.255, carrier-grade NAT",
        "100.128.0.0, allowed",
        "126.255.255.255, allowed",
        "127.0.0.0, loopback",
        "127.255.255.255, loopback",
        "128.0.0.0, allowed",
        "169.253.255.255, allowed",
        "169.254.0.0, link-local (cloud metadata)",
        "169.254.169.254, link-local (cloud metadata)",
        "169.254.255.255, link-local (cloud metadata)",
        "169.255.0.0, allowed",
        "172.15.255.255, allowed",
        "172.16.0.0, private",
        "172.31.255.255, private",
        "172.32.0.0, allowed",
        "191.255.255.255, allowed",
        "192.0.0.0, IETF protocol assignments",
        "192.0.0.255, IETF protocol assignments",
        "192.0.1.0, allowed",
        "192.0.2.0, documentation (TEST-NET-1)",
        "192.0.2.255, documentation (TEST-NET-1)",
        "192.0.3.0, allowed",
        "192.88.98.255, allowed",
        "192.88.99.0, 6to4 relay anycast",
        "192.88.99.255, 6to4 relay anycast",
        "192.88.100.0, allowed",
        "192.167.255.255, allowed",
        "192.168.0.0, private",
        "192.168.255.255, private",
        "192.169.0.0, allowed",
        "198.17.255.255, allowed",
        "198.18.0.0, benchmarking",
        "198.19.255.255, benchmarking",
        "198.20.0.0, allowed",
        "198.51.99.255, allowed",
        "198.51.100.0, documentation (TEST-NET-2)",
        "198.51.100.255, documentation (TEST-NET-2)",
        "198.51.101.0, allowed",
        "203.0.112.255, allowed",
        "203.0.113.0, documentation (TEST-NET-3)",
        "203.0.113.255, documentation (TEST-NET-3)",
        "203.0.114.0, allowed",
        "223.255.255.255, allowed",
        "224.0.0.0, multicast",
        "239.255.255.255, multicast",
        "240.0.0.0, reserved",
        "255.255.255.254, reserved",
        "255.255.255.255, broadcast",
        "8.8.8.8, allowed",
        "93.184.216.34, allowed",
        "::, unspecified",
        "::1, loopback",
        "::2, IPv4-compatible",
        "::ffff:ffff, IPv4-compatible",
        "::1:0:0, outside IPv6 global unicast",
        "::fffe:ffff:ffff, outside IPv6 global unicast",
        "::ffff:0:0, IPv4-mapped",
        "::ffff:255.255.255.255, IPv4-mapped",
        "::1:0:0:0, outside IPv6 global unicast",
        "64:ff9a:ffff:ffff:ffff:ffff:ffff:ffff, outside IPv6 global unicast",
        "64:ff9b::, NAT64",
        "64:ff9b::ffff:ffff, NAT64",
        "64:ff9b::1:0:0, outside IPv6 global unicast",
        "64:ff9b:1::, local-use NAT64",
        "64:ff9b:1:ffff:ffff:ffff:ffff:ffff, local-use NAT64",
        "100::, discard-only",
        "100::ffff:ffff:ffff:ffff, discard-only",
        "1fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, outside IPv6 global unicast",
        "2000::, allowed",
        "2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff, allowed",
        "2001::, Teredo",
        "2001:0:ffff:ffff:ffff:ffff:ffff:ffff, Teredo",
        "2001:1::, allowed",
        "2001:1:ffff:ffff:ffff:ffff:ffff:ffff, allowed",
        "2001:2::, benchmarking",
        "2001:2:0:ffff:ffff:ffff:ffff:ffff, benchmarking",
        "2001:2:1::, allowed",
        "2001:1f:ffff:ffff:ffff:ffff:ffff:ffff, allowed",
        "2001:20::, ORCHIDv2",
        "2001:2f:ffff:ffff:ffff:ffff:ffff:ffff, ORCHIDv2",
        "2001:30::, allowed",
        "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff, allowed",
        "2001:db8::, documentation",
        "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff, documentation",
        "2001:db9::, allowed",
        "2001:ffff:ffff:ffff:ffff:ffff:ffff:ffff, allowed",
        "2002::, 6to4",
        "2002:ffff:ffff:ffff:ffff:ffff:ffff:ffff, 6to4",
        "2003::, allowed",
        "3ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff, allowed",
        "3fff::, documentation",
        "3fff:fff:ffff:ffff:ffff:ffff:ffff:ffff, documentation",
        "3fff:1000::, allowed",
        "3fff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, allowed",
        "4000::, outside IPv6 global unicast",
        "fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, outside IPv6 global unicast",
        "fc00::, unique-local",
        "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, unique-local",
        "fe00::, outside IPv6 global unicast",
        "fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff, outside IPv6 global unicast",
        "fe80::, link-local",
        "febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff, link-local",
        "fec0::, site-local (deprecated)",
        "feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, site-local (deprecated)",
        "ff00::, multicast",
        "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff, multicast",
        "2606:4700:4700::1111, allowed",
        "2a00:1450:4001::200e, allowed"
    })
    @DisplayName("names the narrowest range at each edge, and lets the public neighbours through")
    void edgesOfEachRange(String address, String expected) {
        Optional<AddressRange> match = ForbiddenRanges.match(ip(address));
        assertEquals(expected, match.map(AddressRange::name).orElse("allowed"));
        assertEquals(expected.equals("allowed"), DEFAULT.permits(ip(address)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.0", "127.0.0.1", "127.255.255.255", "::1"})
    @DisplayName("the loopback switch opens 127.0.0.0/8 and ::1")
    void loopbackSwitchOpensLoopback(String address) {
        assertFalse(DEFAULT.permits(ip(address)));
        assertTrue(LOOPBACK.permits(ip(address)));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "0.0.0.0",
                "10.0.0.1",
                "172.16.0.1",
                "192.168.0.1",
                "100.64.0.1",
                "169.254.169.254",
                "::",
                "::2",
                "::ffff:127.0.0.1",
                "::127.0.0.1",
                "64:ff9b::7f00:1",
                "fc00::1",
                "fe80::1",
                "2002:7f00:1::"
            })
    @DisplayName("the loopback switch opens nothing else, not even loopback in IPv6 disguise")
    void loopbackSwitchOpensNothingElse(String address) {
        assertFalse(LOOPBACK.permits(ip(address)));
    }

    @Test
    @DisplayName("a range with bits set past its prefix, or no prefix, is a programming error")
    void rejectsMalformedRanges() {
        assertThrows(IllegalArgumentException.class, () -> AddressRange.of("10.0.0.1/8", "x"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.of("10.0.0.0", "x"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.of("10.0.0.0/33", "x"));
        assertThrows(IllegalArgumentException.class, () -> AddressRange.of("fe80::/129", "x"));
    }
}
