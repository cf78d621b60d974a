package io.videomerge.internal;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Limits;
import io.videomerge.MergeResult;
import io.videomerge.internal.job.InstanceFolder;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PipelineRunnerTest {
    @TempDir
    Path dir;

    @Test
    @DisplayName("discarding a purged task's result deletes its video and its poster through the uploader")
    void discardDeletesVideoAndPoster() throws IOException {
        FileSystemUploader uploader =
                new FileSystemUploader(dir.resolve("out"), URI.create("https://cdn.example.com/m/"));
        URI video = uploader.upload(Files.write(dir.resolve("merged.mp4"), new byte[] {1}), "task-1.mp4");
        URI poster = uploader.upload(Files.write(dir.resolve("poster.jpg"), new byte[] {2}), "task-1-poster.jpg");
        URI other = uploader.upload(Files.write(dir.resolve("other.jpg"), new byte[] {3}), "task-2-poster.jpg");
        try (InstanceFolder folder = InstanceFolder.open(dir.resolve("work"))) {
            MergePipeline pipeline = new MergePipeline(
                    Limits.defaults(), uploader, folder.path(), Clock.systemUTC(), (url, i, job, budget) -> {
                        throw new AssertionError("nothing is fetched");
                    });
            PipelineRunner runner = new PipelineRunner(pipeline, uploader, folder);

            runner.discard(new MergeResult(video, 1, Duration.ZERO, 2, false).withThumbnailUrl(poster));
        }

        assertFalse(Files.exists(dir.resolve("out/task-1.mp4")));
        assertFalse(Files.exists(dir.resolve("out/task-1-poster.jpg")));
        assertTrue(Files.exists(dir.resolve("out/task-2-poster.jpg")), "another task's poster stays: " + other);
    }
}
