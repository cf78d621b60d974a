package io.videomerge.internal;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.InvalidRequestException;
import io.videomerge.Limits;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.internal.encode.ProgressListener;
import java.time.Duration;

/**
 * The in-process {@link MergeService}: {@link #merge} runs the {@link MergePipeline} in the calling
 * thread. The asynchronous methods need a job store, which this service does not have yet.
 */
public final class DefaultMergeService implements MergeService {
    private static final String NO_JOB_STORE = "asynchronous jobs need a JobStore";

    private final ServiceConfig config;
    private final MergePipeline pipeline;

    public DefaultMergeService(ServiceConfig config) {
        this.config = requireNonNull(config, "config");
        this.pipeline = new MergePipeline(config.limits(), config.uploader(), config.workDirectory(), config.clock(),
                UrlDownloads.create(config.limits()));
    }

    /** The pipeline merges run through, for the job layer. */
    public MergePipeline pipeline() {
        return pipeline;
    }

    @Override
    public MergeResult merge(MergeRequest request) {
        validate(request);
        return pipeline.run(request, TaskId.random().value(), ProgressListener.NONE);
    }

    @Override
    public void validate(MergeRequest request) {
        requireNonNull(request, "request");
        Limits limits = config.limits();
        int n = request.videoUrls().size();
        if (n < limits.minClips() || n > limits.maxClips()) {
            throw new InvalidRequestException(ErrorCode.INVALID_REQUEST, "video_urls must list between "
                    + limits.minClips() + " and " + limits.maxClips() + " URLs, got " + n);
        }
        for (int i = 0; i < n; i++) {
            UrlDownloads.check(request.videoUrls().get(i), i, limits);
        }
    }

    @Override
    public TaskId submit(MergeRequest request) {
        throw new UnsupportedOperationException(NO_JOB_STORE);
    }

    @Override
    public TaskId submit(MergeRequest request, String idempotencyKey) {
        throw new UnsupportedOperationException(NO_JOB_STORE);
    }

    @Override
    public TaskStatus status(TaskId id) {
        throw new UnsupportedOperationException(NO_JOB_STORE);
    }

    @Override
    public MergeResult result(TaskId id) {
        throw new UnsupportedOperationException(NO_JOB_STORE);
    }

    @Override
    public TaskStatus await(TaskId id, Duration timeout) {
        throw new UnsupportedOperationException(NO_JOB_STORE);
    }

    @Override
    public boolean cancel(TaskId id) {
        throw new UnsupportedOperationException(NO_JOB_STORE);
    }

    @Override
    public void ping() {
        throw new UnsupportedOperationException(NO_JOB_STORE);
    }

    @Override
    public void close() {
        // Nothing runs in the background yet: merges run in their callers' threads.
    }
}
