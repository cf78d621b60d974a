/**
 * The job layer's meters, on a Micrometer {@code MeterRegistry} the application gives the builder. The only
 * package of merge-core that names Micrometer's types (besides the builder's {@code meterRegistry} method):
 * Micrometer is an optional dependency, and these classes are loaded only when a registry was given.
 *
 * <p>No compatibility promise: see {@link io.videomerge.internal}.
 */
package io.videomerge.internal.metrics;
