/**
 * Encode: the re-encode path ({@link io.videomerge.internal.encode.Transcoder}: decode, normalise,
 * cross-fade, H.264 + AAC in MP4) and the stream-copy path ({@link io.videomerge.internal.encode.Remuxer}:
 * packets remuxed with corrected timestamps).
 *
 * <p>Both run in the calling thread, read one clip at a time (two while clips overlap), check the
 * thread's interrupt flag and the merge's {@link io.videomerge.internal.encode.Deadline} between frames, and delete
 * their output file when they fail. A write that finds the disk full fails
 * {@link io.videomerge.ErrorCode#STORAGE_FULL} ({@link io.videomerge.internal.disk.DiskSpace}), to be tried again.
 *
 * <p>No compatibility promise: see {@link io.videomerge.internal}.
 */
package io.videomerge.internal.encode;
