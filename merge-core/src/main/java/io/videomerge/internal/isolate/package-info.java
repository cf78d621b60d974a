/**
 * Merges in child processes: {@link io.videomerge.internal.isolate.ChildProcessStep} runs the media step of a
 * merge in a child JVM ({@link io.videomerge.internal.isolate.ChildMain}) so that a native crash, an abort or an
 * out-of-memory while decoding one input ends that child, not the service. No compatibility promise.
 */
package io.videomerge.internal.isolate;
