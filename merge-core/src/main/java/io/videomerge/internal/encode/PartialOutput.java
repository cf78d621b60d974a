package io.videomerge.internal.encode;

import static java.util.Objects.requireNonNull;

import io.videomerge.internal.plan.Plan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The frame both encode paths share: one pass writes the output, and whatever stops it before the end
 * (a failure, an interruption) removes the partial file, so that no caller ever sees half a video.
 */
final class PartialOutput {
    private static final Logger LOG = LoggerFactory.getLogger(PartialOutput.class);

    /** One pass over the clips that writes the output; closing it releases what it opened. */
    interface Pass extends AutoCloseable {
        void execute();

        @Override
        void close();
    }

    /** Opens a pass of one path (transcode or remux). */
    @FunctionalInterface
    interface Opener {
        Pass open(Plan plan, List<Path> inputs, Path output, ProgressListener progress);
    }

    private PartialOutput() {}

    /** Checks the arguments, runs the pass, and deletes {@code output} unless the pass ran to its end. */
    static void write(Plan plan, List<Path> inputs, Path output, ProgressListener progress, Opener opener) {
        requireNonNull(plan, "plan");
        requireNonNull(inputs, "inputs");
        requireNonNull(output, "output");
        requireNonNull(progress, "progress");
        if (inputs.size() != plan.clips().size()) {
            throw new IllegalArgumentException("one input per planned clip");
        }
        boolean done = false;
        try (Pass pass = opener.open(plan, inputs, output, progress)) {
            pass.execute();
            done = true;
        } finally {
            if (!done) {
                deleteQuietly(output);
            }
        }
    }

    /** Removes a partial output; a failure to do so must not hide why the merge failed. */
    static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            LOG.warn("could not delete a partial output", e);
        }
    }
}
