package io.videomerge.internal.fetch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

@DisplayName("IP literal parsing")
class IpLiteralsTest {
    @ParameterizedTest
    @CsvSource({"0.0.0.0, 00000000", "1.2.3.4, 01020304", "255.255.255.255, ffffffff", "10.0.0.1, 0a000001"})
    @DisplayName("accepts canonical dotted quads")
    void acceptsCanonicalIpv4(String text, String hex) {
        assertArrayEquals(
                HexFormat.of().parseHex(hex),
                IpLiterals.parseCanonicalIpv4(text).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "256.0.0.1",
                "01.2.3.4",
                "0177.0.0.1",
                "1.2.3",
                "127.1",
                "1.2.3.4.5",
                "0x7f.0.0.1",
                "2130706433",
                " 1.2.3.4",
                "1.2.3.4.",
                "1..2.3",
                "1.2.3.-4",
                "1.2.3.4\n",
                "１.2.3.4"
            })
    @DisplayName("refuses every other IPv4 spelling")
    void refusesOtherIpv4(String text) {
        assertTrue(IpLiterals.parseCanonicalIpv4(text).isEmpty());
    }

    @ParameterizedTest
    @CsvSource({
        "::, 00000000000000000000000000000000",
        "::1, 00000000000000000000000000000001",
        "1:2:3:4:5:6:7:8, 00010002000300040005000600070008",
        "fe80::1, fe800000000000000000000000000001",
        "::ffff:127.0.0.1, 00000000000000000000ffff7f000001",
        "64:ff9b::10.0.0.1, 0064ff9b00000000000000000a000001",
        "1:2:3:4:5:6:7::, 00010002000300040005000600070000",
        "2001:DB8::A, 20010db800000000000000000000000a"
    })
    @DisplayName("reads IPv6 text to 16 bytes, keeping IPv4-mapped forms as IPv6")
    void readsIpv6(String text, String hex) {
        assertArrayEquals(
                HexFormat.of().parseHex(hex), IpLiterals.parseIpv6(text).orElseThrow());
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "1:2:3:4:5:6:7:8:9",
                "1::2::3",
                "12345::",
                "fe80::1%eth0",
                ":1::",
                "1::2:",
                "::ffff:01.2.3.4",
                "1:2:3:4:5:6:7",
                "::g",
                "1.2.3.4",
                "",
                "1:2:3:4:5:6:1.2.3.4:8",
                "::1.2.3"
            })
    @DisplayName("refuses malformed IPv6 text and zone ids")
    void refusesMalformedIpv6(String text) {
        assertTrue(IpLiterals.parseIpv6(text).isEmpty());
    }

    @ParameterizedTest
    @CsvSource({
        "127.0.0.1, true",
        "2130706433, true",
        "0x7f, true",
        "a.0x, true",
        "example.123, true",
        "127.0.0.1., true",
        "example.com, false",
        "0x7f.example, false",
        "1e100.net, false",
        "123abc, false"
    })
    @DisplayName("tells numeric-looking hosts apart from names")
    void detectsNumericHosts(String host, boolean numeric) {
        assertEquals(numeric, IpLiterals.looksNumeric(host));
    }
}
