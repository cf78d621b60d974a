package io.videomerge.store.redis;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.NewJob;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** New jobs for the Redis-specific tests. */
final class Jobs {
    static final MergeRequest REQUEST = MergeRequest.of(
            List.of(URI.create("https://media.example/a.mp4"), URI.create("https://media.example/b.mp4")));

    static final MergeResult RESULT =
            new MergeResult(URI.create("https://files.example/out.mp4"), 12.5, Duration.ofSeconds(3), 2, false);

    private Jobs() {
    }

    static NewJob newJob() {
        return new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3);
    }

    static NewJob newJob(String idempotencyKey) {
        return new NewJob(TaskId.random(), REQUEST, Optional.of(idempotencyKey), 3);
    }
}
