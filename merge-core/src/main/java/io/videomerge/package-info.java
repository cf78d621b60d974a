/**
 * The public API of videomerge: build a {@link io.videomerge.MergeService}, describe a merge with a
 * {@link io.videomerge.MergeRequest}, and read back a {@link io.videomerge.MergeResult} or a
 * {@link io.videomerge.MergeException} carrying a stable {@link io.videomerge.ErrorCode}.
 *
 * <p>Everything in this package is covered by semantic versioning.
 */
package io.videomerge;
