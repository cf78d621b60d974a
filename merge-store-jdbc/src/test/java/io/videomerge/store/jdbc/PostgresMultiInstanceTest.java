package io.videomerge.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobState;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two service instances with worker pools of their own share one PostgreSQL queue. */
@DisplayName("two MergeService instances on one PostgreSQL store")
class PostgresMultiInstanceTest {
    private static final int JOBS = 20;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @RegisterExtension
    static final PostgresStores DATABASE = new PostgresStores();

    @TempDir
    Path dir;

    @Test
    @DisplayName("complete twenty submitted merges, each exactly once, with work done by both instances")
    void twoInstancesShareTheWork() throws Exception {
        Path clips = Files.createDirectories(dir.resolve("clips"));
        ClipSpec spec = ClipSpec.of(320, 240).withFps(25).withDuration(1.0);
        Path a = ClipGenerator.write(spec, clips, "a");
        Path b = ClipGenerator.write(spec.withSize(240, 320), clips, "b");
        String prefix = DATABASE.newPrefix();

        try (ClipServer server = ClipServer.serve(clips);
                JdbcJobStore storeOne = JdbcJobStore.builder(DATABASE.jdbi())
                        .tablePrefix(prefix)
                        .build();
                JdbcJobStore storeTwo = JdbcJobStore.builder(DATABASE.jdbi())
                        .tablePrefix(prefix)
                        .build()) {
            MergeRequest request = MergeRequest.of(List.of(
                    server.url(a.getFileName().toString()),
                    server.url(b.getFileName().toString())));
            List<TaskId> ids = new ArrayList<>();
            try (MergeService one = instance(storeOne, "one");
                    MergeService two = instance(storeTwo, "two")) {
                for (int i = 0; i < JOBS; i++) {
                    ids.add((i % 2 == 0 ? one : two).submit(request));
                }
                for (TaskId id : ids) {
                    TaskStatus status = one.await(id, WAIT);
                    assertEquals(TaskStatus.Status.COMPLETED, status.status(), () -> id + " " + status);
                }
            }

            for (TaskId id : ids) {
                Job job = storeOne.find(id).orElseThrow();
                assertEquals(JobState.COMPLETED, job.state());
                assertEquals(1, job.attempt(), "no job ran twice");
                assertTrue(job.result().isPresent());
            }
            Set<String> byOne = uploads("one");
            Set<String> byTwo = uploads("two");
            Set<String> all = new HashSet<>(byOne);
            all.addAll(byTwo);
            assertEquals(JOBS, byOne.size() + byTwo.size(), "every job was uploaded once: " + byOne + " " + byTwo);
            assertEquals(JOBS, all.size());
            assertTrue(
                    !byOne.isEmpty() && !byTwo.isEmpty(),
                    "both instances merged: " + byOne.size() + "/" + byTwo.size());
        }
    }

    private MergeService instance(JdbcJobStore store, String name) {
        return MergeService.builder()
                .limits(Limits.defaults().toBuilder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(
                        dir.resolve("out-" + name), URI.create("http://files.invalid/" + name + "/")))
                .workDirectory(dir.resolve("work-" + name))
                .jobStore(store)
                .mergeConcurrency(2)
                .pollInterval(Duration.ofMillis(100))
                .ownerId("instance-" + name)
                .build();
    }

    /** The merged videos instance {@code name} published; each must have its poster beside it. */
    private Set<String> uploads(String name) throws IOException {
        Path folder = dir.resolve("out-" + name);
        if (!Files.isDirectory(folder)) {
            return Set.of();
        }
        Set<String> names;
        try (Stream<Path> files = Files.list(folder)) {
            names = new HashSet<>(files.map(f -> f.getFileName().toString()).toList());
        }
        Set<String> videos = new HashSet<>();
        for (String file : names) {
            if (file.endsWith(".mp4")) {
                videos.add(file);
                String poster = file.replace(".mp4", "-poster.jpg");
                assertTrue(names.contains(poster), () -> file + " has its poster " + poster);
            }
        }
        return videos;
    }
}
