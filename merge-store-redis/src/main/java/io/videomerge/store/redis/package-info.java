/**
 * A {@link io.videomerge.spi.JobStore} on Redis through Lettuce, for job queues that several service
 * instances share: {@link io.videomerge.store.redis.RedisJobStore}.
 */
package io.videomerge.store.redis;
