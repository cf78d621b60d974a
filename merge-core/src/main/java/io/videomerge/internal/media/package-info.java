/**
 * The media step of a merge: probe, plan, encode and measure of downloaded files, behind
 * {@link io.videomerge.internal.media.MediaStep} so that it runs in this JVM or, isolated, in a child process.
 * No compatibility promise.
 */
package io.videomerge.internal.media;
