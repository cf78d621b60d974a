/**
 * The asynchronous half of {@link io.videomerge.MergeService}: {@link io.videomerge.internal.job.AsyncMergeService}
 * records jobs in a {@link io.videomerge.spi.JobStore} and answers status, result, cancel and waits for a
 * final status (one scheduler thread for all waits, none per waiter);
 * its worker runs a bounded pool of merge threads that claim jobs under leases, a dedicated heartbeat
 * thread that renews those leases (learning of cancellation and lease loss), and a janitor that
 * requeues expired leases and purges finished jobs; its {@link io.videomerge.internal.job.WebhookDeliverer} posts the
 * webhooks of finished tasks from the store's due deliveries.
 *
 * <p>No compatibility promise: see {@link io.videomerge.internal}.
 */
package io.videomerge.internal.job;
