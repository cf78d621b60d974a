/**
 * Fetch: downloads each input URL to a file of the job's own folder, refusing what SECURITY.md
 * forbids (schemes other than http/https, forbidden address ranges, non-canonical numeric hosts,
 * unchecked redirects) and bounding time and bytes.
 *
 * <p>The address checks live in one place, {@link io.videomerge.internal.fetch.AddressPolicy}, and are
 * applied both to IP literals in URLs and to every address a host name resolves to; the HTTP client
 * connects only to an address that passed (the resolver hands it nothing else), so a second DNS
 * answer can never redirect the connection (DNS rebinding). {@link io.videomerge.internal.fetch.CallbackClient}
 * posts webhooks to callback URLs under the same rules and the same resolver.
 */
package io.videomerge.internal.fetch;
