/**
 * What implementors write: a {@link io.videomerge.spi.JobStore} keeps jobs durable and hands them to
 * workers under fenced leases; an {@link io.videomerge.spi.Uploader} publishes merged files.
 *
 * <p>No JavaCV, database, Redis or servlet type appears here. Every store passes the contract suite
 * shipped in the merge-testkit module ({@code io.videomerge.spi.JobStoreContract}).
 */
package io.videomerge.spi;
