package io.videomerge.upload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSystemUploaderTest {
    private static final URI BASE = URI.create("https://cdn.example.com/merged/");

    @TempDir
    Path dir;

    private static String mode(Path path) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
    }

    /** A merged file as the encoder leaves it: readable by everyone (0644). */
    private Path merged(int... values) throws IOException {
        byte[] bytes = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            bytes[i] = (byte) values[i];
        }
        Path file = Files.write(dir.resolve("merged.mp4"), bytes);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        return file;
    }

    @Test
    @DisplayName("an uploaded file is published under the base URL and deleted again through that URL")
    void uploadThenDelete() throws IOException {
        FileSystemUploader uploader = new FileSystemUploader(dir.resolve("out"), BASE);

        URI url = uploader.upload(merged(1, 2, 3), "task-1.mp4");

        assertEquals(URI.create("https://cdn.example.com/merged/task-1.mp4"), url);
        assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("out/task-1.mp4")));
        assertTrue(uploader.delete(url));
        assertFalse(Files.exists(dir.resolve("out/task-1.mp4")));
        assertFalse(uploader.delete(url), "deleting twice finds nothing");
    }

    @Test
    @DisplayName("a poster is published as <task>-poster.jpg and deleted again through its URL, the video kept")
    void posterUploadThenDelete() throws IOException {
        FileSystemUploader uploader = new FileSystemUploader(dir.resolve("out"), BASE);
        URI video = uploader.upload(merged(1, 2, 3), "task-1.mp4");
        Path jpeg = Files.write(dir.resolve("poster.jpg"), new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF});

        URI poster = uploader.upload(jpeg, "task-1-poster.jpg");

        assertEquals(URI.create("https://cdn.example.com/merged/task-1-poster.jpg"), poster);
        assertArrayEquals(Files.readAllBytes(jpeg), Files.readAllBytes(dir.resolve("out/task-1-poster.jpg")));
        assertEquals("rw-------", mode(dir.resolve("out/task-1-poster.jpg")));
        assertTrue(uploader.delete(poster));
        assertFalse(Files.exists(dir.resolve("out/task-1-poster.jpg")));
        assertTrue(Files.exists(dir.resolve("out/task-1.mp4")), "the video stays until its own URL is deleted");
        assertTrue(uploader.delete(video));
        assertThrows(IllegalArgumentException.class, () -> uploader.upload(jpeg, "task-1-poster.jpeg"));
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
        assertFalse(uploader.delete(URI.create("https://cdn.example.com/merged/keep.jpeg")));

        assertTrue(Files.exists(keep));
        assertTrue(Files.exists(outside));
    }

    @Test
    @DisplayName("published names are the uploader's own: never an upload's temporary file or another type")
    void publishedNames() {
        assertTrue(FileSystemUploader.isPublishedName("task-1.mp4"));
        assertTrue(FileSystemUploader.isPublishedName("task-1-poster.jpg"));
        for (String name : List.of(
                ".upload-123.part",
                "a.mp4.part",
                "a.txt",
                "A.mp4",
                "../a.mp4",
                "sub/a.mp4",
                "",
                "a.jpeg",
                "a.JPG",
                "a.jpg.part",
                "-poster.jpg",
                "a" + "b".repeat(128) + ".jpg")) {
            assertFalse(FileSystemUploader.isPublishedName(name), name);
        }
        assertFalse(FileSystemUploader.isPublishedName(null));
    }

    @Nested
    @DisplayName("file modes")
    class Modes {
        @Test
        @DisplayName("by default a published file is the owner's alone (0600), whatever the merged file's mode, "
                + "and the folder it creates is 0700")
        void ownerOnlyByDefault() throws IOException {
            FileSystemUploader uploader = new FileSystemUploader(dir.resolve("out"), BASE);

            uploader.upload(merged(1, 2, 3), "task-1.mp4");

            assertEquals("rw-------", mode(dir.resolve("out/task-1.mp4")));
            assertEquals("rwx------", mode(dir.resolve("out")));
            assertEquals(FileSystemUploader.OWNER_ONLY, uploader.fileMode());
        }

        @Test
        @DisplayName("a configured 0640 gives files 0640 and the folder it creates 0750")
        void configuredMode() throws IOException {
            FileSystemUploader uploader = new FileSystemUploader(dir.resolve("out"), BASE)
                    .withFileMode(PosixFilePermissions.fromString("rw-r-----"));

            uploader.upload(merged(4, 5), "task-2.mp4");

            assertEquals("rw-r-----", mode(dir.resolve("out/task-2.mp4")));
            assertEquals("rwxr-x---", mode(dir.resolve("out")));
        }

        @Test
        @DisplayName("a folder that exists keeps its mode; a replaced file takes the configured mode")
        void existingFolderKeepsItsMode() throws IOException {
            Path out = Files.createDirectories(dir.resolve("out"));
            Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path old = Files.write(out.resolve("task-3.mp4"), new byte[] {0});
            Files.setPosixFilePermissions(old, PosixFilePermissions.fromString("rw-r--r--"));
            FileSystemUploader uploader = new FileSystemUploader(out, BASE);

            uploader.upload(merged(6), "task-3.mp4");

            assertEquals("rwxr-xr-x", mode(out));
            assertEquals("rw-------", mode(out.resolve("task-3.mp4")));
            assertArrayEquals(new byte[] {6}, Files.readAllBytes(out.resolve("task-3.mp4")));
        }

        @Test
        @DisplayName("createFolder makes the folder with the folder mode before any upload")
        void createFolderBeforeUploads() throws IOException {
            Path out = new FileSystemUploader(dir.resolve("a/out"), BASE)
                    .withFileMode(FileSystemUploader.parseFileMode("644"))
                    .createFolder();

            assertEquals("rwxr-xr-x", mode(out));
            try (Stream<Path> files = Files.list(out)) {
                assertEquals(0, files.count());
            }
        }

        @Test
        @DisplayName("octal modes are read as chmod reads them; a mode that lets anyone execute, lets others write "
                + "or keeps the owner from reading and writing is refused")
        void octalModes() {
            assertEquals(PosixFilePermissions.fromString("rw-------"), FileSystemUploader.parseFileMode("600"));
            assertEquals(PosixFilePermissions.fromString("rw-r-----"), FileSystemUploader.parseFileMode("0640"));
            assertEquals(PosixFilePermissions.fromString("rw-r--r--"), FileSystemUploader.parseFileMode("644"));
            assertEquals(PosixFilePermissions.fromString("rw----r--"), FileSystemUploader.parseFileMode("604"));
            for (String refused :
                    List.of("700", "660", "606", "400", "200", "000", "777", "1600", "6400", "60", "abc", "68")) {
                assertThrows(IllegalArgumentException.class, () -> FileSystemUploader.parseFileMode(refused), refused);
            }
            FileSystemUploader uploader = new FileSystemUploader(dir, BASE);
            assertThrows(
                    IllegalArgumentException.class,
                    () -> uploader.withFileMode(PosixFilePermissions.fromString("rwx------")));
            assertThrows(IllegalArgumentException.class, () -> uploader.withFileMode(Set.of()));
        }
    }

    @Nested
    @DisplayName("signed URLs")
    class Signed {
        private final Instant now = Instant.parse("2030-01-01T12:00:00Z");
        private final UrlSigner signer =
                new UrlSigner(new byte[32], Clock.fixed(now, ZoneOffset.UTC)); // zero bytes: a test's secret

        @Test
        @DisplayName("upload returns the URL signed to expire the validity after now")
        void uploadSigns() throws IOException {
            FileSystemUploader uploader =
                    new FileSystemUploader(dir.resolve("out"), BASE).withSignedUrls(signer, Duration.ofHours(2));

            URI url = uploader.upload(merged(1), "task-1.mp4");

            assertEquals("/merged/task-1.mp4", url.getRawPath());
            assertTrue(url.getRawQuery()
                    .startsWith("expires=" + now.plus(Duration.ofHours(2)).getEpochSecond()));
            assertEquals(UrlSigner.Verdict.VALID, signer.verify(url));
            assertTrue(Files.exists(dir.resolve("out/task-1.mp4")));
        }

        @Test
        @DisplayName("delete recognises its own URLs with their query, valid signature or not, and only those")
        void deleteStripsTheQuery() throws IOException {
            FileSystemUploader uploader =
                    new FileSystemUploader(dir.resolve("out"), BASE).withSignedUrls(signer, Duration.ofHours(2));
            URI first = uploader.upload(merged(1), "task-1.mp4");
            uploader.upload(merged(2), "task-2.mp4");

            assertFalse(
                    uploader.delete(URI.create("https://other.example.com/merged/task-1.mp4?" + first.getRawQuery())));
            assertFalse(
                    uploader.delete(URI.create("https://cdn.example.com/merged/task-1.txt?" + first.getRawQuery())));
            assertTrue(uploader.delete(first));
            assertTrue(uploader.delete(URI.create(BASE + "task-2.mp4?expires=1&signature=forged")));
            assertFalse(Files.exists(dir.resolve("out/task-1.mp4")));
            assertFalse(Files.exists(dir.resolve("out/task-2.mp4")));
        }

        @Test
        @DisplayName("a validity that is not positive is refused")
        void validityMustBePositive() {
            FileSystemUploader uploader = new FileSystemUploader(dir.resolve("out"), BASE);

            assertThrows(IllegalArgumentException.class, () -> uploader.withSignedUrls(signer, Duration.ZERO));
            assertThrows(IllegalArgumentException.class, () -> uploader.withSignedUrls(signer, Duration.ofSeconds(-1)));
        }
    }
}
