package io.videomerge.store.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fresh, empty SQLite stores for a test class: a file of its own for every store, in a temporary folder
 * that lives from the outermost class's start to its end.
 */
final class SqliteStores implements BeforeAllCallback, AfterAllCallback {
    private final AtomicInteger files = new AtomicInteger();
    private int depth;
    private Path folder;

    @Override
    public synchronized void beforeAll(ExtensionContext context) throws IOException {
        if (depth++ == 0) {
            folder = Files.createTempDirectory("videomerge-sqlite-");
        }
    }

    @Override
    public synchronized void afterAll(ExtensionContext context) throws IOException {
        if (--depth == 0) {
            try (Stream<Path> paths = Files.walk(folder)) {
                paths.sorted(Comparator.reverseOrder()).forEach(SqliteStores::delete);
            }
        }
    }

    /** A store in a new SQLite file, with every time from {@code clock}. */
    synchronized JdbcJobStore newStore(Clock clock) {
        Path file = folder.resolve("jobs-" + files.incrementAndGet() + ".db");
        return JdbcJobStore.builder(Jdbi.create("jdbc:sqlite:" + file))
                .clock(clock)
                .build();
    }

    private static void delete(Path path) {
        try {
            // SQLite removes a database's -wal and -shm files itself when its last connection closes,
            // which a store's background threads may be doing right now.
            Files.deleteIfExists(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
