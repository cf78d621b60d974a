package io.videomerge.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the README's first example, line for line, on clips served from this machine. */
class ReadmeExampleTest {
    @TempDir
    Path dir;

    private ClipServer server;
    private String a;
    private String b;

    @BeforeEach
    void serveTwoClips() throws Exception {
        Path clips = Files.createDirectories(dir.resolve("clips"));
        ClipGenerator.write(ClipSpec.defaults().withDuration(1.6), clips.resolve("a.mp4"));
        ClipGenerator.write(ClipSpec.defaults().withDuration(2.0), clips.resolve("b.mp4"));
        server = ClipServer.serve(clips);
        a = server.url("a.mp4").toString();
        b = server.url("b.mp4").toString();
    }

    @AfterEach
    void stopServer() {
        server.close();
    }

    @Test
    @DisplayName("the README's first example merges two clips into one file of their length less the fade")
    void readmeExampleRuns() throws Exception {
        Path merged = dir.resolve("merged");
        // The lines below are the README's "A first merge"; only the URLs, the loopback switch (the
        // clips are served from this machine) and the smaller quality (a faster test) differ.
        try (MergeService service = MergeService.builder()
                .jobStore(new InMemoryJobStore())
                .uploader(new FileSystemUploader(merged, URI.create("https://cdn.example.com/merged/")))
                .limits(Limits.builder().allowLoopbackUrls(true).build())
                .build()) {
            TaskId task = service.submit(
                    MergeRequest.of(List.of(URI.create(a), URI.create(b))).withQuality(Quality.P480));
            TaskStatus status = service.await(task, Duration.ofMinutes(5));
            MergeResult result = service.result(task);
            System.out.println(status.status() + ": " + result.mergedUrl() + ", " + result.durationSeconds() + " s");

            assertEquals(TaskStatus.Status.COMPLETED, status.status());
            assertEquals(2, result.clipsMerged());
            // 1.6 s + 2.0 s less one 0.5 s fade; a frame (1/30 s) or an AAC frame of slack either way.
            assertEquals(3.1, result.durationSeconds(), 0.05);
            assertTrue(result.mergedUrl().toString().startsWith("https://cdn.example.com/merged/"));
            assertTrue(Files.size(
                            merged.resolve(Path.of(result.mergedUrl().getPath()).getFileName()))
                    > 0);
        }
    }
}
