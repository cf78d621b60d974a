package io.videomerge.testing;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.NewJob;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** A request, a result and new jobs for stores' own tests (the contract suite brings its own variety). */
public final class SampleJobs {
    /** Two clips, the contract's defaults. */
    public static final MergeRequest REQUEST = MergeRequest.of(
            List.of(URI.create("https://media.example/a.mp4"), URI.create("https://media.example/b.mp4")));

    /** A finished merge of {@link #REQUEST}. */
    public static final MergeResult RESULT =
            new MergeResult(URI.create("https://files.example/out.mp4"), 12.5, Duration.ofSeconds(3), 2, false);

    private SampleJobs() {}

    /** A new job of {@link #REQUEST} with three attempts and no idempotency key. */
    public static NewJob newJob() {
        return new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3);
    }

    /** A new job of {@link #REQUEST} with three attempts under {@code idempotencyKey}. */
    public static NewJob newJob(String idempotencyKey) {
        return new NewJob(TaskId.random(), REQUEST, Optional.of(idempotencyKey), 3);
    }
}
