package io.videomerge.store.memory;

import io.videomerge.internal.job.AsyncMergeServiceContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("async merges on InMemoryJobStore")
class InMemoryAsyncMergeServiceTest extends AsyncMergeServiceContract {
    @Override
    protected JobStore newStore(Clock clock) {
        return new InMemoryJobStore(clock);
    }
}
