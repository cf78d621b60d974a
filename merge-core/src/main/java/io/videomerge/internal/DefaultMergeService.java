package io.videomerge.internal;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.InvalidRequestException;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.MergeService;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import io.videomerge.TaskStatus;
import io.videomerge.internal.disk.DiskSpace;
import io.videomerge.internal.encode.ProgressListener;
import io.videomerge.internal.fetch.CallbackClient;
import io.videomerge.internal.fetch.Fetcher;
import io.videomerge.internal.isolate.ChildProcessStep;
import io.videomerge.internal.job.AsyncMergeService;
import io.videomerge.internal.job.InstanceFolder;
import io.videomerge.internal.job.WebhookDeliverer;
import io.videomerge.internal.media.MediaStep;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/**
 * The {@link MergeService} of this library: {@link #merge} runs the {@link MergePipeline} in the calling
 * thread (its media work in this JVM or in a child process, as configured); with a job store, the asynchronous methods record jobs that {@link AsyncMergeService}' worker runs
 * through the same pipeline. Merges keep their temp folders in this instance's {@link InstanceFolder}.
 */
public final class DefaultMergeService implements MergeService {
    private static final String NO_JOB_STORE = "asynchronous jobs need a JobStore";

    private final ServiceConfig config;
    private final InstanceFolder folder;
    private final Fetcher fetcher;
    private final MediaStep media;
    private final MergePipeline pipeline;
    private final Optional<AsyncMergeService> async;

    /** Clears what crashed instances left in the work directory, then starts the job worker if configured. */
    public DefaultMergeService(ServiceConfig config) {
        this.config = requireNonNull(config, "config");
        this.folder = InstanceFolder.open(config.workDirectory());
        this.fetcher = new Fetcher(config.limits());
        this.media = config.isolation()
                .<MediaStep>map(child -> ChildProcessStep.open(child, config.limits(), folder.path()))
                .orElseGet(() -> MediaStep.local(config.limits()));
        this.pipeline = new MergePipeline(
                config.limits(),
                config.uploader(),
                folder.path(),
                config.clock(),
                fetcher::fetch,
                media,
                config.posterAt(),
                config.speed());
        this.async = config.jobs()
                .map(settings -> new AsyncMergeService(
                        settings,
                        new PipelineRunner(pipeline, config.uploader(), folder),
                        this::validate,
                        config.webhooks()
                                .map(webhooks -> new WebhookDeliverer(
                                        settings,
                                        webhooks,
                                        new CallbackClient(
                                                config.limits(),
                                                webhooks.concurrency(),
                                                webhooks.timeout(),
                                                webhooks.maxResponseBytes()))),
                        config.observer()));
    }

    /** The pipeline merges run through, for the job layer. */
    public MergePipeline pipeline() {
        return pipeline;
    }

    @Override
    public MergeResult merge(MergeRequest request) {
        validate(request);
        if (request.callbackUrl().isPresent()) {
            throw new InvalidRequestException("callback_url is for submitted tasks: merge() answers in the calling"
                    + " thread and sends no webhook");
        }
        return pipeline.run(request, TaskId.random().value(), ProgressListener.NONE);
    }

    @Override
    public void validate(MergeRequest request) {
        requireNonNull(request, "request");
        Limits limits = config.limits();
        int n = request.videoUrls().size();
        if (n < limits.minClips() || n > limits.maxClips()) {
            throw new InvalidRequestException(
                    ErrorCode.INVALID_REQUEST,
                    "video_urls must list between " + limits.minClips() + " and " + limits.maxClips() + " URLs, got "
                            + n);
        }
        for (int i = 0; i < n; i++) {
            Fetcher.checkUrl(request.videoUrls().get(i), i, limits);
        }
        if (request.callbackUrl().isPresent()) {
            if (config.webhooks().isEmpty()) {
                throw new InvalidRequestException(
                        CallbackClient.FIELD + ": this service sends no webhooks, so a callback URL cannot be used");
            }
            CallbackClient.checkUrl(request.callbackUrl().get(), limits);
        }
    }

    @Override
    public TaskId submit(MergeRequest request) {
        return jobs().submit(Principal.ANONYMOUS, request, Optional.empty());
    }

    @Override
    public TaskId submit(MergeRequest request, String idempotencyKey) {
        return jobs().submit(
                        Principal.ANONYMOUS, request, Optional.of(requireNonNull(idempotencyKey, "idempotencyKey")));
    }

    @Override
    public TaskId submit(Principal principal, MergeRequest request, Optional<String> idempotencyKey) {
        return jobs().submit(principal, request, idempotencyKey);
    }

    @Override
    public TaskStatus status(TaskId id) {
        return jobs().status(Optional.empty(), id);
    }

    @Override
    public TaskStatus status(Principal principal, TaskId id) {
        return jobs().status(Optional.of(principal), id);
    }

    @Override
    public MergeResult result(TaskId id) {
        return jobs().result(Optional.empty(), id);
    }

    @Override
    public MergeResult result(Principal principal, TaskId id) {
        return jobs().result(Optional.of(principal), id);
    }

    @Override
    public TaskStatus await(TaskId id, Duration timeout) throws InterruptedException {
        return jobs().await(Optional.empty(), id, timeout);
    }

    @Override
    public CompletableFuture<TaskStatus> awaitFinal(TaskId id, Duration timeout) {
        return jobs().awaitFinal(Optional.empty(), id, timeout);
    }

    @Override
    public CompletableFuture<TaskStatus> awaitFinal(Principal principal, TaskId id, Duration timeout) {
        return jobs().awaitFinal(Optional.of(principal), id, timeout);
    }

    @Override
    public boolean cancel(TaskId id) {
        return jobs().cancel(Optional.empty(), id);
    }

    @Override
    public boolean cancel(Principal principal, TaskId id) {
        return jobs().cancel(Optional.of(principal), id);
    }

    /**
     * Checks that the service can take work: the job store answers, and the work directory has at least
     * {@link ServiceConfig#minFreeDiskBytes()} free.
     *
     * @throws MergeException STORAGE_FULL when the disk is low
     * @throws io.videomerge.StoreUnavailableException when the store does not answer
     */
    @Override
    public void ping() {
        long floor = config.minFreeDiskBytes();
        if (floor > 0) {
            long free = DiskSpace.usableBytes(folder.path());
            if (free < floor) {
                throw new MergeException(
                        ErrorCode.STORAGE_FULL,
                        "low disk space: " + (free >> 20) + " MiB free for merges, under the " + (floor >> 20)
                                + " MiB floor");
            }
        }
        jobs().ping();
    }

    /** The media step merges run through: in this JVM or in child processes. */
    public MediaStep media() {
        return media;
    }

    /**
     * Stops the worker (running merges get the grace period, then go back to the store), then the media step
     * (no child process outlives the service), then the folder.
     */
    @Override
    public void close() {
        try {
            async.ifPresent(AsyncMergeService::close);
        } finally {
            try {
                media.close();
            } finally {
                fetcher.close();
                folder.close();
            }
        }
    }

    private AsyncMergeService jobs() {
        return async.orElseThrow(() -> new UnsupportedOperationException(NO_JOB_STORE));
    }
}
