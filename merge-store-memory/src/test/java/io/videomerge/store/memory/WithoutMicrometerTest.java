package io.videomerge.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Quality;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Micrometer is an optional dependency of merge-core: a service built without a meter registry runs jobs with no
 * Micrometer class on the class path. Runs in the surefire execution {@code without-micrometer}, which removes
 * Micrometer from this module's test class path (the default execution leaves this tag out).
 */
@Tag("without-micrometer")
class WithoutMicrometerTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("with no Micrometer on the class path, a service built without a registry runs a merge job")
    void runsWithoutMicrometer() throws Exception {
        assertThrows(
                ClassNotFoundException.class,
                () -> Class.forName("io.micrometer.core.instrument.MeterRegistry"),
                "control: this execution has no Micrometer");
        Path clips = Files.createDirectories(dir.resolve("clips"));
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), clips, "a");
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), clips, "b");
        try (ClipServer server = ClipServer.serve(clips);
                MergeService service = MergeService.builder()
                        .jobStore(new InMemoryJobStore())
                        .uploader(
                                new FileSystemUploader(dir.resolve("merged"), URI.create("https://cdn.example.com/m/")))
                        .workDirectory(dir.resolve("work"))
                        .limits(Limits.builder().allowLoopbackUrls(true).build())
                        .build()) {
            TaskId id = service.submit(MergeRequest.of(List.of(server.url("a.mp4"), server.url("b.mp4")))
                    .withQuality(Quality.P480));

            TaskStatus status = service.await(id, Duration.ofMinutes(2));

            assertEquals(TaskStatus.Status.COMPLETED, status.status(), status.message());
            MergeResult result = service.result(id);
            assertEquals(2, result.clipsMerged());
        }
    }
}
