package io.videomerge.internal;

import static java.util.Objects.requireNonNull;

import io.videomerge.Limits;
import io.videomerge.spi.Uploader;
import java.nio.file.Path;
import java.time.Clock;

/**
 * What {@link io.videomerge.MergeService.Builder} collected, handed to {@link DefaultMergeService}.
 *
 * @param limits        the limits requests and inputs are checked against
 * @param uploader      where merged files are published
 * @param workDirectory the folder holding each merge's temporary folder
 * @param clock         the clock of processing times
 */
public record ServiceConfig(Limits limits, Uploader uploader, Path workDirectory, Clock clock) {
    public ServiceConfig {
        requireNonNull(limits, "limits");
        requireNonNull(uploader, "uploader");
        requireNonNull(workDirectory, "workDirectory");
        requireNonNull(clock, "clock");
    }
}
