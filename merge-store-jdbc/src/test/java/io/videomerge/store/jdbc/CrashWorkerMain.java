package io.videomerge.store.jdbc;

import io.videomerge.Limits;
import io.videomerge.MergeService;
import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import org.jdbi.v3.core.Jdbi;

/**
 * The worker process of {@link PostgresCrashTest}: one merge thread on the given PostgreSQL tables,
 * running until it is killed. Arguments: JDBC URL, table prefix, work folder, upload folder.
 */
final class CrashWorkerMain {
    private CrashWorkerMain() {}

    public static void main(String[] args) throws InterruptedException {
        JdbcJobStore store =
                JdbcJobStore.builder(Jdbi.create(args[0])).tablePrefix(args[1]).build();
        MergeService service = MergeService.builder()
                .limits(Limits.defaults().toBuilder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(Path.of(args[3]), URI.create("http://files.invalid/victim/")))
                .workDirectory(Path.of(args[2]))
                .jobStore(store)
                .workers(1)
                .leaseTime(PostgresCrashTest.VICTIM_LEASE)
                .heartbeat(PostgresCrashTest.HEARTBEAT)
                .pollInterval(Duration.ofMillis(100))
                .ownerId("victim")
                .build();
        service.ping();
        System.out.println("worker started");
        new CountDownLatch(1).await();
    }
}
