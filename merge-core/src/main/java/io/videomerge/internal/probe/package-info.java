/**
 * The probe stage: opening a downloaded input safely ({@link io.videomerge.internal.probe.InputOpener}) and
 * reading its facts ({@link io.videomerge.internal.probe.Prober}, {@link io.videomerge.internal.probe.ClipInfo}),
 * and what decoding a job's inputs may cost ({@link io.videomerge.internal.probe.DecodeBudget}).
 *
 * <p>Every FFmpeg context that touches user bytes is opened here, with the whitelists and limits of
 * {@link io.videomerge.Limits}; no other package opens an input on its own.
 */
package io.videomerge.internal.probe;
