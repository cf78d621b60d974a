package io.videomerge.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.AspectRatio;
import io.videomerge.Fit;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.Transition;
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
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Two MergeService instances, each with its own RedisJobStore on one Redis, share twenty real merges. */
class RedisTwoInstancesTest {
    private static final int JOBS = 20;
    private static final Duration WAIT = Duration.ofMinutes(5);

    @TempDir
    static Path clips;

    @TempDir
    Path dir;

    @RegisterExtension
    final TestRedis redis = new TestRedis();

    @BeforeAll
    static void generateClips() {
        // Clips already at the 480p canvas, joined by a cut: the merges are stream copies, so twenty of
        // them stay cheap on a small machine while still running the whole pipeline.
        ClipSpec spec = ClipSpec.of(854, 480).withDuration(1.0);
        ClipGenerator.write(spec, clips, "a");
        ClipGenerator.write(spec, clips, "b");
    }

    @Test
    @DisplayName("twenty jobs submitted to two instances are each completed exactly once, by both instances together")
    void twoInstancesShareTheWork() throws IOException, InterruptedException {
        String prefix = redis.newPrefix();
        try (ClipServer server = ClipServer.serve(clips);
                MergeService a = instance("a", prefix);
                MergeService b = instance("b", prefix)) {
            MergeRequest request = new MergeRequest(
                    List.of(server.url("a.mp4"), server.url("b.mp4")),
                    Quality.P480,
                    AspectRatio.LANDSCAPE_16_9,
                    Fit.PAD,
                    Transition.none());
            List<TaskId> ids = new ArrayList<>();
            for (int i = 0; i < JOBS; i++) {
                ids.add((i % 2 == 0 ? a : b).submit(request));
            }

            for (TaskId id : ids) {
                TaskStatus status = a.await(id, WAIT);
                assertEquals(TaskStatus.Status.COMPLETED, status.status(), id + ": " + status.message());
            }

            RedisJobStore store = redis.track(
                    RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build());
            for (TaskId id : ids) {
                Job job = store.find(id).orElseThrow();
                assertEquals(JobState.COMPLETED, job.state());
                assertEquals(1, job.attempt(), "no job ran twice");
                URI url = job.result().orElseThrow().mergedUrl();
                String instance = url.getHost().substring(0, 1);
                assertTrue(
                        Files.isRegularFile(dir.resolve("out-" + instance).resolve(id + ".mp4")),
                        "the file is where the instance that completed the job put it: " + url);
            }
            Set<String> byA = outputs("a");
            Set<String> byB = outputs("b");
            Set<String> expected = ids.stream().map(id -> id + ".mp4").collect(Collectors.toSet());
            Set<String> all = new HashSet<>(byA);
            all.addAll(byB);
            assertEquals(expected, all, "every job produced its file");
            assertEquals(JOBS, byA.size() + byB.size(), "no job was uploaded by both instances");
            assertFalse(byA.isEmpty(), "instance a did some of the work");
            assertFalse(byB.isEmpty(), "instance b did some of the work");
        }
    }

    private MergeService instance(String name, String prefix) {
        RedisJobStore store = redis.track(
                RedisJobStore.builder(TestRedis.client()).keyPrefix(prefix).build());
        return MergeService.builder()
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .uploader(
                        new FileSystemUploader(dir.resolve("out-" + name), URI.create("http://" + name + ".invalid/")))
                .workDirectory(dir.resolve("work-" + name))
                .jobStore(store)
                .mergeConcurrency(1)
                .ownerId(name)
                .heartbeat(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(100))
                .shutdownGrace(Duration.ZERO)
                .build();
    }

    private Set<String> outputs(String instance) throws IOException {
        Path out = dir.resolve("out-" + instance);
        if (!Files.isDirectory(out)) {
            return Set.of();
        }
        Set<String> names;
        try (Stream<Path> files = Files.list(out)) {
            names = files.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
        }
        // Each merge publishes its video and, beside it, its poster: the videos are the jobs' outputs.
        Set<String> videos = names.stream().filter(n -> n.endsWith(".mp4")).collect(Collectors.toSet());
        for (String video : videos) {
            String poster = video.replace(".mp4", "-poster.jpg");
            assertTrue(names.contains(poster), () -> video + " has its poster " + poster);
        }
        return videos;
    }
}
