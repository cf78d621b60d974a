/**
 * The plumbing of videomerge: the pipeline stages ({@code fetch}, {@code probe}, {@code plan},
 * {@code encode}), the job worker, and {@code isolate}, which runs a merge's media step in a child
 * process; one sub-package each.
 *
 * <p>Nothing under {@code io.videomerge.internal} carries a compatibility promise: it may change in
 * any release. Use the types of {@code io.videomerge} and {@code io.videomerge.spi}.
 */
package io.videomerge.internal;
