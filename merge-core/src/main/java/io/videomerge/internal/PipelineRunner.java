package io.videomerge.internal;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.internal.job.InstanceFolder;
import io.videomerge.internal.job.JobRunner;
import io.videomerge.internal.job.StageReport;
import io.videomerge.spi.Uploader;
import java.io.IOException;
import java.net.URI;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The job worker's view of the {@link MergePipeline}: its two stages, the deletion of purged tasks' outputs
 * through the {@link Uploader}, and the removal of work folders that dead instances left.
 */
final class PipelineRunner implements JobRunner {
    private static final Logger LOG = LoggerFactory.getLogger(PipelineRunner.class);

    private final MergePipeline pipeline;
    private final Uploader uploader;
    private final InstanceFolder folder;

    PipelineRunner(MergePipeline pipeline, Uploader uploader, InstanceFolder folder) {
        this.pipeline = requireNonNull(pipeline, "pipeline");
        this.uploader = requireNonNull(uploader, "uploader");
        this.folder = requireNonNull(folder, "folder");
    }

    @Override
    public Fetched fetch(TaskId id, MergeRequest request, Consumer<StageReport> stages) {
        MergePipeline.Inputs inputs = pipeline.fetch(request, id.value(), stages);
        return new Fetched() {
            @Override
            public MergeResult merge(DoubleConsumer progress) {
                return inputs.merge(progress::accept);
            }

            @Override
            public void close() {
                inputs.close();
            }
        };
    }

    /** Deletes a purged task's published files: the video and, when it has one, its poster. */
    @Override
    public void discard(MergeResult result) {
        delete(result.mergedUrl());
        result.thumbnailUrl().ifPresent(this::delete);
    }

    private void delete(URI url) {
        try {
            if (uploader.delete(url)) {
                LOG.debug("deleted the output of a purged task: {}", url.getRawPath());
            }
        } catch (IOException | RuntimeException e) {
            // The path only: a signed URL's query is a credential.
            LOG.warn("could not delete the output of a purged task ({}): {}", url.getRawPath(), e.toString());
        }
    }

    @Override
    public void sweep() {
        folder.sweepOrphans();
    }
}
