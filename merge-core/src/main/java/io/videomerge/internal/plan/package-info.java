/**
 * Plan: decides from the probed clips and the request what happens to each clip (rotation, scale,
 * pad or crop, frame rate, audio format, silence) and whether the whole merge can be a stream copy.
 *
 * <p>No compatibility promise: see {@link io.videomerge.internal}.
 */
package io.videomerge.internal.plan;
