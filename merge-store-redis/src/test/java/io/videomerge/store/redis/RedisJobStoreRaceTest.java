package io.videomerge.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.testing.MutableClock;
import io.videomerge.testing.SampleJobs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Many threads on two store objects (two connections) over one Redis, the way several service instances meet. */
class RedisJobStoreRaceTest {
    private static final int THREADS = 8;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Test
    @DisplayName("racing claims from two store objects hand out every job exactly once")
    void racingClaimsNeverShareAJob() throws Exception {
        String prefix = redis.newPrefix();
        MutableClock clock = new MutableClock();
        RedisJobStore one = redis.track(RedisJobStore.builder(TestRedis.client())
                .clock(clock)
                .keyPrefix(prefix)
                .build());
        RedisJobStore two = redis.track(RedisJobStore.builder(TestRedis.client())
                .clock(clock)
                .keyPrefix(prefix)
                .build());
        Set<TaskId> created = new HashSet<>();
        for (int i = 0; i < 200; i++) {
            created.add(one.create(SampleJobs.newJob()).id());
        }

        List<Callable<List<TaskId>>> claimers = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            RedisJobStore store = t % 2 == 0 ? one : two;
            claimers.add(() -> {
                List<TaskId> mine = new ArrayList<>();
                for (Optional<Job> job = store.claim("w", Duration.ofMinutes(1));
                        job.isPresent();
                        job = store.claim("w", Duration.ofMinutes(1))) {
                    mine.add(job.get().id());
                }
                return mine;
            });
        }
        List<TaskId> claimed = runAll(claimers).stream().flatMap(List::stream).toList();

        assertEquals(created.size(), claimed.size(), "claims in all");
        assertEquals(created, new HashSet<>(claimed), "each job claimed once");
    }

    @Test
    @DisplayName("racing creates with one idempotency key through two store objects store one job, which all return")
    void racingCreatesWithOneKeyMakeOneJob() throws Exception {
        String prefix = redis.newPrefix();
        RedisJobStore one = redis.track(
                RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build());
        RedisJobStore two = redis.track(
                RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build());
        List<Callable<List<TaskId>>> creators = new ArrayList<>();
        for (int t = 0; t < THREADS; t++) {
            RedisJobStore store = t % 2 == 0 ? one : two;
            creators.add(() ->
                    List.of(store.create(SampleJobs.newJob("the-same-key")).id()));
        }
        Set<TaskId> returned = runAll(creators).stream().flatMap(List::stream).collect(Collectors.toSet());

        assertEquals(1, returned.size(), "every create returned the same job");
        assertEquals(
                1,
                TestRedis.keysOf(prefix).stream()
                        .filter(k -> k.contains(":job:"))
                        .count());
    }

    private static <T> List<T> runAll(List<Callable<T>> tasks) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(tasks.size());
        try {
            List<T> results = new ArrayList<>();
            for (Future<T> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
            return results;
        } finally {
            pool.shutdownNow();
        }
    }
}
