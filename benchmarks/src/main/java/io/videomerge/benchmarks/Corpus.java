package io.videomerge.benchmarks;

import static java.util.Objects.requireNonNull;

import io.videomerge.internal.job.FileTrees;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The clips a benchmark trial merges: generated once with merge-testkit's {@link ClipGenerator} into a temporary
 * folder, identical clips appearing under several names (hard links, so ten clips cost the disk one).
 */
final class Corpus implements AutoCloseable {
    /** 1280x720, 30 fps, 10 s, H.264 + AAC stereo 48 kHz with a quiet tone: a clip that matches the 720p canvas. */
    static final ClipSpec CLIP_720P =
            ClipSpec.of(1280, 720).withFps(30).withDuration(10).withBackgroundTone(true);

    private final Path folder;

    private Corpus(Path folder) {
        this.folder = folder;
    }

    /** An empty corpus in a fresh temporary folder. */
    static Corpus create() {
        try {
            return new Corpus(Files.createTempDirectory("videomerge-bench-"));
        } catch (IOException e) {
            throw new UncheckedIOException("no temporary folder for the corpus", e);
        }
    }

    Path folder() {
        return folder;
    }

    /** Writes {@code spec} once as {@code name} and returns the file. */
    Path write(ClipSpec spec, String name) {
        requireNonNull(spec, "spec");
        return ClipGenerator.write(spec, folder, name);
    }

    /**
     * Writes {@code spec} once and makes {@code count} names for it ({@code prefix-1.mp4} …).
     *
     * @return the names, relative to the folder
     */
    List<String> identical(ClipSpec spec, String prefix, int count) {
        Path first = write(spec, prefix + "-1");
        List<String> names = new ArrayList<>(count);
        names.add(first.getFileName().toString());
        try {
            for (int i = 2; i <= count; i++) {
                Path other = folder.resolve(prefix + "-" + i + spec.format().extension());
                Files.deleteIfExists(other);
                Files.createLink(other, first);
                names.add(other.getFileName().toString());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not link the corpus clips", e);
        }
        return names;
    }

    /** Removes the folder and everything in it. */
    @Override
    public void close() {
        FileTrees.deleteTree(folder);
    }
}
