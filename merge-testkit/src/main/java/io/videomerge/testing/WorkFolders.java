package io.videomerge.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/** Assertions on a service's work folder after its merges ended. */
public final class WorkFolders {
    private WorkFolders() {}

    /** Fails when anything below {@code folder} has a name starting with one of {@code prefixes}. */
    public static void assertNothingLeft(Path folder, String... prefixes) {
        try (Stream<Path> walk = Files.walk(folder)) {
            List<Path> left = walk.filter(p -> Arrays.stream(prefixes)
                            .anyMatch(prefix -> p.getFileName().toString().startsWith(prefix)))
                    .toList();
            assertEquals(List.of(), left, "left behind in " + folder);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
