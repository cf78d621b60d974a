package io.videomerge.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.cluster.SlotHash;
import io.videomerge.ErrorCode;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobState;
import io.videomerge.spi.NewJob;
import io.videomerge.testing.MutableClock;
import io.videomerge.testing.SampleJobs;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What the contract suite cannot see: how the store lays jobs out in Redis and uses its scripts. */
class RedisJobStoreLayoutTest {
    private static final Duration LEASE = Duration.ofMinutes(1);
    private static final Duration RETENTION = Duration.ofHours(2);

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    private final MutableClock clock = new MutableClock();

    private RedisJobStore store(String prefix) {
        return redis.track(RedisJobStore.builder(TestRedis.client())
                .clock(clock)
                .keyPrefix(prefix)
                .retention(RETENTION)
                .build());
    }

    @Test
    @DisplayName("every key of a store carries its hash tag, so the whole store lives in one Cluster slot")
    void allKeysShareOneClusterSlot() {
        String prefix = redis.newPrefix();
        RedisJobStore store = store(prefix);
        store.create(SampleJobs.newJob("key-1"));
        store.create(SampleJobs.newJob());
        store.create(SampleJobs.newJob());
        store.complete(store.claim("w", LEASE).orElseThrow().lease().orElseThrow(), SampleJobs.RESULT);
        store.claim("w", LEASE);

        List<String> keys = TestRedis.keysOf(prefix);
        Set<String> kinds = keys.stream().map(k -> k.split(":")[1]).collect(Collectors.toSet());
        assertEquals(Set.of("job", "idem", "seq", "ready", "processing", "finished"), kinds);
        Set<Integer> slots = keys.stream().map(SlotHash::getSlot).collect(Collectors.toSet());
        assertEquals(Set.of(SlotHash.getSlot("{" + prefix + "}")), slots);
    }

    @Test
    @DisplayName("the script that finishes a job gives it and its idempotency key the retention as TTL")
    void finishedJobsExpireAfterTheRetention() {
        String prefix = redis.newPrefix();
        RedisJobStore store = store(prefix);
        Job done = store.create(SampleJobs.newJob("done"));
        Job waiting = store.create(SampleJobs.newJob("waiting"));
        store.complete(store.claim("w", LEASE).orElseThrow().lease().orElseThrow(), SampleJobs.RESULT);

        long jobTtl = TestRedis.commands().pttl("{" + prefix + "}:job:" + done.id());
        long keyTtl = TestRedis.commands().pttl("{" + prefix + "}:idem:9:anonymous:done");
        assertTrue(jobTtl > 0 && jobTtl <= RETENTION.toMillis(), "job TTL " + jobTtl);
        assertTrue(keyTtl > 0 && keyTtl <= RETENTION.toMillis(), "idempotency key TTL " + keyTtl);
        assertEquals(
                -1,
                TestRedis.commands().pttl("{" + prefix + "}:job:" + waiting.id()),
                "a job that is not final never expires");
    }

    @Test
    @DisplayName("a failed, a cancelled and a worker-lost job all get the retention as TTL")
    void everyFinalStateExpires() {
        String prefix = redis.newPrefix();
        RedisJobStore store = store(prefix);
        Job failed = store.create(SampleJobs.newJob());
        Job cancelled = store.create(SampleJobs.newJob());
        store.fail(
                store.claim("w", LEASE).orElseThrow().lease().orElseThrow(),
                new JobError(ErrorCode.INVALID_MEDIA, "input 0 is not a video"),
                Optional.empty());
        store.cancel(cancelled.id());
        Job lost = store.create(
                new io.videomerge.spi.NewJob(io.videomerge.TaskId.random(), SampleJobs.REQUEST, Optional.empty(), 1));
        store.claim("w", LEASE).orElseThrow();
        clock.advance(LEASE.plusMillis(1));
        assertEquals(1, store.requeueExpired());

        assertEquals(JobState.FAILED, store.find(failed.id()).orElseThrow().state());
        assertEquals(
                JobState.CANCELLED, store.find(cancelled.id()).orElseThrow().state());
        assertEquals(
                Optional.of(ErrorCode.WORKER_LOST),
                store.find(lost.id()).orElseThrow().error().map(JobError::code));
        for (Job job : List.of(failed, cancelled, lost)) {
            long ttl = TestRedis.commands().pttl("{" + prefix + "}:job:" + job.id());
            assertTrue(ttl > 0 && ttl <= RETENTION.toMillis(), job.id() + " TTL " + ttl);
        }
    }

