/**
 * The plumbing of videomerge: the pipeline stages ({@code fetch}, {@code probe}, {@code plan},
 * {@code encode}) and the job worker, one sub-package each.
 *
 * <p>Nothing under {@code io.videomerge.internal} carries a compatibility promise: it may change in
 * any release. Use the types of {@code io.videomerge} and {@code io.videomerge.spi}.
 */
package io.videomerge.internal;
