package io.videomerge.internal.job;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service instance's folder under the shared work directory, {@code instance-<id>}, which holds the
 * per-job temp folders of that instance's merges.
 *
 * <p>The instance keeps an OS file lock on {@code instance-<id>.lock} for as long as it lives. When an
 * instance opens its folder, it removes the folders of every instance whose lock is free: those are what
 * a crashed or killed process left behind; {@link #sweepOrphans()} does the same while instances run. Instances on one host may therefore share a work directory
 * without touching each other's files; a process that dies loses its lock with it.
 *
 * <p>The instance's folder, and the work directory when this creates it, are the owner's alone (0700 on a POSIX
 * file system): they hold the clips users asked to merge.
 */
public final class InstanceFolder implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(InstanceFolder.class);
    private static final String PREFIX = "instance-";
    private static final String LOCK_SUFFIX = ".lock";

    private final Path root;
    private final Path folder;
    private final Path lockFile;
    private final FileChannel channel;
    private final FileLock lock;
    private final AtomicBoolean closed = new AtomicBoolean();

    private InstanceFolder(Path root, Path folder, Path lockFile, FileChannel channel, FileLock lock) {
        this.root = root;
        this.folder = folder;
        this.lockFile = lockFile;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Removes the folders of dead instances under {@code workDirectory}, then creates and locks a folder
     * for this instance.
     *
     * @throws UncheckedIOException when the work directory cannot be used
     */
    public static InstanceFolder open(Path workDirectory) {
        requireNonNull(workDirectory, "workDirectory");
        Path root = workDirectory.toAbsolutePath();
        try {
            FileTrees.createDirectories(root, FileTrees.OWNER_ONLY);
            removeOrphans(root);
            while (true) {
                String name = PREFIX + UUID.randomUUID();
                Path lockFile = root.resolve(name + LOCK_SUFFIX);
                FileChannel channel;
                try {
                    channel = FileChannel.open(lockFile, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    continue;
                }
                FileLock lock = channel.lock();
                // Another instance sweeping between our create and our lock may have taken the file for an
                // orphan's; then start over under a new name.
                if (!Files.exists(lockFile)) {
                    lock.release();
                    channel.close();
                    continue;
                }
                Path folder = FileTrees.createDirectory(root.resolve(name), FileTrees.OWNER_ONLY);
                return new InstanceFolder(root, folder, lockFile, channel, lock);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the work directory cannot be used", e);
        }
    }

    /** The folder this instance's merges keep their temp folders in. */
    public Path path() {
        return folder;
    }

    /**
     * Removes the folders of instances whose lock is free, as {@link #open} does: the janitor calls this now and
     * then, so that a dead instance's files do not wait for some instance to restart. Never throws.
     */
    public void sweepOrphans() {
        try {
            removeOrphans(root);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not sweep the work directory for dead instances' files: {}", e.toString());
        }
    }

    /** Deletes this instance's folder and gives up its lock; once. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        FileTrees.deleteTree(folder);
        try {
            Files.deleteIfExists(lockFile);
            lock.release();
            channel.close();
        } catch (IOException e) {
            LOG.warn("could not release the instance folder lock", e);
        }
    }

    private static void removeOrphans(Path root) throws IOException {
        try (DirectoryStream<Path> locks = Files.newDirectoryStream(root, PREFIX + "*" + LOCK_SUFFIX)) {
            for (Path lockFile : locks) {
                String file = lockFile.getFileName().toString();
                Path folder = root.resolve(file.substring(0, file.length() - LOCK_SUFFIX.length()));
                removeIfOrphan(lockFile, folder);
            }
        }
        // A folder without a lock file lost its owner before the owner could lock (or after it closed).
        try (DirectoryStream<Path> folders = Files.newDirectoryStream(root, PREFIX + "*")) {
            for (Path folder : folders) {
                if (Files.isDirectory(folder) && !Files.exists(root.resolve(folder.getFileName() + LOCK_SUFFIX))) {
                    LOG.info("removing the temp files of a finished instance: {}", folder.getFileName());
                    FileTrees.deleteTree(folder);
                }
            }
        }
    }

    private static void removeIfOrphan(Path lockFile, Path folder) throws IOException {
        try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.WRITE)) {
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (OverlappingFileLockException e) {
                return; // held by an instance in this very process
            }
            if (lock == null) {
                return; // held by a live process
            }
            try {
                LOG.info("removing the temp files of a dead instance: {}", folder.getFileName());
                FileTrees.deleteTree(folder);
                Files.deleteIfExists(lockFile);
            } finally {
                lock.release();
            }
        } catch (NoSuchFileException e) {
            // Its owner closed meanwhile.
        }
    }
}
