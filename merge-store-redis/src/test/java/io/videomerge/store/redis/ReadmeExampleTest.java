package io.videomerge.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobState;
import io.videomerge.spi.NewJob;
import io.videomerge.testing.SampleJobs;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReadmeExampleTest {
    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @Test
    @DisplayName("the README's first example runs as written")
    void readmeExampleRuns() {
        MergeRequest request = SampleJobs.REQUEST;
        MergeResult result = SampleJobs.RESULT;
        String prefix = redis.newPrefix();
        Job job;

        try (RedisJobStore store = RedisJobStore.builder(TestRedis.URI)
                .keyPrefix(prefix)
                .retention(Duration.ofHours(48))
                .build()) {
            job = store.create(new NewJob(TaskId.random(), request, Optional.empty(), 3));
            Job claimed = store.claim("worker-1", Duration.ofMinutes(1)).orElseThrow();
            store.complete(claimed.lease().orElseThrow(), result);

            assertEquals(job.id(), claimed.id());
            assertEquals(JobState.COMPLETED, store.find(job.id()).orElseThrow().state());
            assertEquals(Optional.of(result), store.find(job.id()).orElseThrow().result());
        }
    }
}
