package io.videomerge.internal.job;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Set;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates and removes the folders merges work in: a job's temporary folder, an instance's folder, or what a
 * crashed instance left behind.
 */
public final class FileTrees {
    /** Read, write and enter for the owner alone (0700): work folders hold downloaded user data. */
    public static final Set<PosixFilePermission> OWNER_ONLY = Set.copyOf(PosixFilePermissions.fromString("rwx------"));

    private static final Logger LOG = LoggerFactory.getLogger(FileTrees.class);

    private FileTrees() {}

    /**
     * Creates {@code dir} and any missing parent with {@code mode} on a POSIX file system, and with the file
     * system's defaults elsewhere; folders that exist already are left as they are.
     *
     * @return {@code dir}
     * @throws IOException when a folder cannot be created or given its mode
     */
    public static Path createDirectories(Path dir, Set<PosixFilePermission> mode) throws IOException {
        Path absolute = dir.toAbsolutePath();
        if (Files.isDirectory(absolute)) {
            return dir;
        }
        if (!isPosix(absolute)) {
            Files.createDirectories(absolute);
            return dir;
        }
        Path parent = absolute.getParent();
        if (parent != null) {
            createDirectories(parent, mode);
        }
        try {
            createDirectory(absolute, mode);
        } catch (FileAlreadyExistsException e) {
            if (!Files.isDirectory(absolute)) {
                throw e;
            }
            // Created meanwhile by someone else: theirs, left as it is.
        }
        return dir;
    }

    /**
     * Creates the new folder {@code dir} with {@code mode} on a POSIX file system, and with the file system's
     * defaults elsewhere.
     *
     * @return {@code dir}
     * @throws FileAlreadyExistsException when {@code dir} exists
     * @throws IOException                when it cannot be created or given its mode
     */
    public static Path createDirectory(Path dir, Set<PosixFilePermission> mode) throws IOException {
        if (!isPosix(dir)) {
            return Files.createDirectory(dir);
        }
        Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(mode));
        // The umask may have taken bits from the mode asked for at creation.
        Files.setPosixFilePermissions(dir, mode);
        return dir;
    }

    /** Whether {@code path}'s file system has POSIX permissions (not so on Windows). */
    public static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    /** Deletes a folder and everything in it, logging (not throwing) what cannot be deleted. */
    public static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException | UncheckedIOException e) {
            LOG.warn("could not remove a work folder", e);
        }
    }
}
