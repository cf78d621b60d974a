package io.videomerge.store.memory;

import io.videomerge.MergeServiceJobsContract;
import io.videomerge.spi.JobStore;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("asynchronous merges end to end on InMemoryJobStore")
class InMemoryMergeServiceJobsTest extends MergeServiceJobsContract {
    @Override
    protected JobStore newStore(Clock clock) {
        return new InMemoryJobStore(clock);
    }
}
