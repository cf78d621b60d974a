package io.videomerge.internal.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceFolderTest {

    @TempDir
    Path root;

    private static Path jobFile(Path instance, String job) throws IOException {
        Path dir = Files.createDirectories(instance.resolve(job));
        return Files.write(dir.resolve("clip-0.bin"), new byte[] {1, 2, 3});
    }

    private List<String> entries() throws IOException {
        try (Stream<Path> s = Files.list(root)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    @DisplayName("opening removes what dead instances left and keeps the files of live ones")
    void removesOrphansKeepsLive() throws IOException {
        Path deadFile = jobFile(root.resolve("instance-dead"), "job-1");
        Files.createFile(root.resolve("instance-dead.lock"));
        Path unlockedFile = jobFile(root.resolve("instance-nolock"), "job-2");
        Path unrelated = Files.createDirectories(root.resolve("uploads"));
        try (InstanceFolder live = InstanceFolder.open(root)) {
            Path liveFile = jobFile(live.path(), "job-3");

            try (InstanceFolder second = InstanceFolder.open(root)) {
                assertFalse(Files.exists(deadFile));
                assertFalse(Files.exists(root.resolve("instance-dead")));
                assertFalse(Files.exists(root.resolve("instance-dead.lock")));
                assertFalse(Files.exists(unlockedFile));
                assertTrue(Files.exists(liveFile), "a live instance's merge files must stay");
                assertTrue(Files.isDirectory(unrelated), "only instance folders are touched");
                assertNotEquals(live.path(), second.path());
                assertTrue(second.path().getFileName().toString().startsWith("instance-"));
            }
        }
    }

    @Test
    @DisplayName("a running instance's sweep removes what an instance that died since left, and keeps its own files")
    void sweepRemovesOrphansWhileRunning() throws IOException {
        try (InstanceFolder live = InstanceFolder.open(root)) {
            Path liveFile = jobFile(live.path(), "job-1");
            Path deadFile = jobFile(root.resolve("instance-died-later"), "job-2");
            Files.createFile(root.resolve("instance-died-later.lock"));

            live.sweepOrphans();

            assertFalse(Files.exists(deadFile));
            assertFalse(Files.exists(root.resolve("instance-died-later.lock")));
            assertTrue(Files.exists(liveFile), "the sweeping instance's own files stay");
            assertEquals(2, entries().size(), entries().toString());
        }
    }

    @Test
    @DisplayName("closing removes the instance's folder with its merge files, and its lock file")
    void closeRemovesOwnFolder() throws IOException {
        InstanceFolder folder = InstanceFolder.open(root);
        Path file = jobFile(folder.path(), "job-1");
        assertEquals(2, entries().size(), entries().toString());

        folder.close();

        assertFalse(Files.exists(file));
        assertEquals(List.of(), entries());
    }

    @Test
    @DisplayName("the work directory is created when missing")
    void createsWorkDirectory() throws IOException {
        Path nested = root.resolve("a").resolve("b");
        try (InstanceFolder folder = InstanceFolder.open(nested)) {
            assertTrue(Files.isDirectory(folder.path()));
            assertEquals(nested.toAbsolutePath(), folder.path().getParent());
        }
    }

    @Test
    @DisplayName("the work directory it creates and the instance's folder are the owner's alone (0700)")
    void foldersAreOwnerOnly() throws IOException {
        Path nested = root.resolve("a").resolve("b");
        try (InstanceFolder folder = InstanceFolder.open(nested)) {
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.path())));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(nested.getParent())));
        }
    }

    @Test
    @DisplayName("a work directory that exists keeps the mode its owner gave it")
    void existingWorkDirectoryKeepsItsMode() throws IOException {
        Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwxr-x---"));
        try (InstanceFolder folder = InstanceFolder.open(root)) {
            assertEquals("rwxr-x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(root)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(folder.path())));
        }
    }
}
