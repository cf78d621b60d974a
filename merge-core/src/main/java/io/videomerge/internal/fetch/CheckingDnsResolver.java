package io.videomerge.internal.fetch;

import static java.util.Objects.requireNonNull;

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
        String bare = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        Optional<byte[]> literal = IpLiterals.parseCanonicalIpv4(bare).or(() -> IpLiterals.parseIpv6(bare));
        if (literal.isPresent()) {
            if (!policy.permits(literal.get())) {
                throw new ForbiddenAddressException("forbidden address literal");
            }
            return new InetAddress[] {InetAddress.getByAddress(literal.get())};
        }
        if (IpLiterals.looksNumeric(bare) || bare.indexOf(':') >= 0) {
            // Never let the system resolver interpret numeric junk its own way.
            throw new ForbiddenAddressException("non-canonical numeric host");
        }
        InetAddress[] resolved = lookup.lookup(bare);
        if (resolved == null || resolved.length == 0) {
            throw new UnknownHostException("no address");
        }
        List<InetAddress> checked = new ArrayList<>(resolved.length);
        for (InetAddress address : resolved) {
            if (!policy.permits(address)) {
                throw new ForbiddenAddressException("host resolves to a forbidden address");
            }
            // A fresh instance without a host name: nothing downstream can trigger another lookup.
            checked.add(InetAddress.getByAddress(address.getAddress()));
        }
        return checked.toArray(InetAddress[]::new);
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
