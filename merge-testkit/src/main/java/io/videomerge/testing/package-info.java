/**
 * Test support shipped in the merge-testkit module: {@link io.videomerge.testing.ClipGenerator} writes real encoded
 * clips from a {@link io.videomerge.testing.ClipSpec}, {@link io.videomerge.testing.ClipMutations} damages or
 * disguises one the way uploads come (lying or missing Matroska durations, cut media data, a broken packet), and
 * {@link io.videomerge.testing.ClipAnalyzer} decodes a file back into facts a test can assert (flash and beep
 * instants, region luma, silence, decode errors);
 * {@link io.videomerge.testing.ClipServer} serves them over loopback HTTP; {@link io.videomerge.testing.WebhookReceiver}
 * receives webhooks on loopback and checks their signatures; {@link io.videomerge.testing.PostgresCluster} is a PostgreSQL
 * server of a test's own that the test may crash; {@link io.videomerge.testing.MutableClock} is a clock that tests move
 * instead of sleeping.
 */
package io.videomerge.testing;
