/**
 * A {@link io.videomerge.spi.JobStore} that lives in the memory of one process: fast, and gone with
 * the process. For a single instance that may lose its queue on restart, for tests and for benchmarks.
 */
package io.videomerge.store.memory;
