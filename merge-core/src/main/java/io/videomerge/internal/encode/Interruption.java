package io.videomerge.internal.encode;

import io.videomerge.ErrorCode;
import io.videomerge.MergeException;

/**
 * The one check every stage of a merge makes between two units of work (a download, a probe, a frame, a
 * packet): an interrupted thread (a cancel, a lost lease, a closing service) stops there.
 */
public final class Interruption {
    private Interruption() {}

    /**
     * Throws when the current thread was interrupted, leaving its interrupt flag set.
     *
     * @throws MergeException {@link ErrorCode#CANCELLED}
     */
    public static void check() {
        if (Thread.currentThread().isInterrupted()) {
            throw new MergeException(ErrorCode.CANCELLED, "the merge was interrupted");
        }
    }
}
