package io.videomerge.store.redis;

import static io.videomerge.store.redis.RedisProcess.awaitCondition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.lettuce.core.KillArgs;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.videomerge.StoreUnavailableException;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobState;
import io.videomerge.testing.SampleJobs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs redis-server processes of its own, so it can kill and restart them under a running store. */
class RedisJobStoreRestartTest {
    private static final Duration LEASE = Duration.ofMinutes(5);

    @TempDir
    Path dir;

    @Test
    @DisplayName("a store keeps running through a Redis crash and restart with AOF, and no accepted job is lost")
    void storeRecoversAfterRedisRestartWithoutLosingJobs() {
        try (RedisProcess redis = new RedisProcess(dir, "--appendonly", "yes", "--appendfsync", "everysec").start();
                RedisJobStore store = RedisJobStore.builder(redis.uri())
                        .commandTimeout(Duration.ofSeconds(1))
                        .build()) {
            List<TaskId> accepted = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                accepted.add(store.create(SampleJobs.newJob()).id());
            }
            Job claimed = store.claim("worker-a", LEASE).orElseThrow();

            redis.kill();
            assertThrows(
                    StoreUnavailableException.class,
                    () -> store.create(SampleJobs.newJob()),
                    "a create while Redis is down must fail, not report a job it did not save");

            redis.start();
            awaitCondition("the same store answers again", () -> answers(store));

            for (TaskId id : accepted) {
                Job job = store.find(id).orElseThrow(() -> new AssertionError("job lost in the restart: " + id));
                assertEquals(id.equals(claimed.id()) ? JobState.PROCESSING : JobState.PENDING, job.state());
            }
            assertTrue(
                    store.complete(claimed.lease().orElseThrow(), SampleJobs.RESULT),
                    "the lease taken before the restart still holds after it");
            Set<TaskId> claimedAfter = new HashSet<>();
            for (Optional<Job> next = store.claim("worker-b", LEASE);
                    next.isPresent();
                    next = store.claim("worker-b", LEASE)) {
                claimedAfter.add(next.get().id());
            }
            assertEquals(accepted.size() - 1, claimedAfter.size(), "every pending job is still there to claim");
            assertTrue(accepted.containsAll(claimedAfter));
            assertEquals(JobState.PENDING, store.create(SampleJobs.newJob()).state(), "creates work again");
        }
    }

    @Test
    @DisplayName("a store whose connection is cut reconnects by itself and carries on")
    void storeReconnectsAfterItsConnectionIsCut() {
        try (RedisProcess redis = new RedisProcess(dir).start();
                RedisJobStore store = RedisJobStore.builder(redis.uri())
                        .commandTimeout(Duration.ofSeconds(1))
                        .build()) {
            Job before = store.create(SampleJobs.newJob());

            RedisClient admin = RedisClient.create(redis.uri());
            try (StatefulRedisConnection<String, String> connection = admin.connect()) {
                long killed = connection
                        .sync()
                        .clientKill(KillArgs.Builder.typeNormal().skipme());
                assertTrue(killed >= 1, "the store's connection was cut");
            } finally {
                admin.shutdown();
            }

            awaitCondition("the store answers again", () -> answers(store));
            assertEquals(Optional.of(before), store.find(before.id()));
            assertEquals(before.id(), store.claim("worker", LEASE).orElseThrow().id());
        }
    }

    @Test
    @DisplayName("a store whose Redis is unreachable throws StoreUnavailableException, and works once Redis is up")
    void unreachableRedisMakesCreateFailUntilItIsUp() {
        RedisProcess redis = new RedisProcess(dir);
        try (redis;
                RedisJobStore store = RedisJobStore.builder(redis.uri())
                        .commandTimeout(Duration.ofSeconds(1))
                        .build()) {
            assertThrows(StoreUnavailableException.class, () -> store.create(SampleJobs.newJob()));
            assertThrows(StoreUnavailableException.class, () -> store.find(TaskId.random()));
            assertThrows(StoreUnavailableException.class, () -> store.claim("worker", LEASE));

            redis.start();
            awaitCondition("the store connects", () -> answers(store));
            Job created = store.create(SampleJobs.newJob());
            assertEquals(Optional.of(created), store.find(created.id()));
        }
    }

    @Test
    @DisplayName("the store reads Redis's eviction policy at start-up, the one it warns about unless noeviction")
    void evictionPolicyIsReadAtStartUp() {
        try (RedisProcess redis = new RedisProcess(dir, "--maxmemory-policy", "allkeys-lru").start();
                RedisJobStore store = RedisJobStore.builder(redis.uri()).build()) {
            assertEquals(Optional.of("allkeys-lru"), store.evictionPolicy());
        }
    }

    private static boolean answers(RedisJobStore store) {
        try {
            store.ping();
            return true;
        } catch (StoreUnavailableException e) {
            return false;
        }
    }
}
