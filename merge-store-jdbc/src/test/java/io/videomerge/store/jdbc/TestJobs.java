package io.videomerge.store.jdbc;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.NewJob;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Requests and results for the store's own tests (the contract suite brings its own). */
final class TestJobs {
    static final MergeRequest REQUEST = MergeRequest.of(
            List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")));
    static final MergeResult RESULT =
            new MergeResult(URI.create("https://cdn.example.com/out.mp4"), 12.5, Duration.ofMillis(1500), 2, false);

    private TestJobs() {
    }

    static NewJob newJob() {
        return new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3);
    }

    static NewJob newJob(String idempotencyKey) {
        return new NewJob(TaskId.random(), REQUEST, Optional.of(idempotencyKey), 3);
    }
}
