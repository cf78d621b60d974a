package io.videomerge.store.redis;

import io.videomerge.Limits;
import io.videomerge.MergeService;
import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A merge service instance in a JVM of its own for {@link RedisWorkerCrashTest}: one worker on a
 * RedisJobStore, running until the test kills the process.
 */
public final class WorkerProcess {
    /** The lease this instance's worker takes; short, so that the rescue after a kill comes soon. */
    static final Duration LEASE = Duration.ofSeconds(2);

    private WorkerProcess() {}

    /** Arguments: Redis URI, key prefix, output folder, work folder, owner id. */
    public static void main(String[] args) throws InterruptedException {
        RedisJobStore store = RedisJobStore.builder(args[0]).keyPrefix(args[1]).build();
        MergeService service = MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(Path.of(args[2]), URI.create("http://" + args[4] + ".invalid/")))
                .workDirectory(Path.of(args[3]))
                .jobStore(store)
                .workers(1)
                .ownerId(args[4])
                .leaseTime(LEASE)
                .heartbeat(Duration.ofMillis(200))
                .pollInterval(Duration.ofMillis(100))
                .build();
        System.out.println("started " + service.getClass().getSimpleName());
        Thread.currentThread().join();
    }
}