    @Test
    @DisplayName("jobs ready at the same millisecond are claimed in creation order")
    void sameMillisecondJobsAreClaimedOldestFirst() {
        RedisJobStore store = store(redis.newPrefix());
        List<Job> created = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            created.add(store.create(SampleJobs.newJob()));
        }
        for (Job job : created) {
            assertEquals(job.id(), store.claim("w", LEASE).orElseThrow().id());
        }
    }

    @Test
    @DisplayName("an idle claim writes nothing to Redis")
    void idleClaimWritesNothing() {
        String prefix = redis.newPrefix();
        RedisJobStore store = store(prefix);
        for (int i = 0; i < 5; i++) {
            assertEquals(Optional.empty(), store.claim("w", LEASE));
        }
        assertEquals(List.of(), TestRedis.keysOf(prefix));
    }

    @Test
    @DisplayName("after SCRIPT FLUSH the store loads its scripts again and carries on")
    void scriptsAreLoadedAgainAfterAFlush() {
        RedisJobStore store = store(redis.newPrefix());
        Job first = store.create(SampleJobs.newJob());
        TestRedis.commands().scriptFlush();
        Job claimed = store.claim("w", LEASE).orElseThrow();
        assertEquals(first.id(), claimed.id());
        TestRedis.commands().scriptFlush();
        assertTrue(store.complete(claimed.lease().orElseThrow(), SampleJobs.RESULT));
    }

    @Test
    @DisplayName("purge deletes finished jobs, their index entries and their idempotency keys")
    void purgeLeavesNoKeysBehind() {
        String prefix = redis.newPrefix();
        RedisJobStore store = store(prefix);
        store.create(SampleJobs.newJob("once"));
        store.complete(store.claim("w", LEASE).orElseThrow().lease().orElseThrow(), SampleJobs.RESULT);
        clock.advance(Duration.ofSeconds(1));

        assertEquals(1, store.purgeFinished(clock.instant(), 10).size());
        assertEquals(
                List.of(prefix + "}:seq"),
                TestRedis.keysOf(prefix).stream()
                        .map(k -> k.substring(k.indexOf(prefix)))
                        .toList());
    }

    @Test
    @DisplayName("a due delivery is indexed in the deliveries set until it is done, and purge leaves no entry behind")
    void deliveriesAreIndexedWhileDue() {
        String prefix = redis.newPrefix();
        String deliveries = "{" + prefix + "}:deliveries";
        RedisJobStore store = store(prefix);
        Job done = store.create(new NewJob(
                TaskId.random(),
                SampleJobs.REQUEST.withCallbackUrl(URI.create("https://hooks.example/done")),
                Optional.empty(),
                3));
        Job due = store.create(new NewJob(
                TaskId.random(),
                SampleJobs.REQUEST.withCallbackUrl(URI.create("https://hooks.example/due")),
                Optional.empty(),
                3));
        assertEquals(0, TestRedis.commands().zcard(deliveries), "waiting deliveries are not indexed");
        assertTrue(store.cancel(done.id()));
        assertTrue(store.cancel(due.id()));
        assertEquals(2, TestRedis.commands().zcard(deliveries));
        Job claimed = store.claimDelivery(LEASE).orElseThrow();
        assertTrue(store.deliveryDone(
                claimed.id(), claimed.delivery().orElseThrow().token()));
        assertEquals(1, TestRedis.commands().zcard(deliveries), "a delivery done leaves the set");
        clock.advance(Duration.ofSeconds(1));

        assertEquals(2, store.purgeFinished(clock.instant(), 10).size());
        assertEquals(
                List.of(prefix + "}:seq"),
                TestRedis.keysOf(prefix).stream()
                        .map(k -> k.substring(k.indexOf(prefix)))
                        .toList());
    }

    @Test
    @DisplayName("purge passes over finished entries whose jobs already expired, within the limit")
    void purgePassesOverExpiredJobs() {
        String prefix = redis.newPrefix();
        RedisJobStore store = store(prefix);
        List<Job> done = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            store.create(SampleJobs.newJob());
            Job claimed = store.claim("w", LEASE).orElseThrow();
            assertTrue(store.complete(claimed.lease().orElseThrow(), SampleJobs.RESULT));
            done.add(store.find(claimed.id()).orElseThrow());
            clock.advance(Duration.ofSeconds(1));
        }
        // What the retention TTL does to the two oldest: their hashes go, their finished entries stay.
        TestRedis.commands()
                .del(
                        "{" + prefix + "}:job:" + done.get(0).id(),
                        "{" + prefix + "}:job:" + done.get(1).id());

        assertEquals(List.of(done.get(2)), store.purgeFinished(clock.instant(), 1));
        assertEquals(List.of(done.get(3)), store.purgeFinished(clock.instant(), 5));
        assertEquals(0, TestRedis.commands().zcard("{" + prefix + "}:finished"));
    }

    @Test
    @DisplayName("a listener registered with onJobReady hears of a created job")
    void createWakesAListener() throws InterruptedException {
        RedisJobStore store = store(redis.newPrefix());
        CountDownLatch woken = new CountDownLatch(1);
        RedisJobStore.Subscription subscription = store.onJobReady(woken::countDown);
        try {
            store.create(SampleJobs.newJob());
            assertTrue(woken.await(RedisProcess.DEADLINE.toSeconds(), TimeUnit.SECONDS), "no wake-up heard");
        } finally {
            subscription.close();
        }
    }
}
