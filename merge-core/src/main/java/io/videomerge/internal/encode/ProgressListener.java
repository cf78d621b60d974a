package io.videomerge.internal.encode;

/** Receives the share of input time processed so far, from 0 to 1, never decreasing. */
@FunctionalInterface
public interface ProgressListener {
    /** A listener that ignores progress. */
    ProgressListener NONE = fraction -> {};

    /** Called from the merging thread; must return quickly. */
    void progress(double fraction);
}
