package io.videomerge.internal.encode;

import org.bytedeco.javacpp.Pointer;

/**
 * Hands the memory that FFmpeg has freed back to the operating system.
 *
 * <p>glibc's malloc keeps what a thread frees in that thread's arena, and raises its mmap threshold to the size of
 * the largest block freed so far: once the first decoded picture (1.4 MB at 720p) is freed, later pictures come
 * from the arenas instead of mappings of their own, and freeing them keeps the pages. The decoder, filter and
 * encoder threads each have an arena, and each clip's decoder threads are new threads. {@code malloc_trim(0)}
 * returns the free pages of every arena: called when a clip is closed and when a merge ends, it took a JVM that
 * merges in a loop from 250–280 MiB between merges to 185–200 MiB. It cannot undo the threshold; only the
 * environment a process starts with can ({@code MALLOC_MMAP_THRESHOLD_}, {@code MALLOC_ARENA_MAX}), which is why
 * the child of an isolated merge gets them. Elsewhere than on glibc it does nothing.
 */
public final class NativeMemory {
    private NativeMemory() {}

    /** Returns the free pages of every malloc arena to the system; cheap next to closing a clip. */
    public static void release() {
        Pointer.trimMemory();
    }
}
