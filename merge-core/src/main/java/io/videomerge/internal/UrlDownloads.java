package io.videomerge.internal;

import io.videomerge.Limits;
import io.videomerge.internal.fetch.ByteBudget;
import io.videomerge.internal.fetch.Fetcher;
import java.net.URI;
import java.nio.file.Path;

/** The pipeline's downloads, through one {@link Fetcher} per service. */
final class UrlDownloads implements MergePipeline.Download, AutoCloseable {
    private final Fetcher fetcher;

    private UrlDownloads(Limits limits) {
        this.fetcher = new Fetcher(limits);
    }

    static UrlDownloads create(Limits limits) {
        return new UrlDownloads(limits);
    }

    @Override
    public Path fetch(URI url, int index, Path jobDir, ByteBudget budget) {
        return fetcher.fetch(url, index, jobDir, budget);
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
