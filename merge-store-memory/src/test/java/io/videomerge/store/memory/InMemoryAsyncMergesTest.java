package io.videomerge.store.memory;

import io.videomerge.internal.job.AsyncMergesContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("async merges on InMemoryJobStore")
class InMemoryAsyncMergesTest extends AsyncMergesContract {
    @Override
    protected JobStore newStore(Clock clock) {
        return new InMemoryJobStore(clock);
    }
}
