package io.videomerge.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemUploaderTest {
    private static final URI BASE = URI.create("https://cdn.example.com/merged/");

    @TempDir
    Path dir;

    @Test
    @DisplayName("an uploaded file is published under the base URL and deleted again through that URL")
    void uploadThenDelete() throws IOException {
        FileSystemUploader uploader = new FileSystemUploader(dir.resolve("out"), BASE);
        Path merged = Files.write(dir.resolve("merged.mp4"), new byte[] {1, 2, 3});

        URI url = uploader.upload(merged, "task-1.mp4");

        assertEquals(URI.create("https://cdn.example.com/merged/task-1.mp4"), url);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("out/task-1.mp4")));
        assertTrue(uploader.delete(url));
        assertFalse(Files.exists(dir.resolve("out/task-1.mp4")));
        assertFalse(uploader.delete(url), "deleting twice finds nothing");
    }

    @Test
    @DisplayName("delete leaves alone what is not one of its files: other hosts, other folders, unsafe names")
    void deleteRefusesForeignUrls() throws IOException {
        FileSystemUploader uploader = new FileSystemUploader(dir.resolve("out"), BASE);
        Path keep = Files.write(Files.createDirectories(dir.resolve("out")).resolve("keep.mp4"), new byte[] {7});
        Path outside = Files.write(dir.resolve("secret.mp4"), new byte[] {9});

        assertFalse(uploader.delete(URI.create("https://other.example.com/merged/keep.mp4")));
        assertFalse(uploader.delete(URI.create("https://cdn.example.com/merged/../secret.mp4")));
        assertFalse(uploader.delete(URI.create("https://cdn.example.com/merged/sub/keep.mp4")));
        assertFalse(uploader.delete(URI.create("https://cdn.example.com/merged/keep.txt")));

        assertTrue(Files.exists(keep));
        assertTrue(Files.exists(outside));
    }
}
