package io.videomerge.internal;

import io.videomerge.Limits;
import io.videomerge.internal.fetch.ByteBudget;
import io.videomerge.internal.fetch.Fetcher;
import java.net.URI;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * The pipeline's downloads, through one {@link Fetcher} per service and one {@link ByteBudget} per job.
 */
final class UrlDownloads implements MergePipeline.Download, AutoCloseable {
    private final Fetcher fetcher;
    private final long maxBytesPerJob;
    // The pipeline passes the same job folder for each of a job's inputs and drops it when the job ends:
    // weak keys let a finished job's budget go with it.
    private final Map<Path, ByteBudget> budgets = Collections.synchronizedMap(new WeakHashMap<>());

    private UrlDownloads(Limits limits) {
        this.fetcher = new Fetcher(limits);
        this.maxBytesPerJob = limits.maxBytesPerJob();
    }

    static UrlDownloads create(Limits limits) {
        return new UrlDownloads(limits);
    }

    @Override
    public Path fetch(URI url, int index, Path jobDir) {
        return fetcher.fetch(url, index, jobDir, budgets.computeIfAbsent(jobDir, dir -> new ByteBudget(maxBytesPerJob)));
    }

    /** What can be checked before any job exists: scheme, host spelling, literal addresses. */
    static void check(URI url, int index, Limits limits) {
        Fetcher.checkUrl(url, index, limits);
    }

    @Override
    public void close() {
        fetcher.close();
    }
}
