package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.hc.client5.http.DnsResolver;

/**
 * The HTTP client's only way from a host name to an address: resolves once, refuses the host if ANY of
 * its addresses is forbidden, and hands the client exactly the addresses it checked, so the socket
 * connects to a checked address and no second lookup can swap it (DNS rebinding).
 *
 * <p>Refusing the whole host when one address is bad (rather than dropping that address) keeps a name
 * that mixes a public and an internal address from reaching the internal one on a retry or failover.
 *
 * <p>Names are looked up in ASCII. HttpClient's {@code Host} decodes a name that starts with {@code xn--} to
 * Unicode before it reaches this resolver ({@code xn--bcher-kva.example} arrives as {@code bücher.example});
 * it is encoded back with {@link IDN#toASCII(String)}, as HttpClient encodes the {@code Host} header, so DNS is
 * asked for the name the URL gave and the checks below see that name. The decoding verifies that encoding
 * gives the original back (RFC 3490, ToUnicode), and URLs with non-ASCII names never get this far
 * ({@link UrlRules}), so no other name can come out of the round trip.
 */
final class CheckingDnsResolver implements DnsResolver {
    private final HostLookup lookup;
    private final AddressPolicy policy;

    CheckingDnsResolver(HostLookup lookup, AddressPolicy policy) {
        this.lookup = requireNonNull(lookup, "lookup");
        this.policy = requireNonNull(policy, "policy");
    }

    @Override
    public InetAddress[] resolve(String host) throws UnknownHostException {
        requireNonNull(host, "host");
        String bare = ascii(host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host);
        Optional<byte[]> literal = IpLiterals.parseCanonicalIpv4(bare).or(() -> IpLiterals.parseIpv6(bare));
        if (literal.isPresent()) {
            if (!policy.permits(literal.get())) {
                throw new ForbiddenAddressException("forbidden address literal " + bare);
            }
            return new InetAddress[] {InetAddress.getByAddress(literal.get())};
        }
        if (IpLiterals.looksNumeric(bare) || bare.indexOf(':') >= 0) {
            // Never let the system resolver interpret numeric junk its own way.
            throw new ForbiddenAddressException("non-canonical numeric host " + bare);
        }
        InetAddress[] resolved = lookup.lookup(bare);
        if (resolved == null || resolved.length == 0) {
            throw new UnknownHostException("no address");
        }
        List<InetAddress> checked = new ArrayList<>(resolved.length);
        for (InetAddress address : resolved) {
            if (!policy.permits(address)) {
                throw new ForbiddenAddressException("resolves to " + address.getHostAddress());
            }
            // A fresh instance without a host name: nothing downstream can trigger another lookup.
            checked.add(InetAddress.getByAddress(address.getAddress()));
        }
        return checked.toArray(InetAddress[]::new);
    }

    private static String ascii(String host) throws UnknownHostException {
        for (int i = 0; i < host.length(); i++) {
            if (host.charAt(i) >= 0x80) {
                try {
                    return IDN.toASCII(host);
                } catch (IllegalArgumentException e) {
                    throw new UnknownHostException("not an internationalised domain name");
                }
            }
        }
        return host;
    }

    @Override
    public List<InetSocketAddress> resolve(String host, int port) throws UnknownHostException {
        InetAddress[] addresses = resolve(host);
        List<InetSocketAddress> out = new ArrayList<>(addresses.length);
        for (InetAddress address : addresses) {
            out.add(new InetSocketAddress(address, port));
        }
        return out;
    }

    @Override
    public String resolveCanonicalHostname(String host) {
        // Used only for Kerberos/SPNEGO; a reverse lookup would be a second, unchecked DNS query.
        return host;
    }
}
