package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import java.util.Arrays;

/**
 * One CIDR block with a name saying why it is in the table, such as {@code 10.0.0.0/8 private}.
 * Addresses are compared as raw bytes: an IPv4 range never contains a 16-byte address and vice versa.
 */
final class AddressRange {
    private final String name;
    private final String cidr;
    private final byte[] network;
    private final int prefixLength;

    private AddressRange(String name, String cidr, byte[] network, int prefixLength) {
        this.name = name;
        this.cidr = cidr;
        this.network = network;
        this.prefixLength = prefixLength;
    }

    /**
     * Parses {@code address/prefix} (canonical IPv4 or IPv6 text).
     *
     * @throws IllegalArgumentException if the text is malformed or has bits set past the prefix
     */
    static AddressRange of(String cidr, String name) {
        requireNonNull(cidr, "cidr");
        requireNonNull(name, "name");
        int slash = cidr.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("not a CIDR block: " + cidr);
        }
        String address = cidr.substring(0, slash);
        byte[] network = IpLiterals.parseCanonicalIpv4(address)
                .or(() -> IpLiterals.parseIpv6(address))
                .orElseThrow(() -> new IllegalArgumentException("not an IP address: " + cidr));
        int prefix = Integer.parseInt(cidr.substring(slash + 1));
        if (prefix < 0 || prefix > network.length * 8) {
            throw new IllegalArgumentException("prefix out of range: " + cidr);
        }
        for (int bit = prefix; bit < network.length * 8; bit++) {
            if (bitAt(network, bit)) {
                throw new IllegalArgumentException("host bits set: " + cidr);
            }
        }
        return new AddressRange(name, cidr, network, prefix);
    }

    /** Whether {@code address} (4 or 16 raw bytes) lies in this block. */
    boolean contains(byte[] address) {
        if (address.length != network.length) {
            return false;
        }
        int fullBytes = prefixLength / 8;
        for (int i = 0; i < fullBytes; i++) {
            if (address[i] != network[i]) {
                return false;
            }
        }
        int rest = prefixLength % 8;
        if (rest == 0) {
            return true;
        }
        int mask = (0xff << (8 - rest)) & 0xff;
        return (address[fullBytes] & mask) == (network[fullBytes] & mask);
    }

    int prefixLength() {
        return prefixLength;
    }

    /** The lowest address of the block. */
    byte[] first() {
        return network.clone();
    }

    /** The highest address of the block. */
    byte[] last() {
        byte[] out = network.clone();
        for (int bit = prefixLength; bit < out.length * 8; bit++) {
            out[bit / 8] |= (byte) (0x80 >>> (bit % 8));
        }
        return out;
    }

    String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AddressRange r && prefixLength == r.prefixLength && Arrays.equals(network, r.network);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(network) + prefixLength;
    }

    @Override
    public String toString() {
        return cidr + " (" + name + ")";
    }

    private static boolean bitAt(byte[] bytes, int bit) {
        return (bytes[bit / 8] & (0x80 >>> (bit % 8))) != 0;
    }
}
