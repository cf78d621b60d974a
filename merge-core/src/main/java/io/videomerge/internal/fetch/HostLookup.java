package io.videomerge.internal.fetch;

import java.net.InetAddress;
import java.net.UnknownHostException;

/** Turns a host name into addresses; the system resolver in production, a fixed map in tests. */
@FunctionalInterface
interface HostLookup {
    HostLookup SYSTEM = InetAddress::getAllByName;

    InetAddress[] lookup(String host) throws UnknownHostException;
}
