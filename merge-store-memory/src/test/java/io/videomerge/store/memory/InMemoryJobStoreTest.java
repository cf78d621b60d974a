package io.videomerge.store.memory;

import io.videomerge.spi.JobStore;
import io.videomerge.spi.JobStoreContract;
import java.time.Clock;
import org.junit.jupiter.api.DisplayName;

@DisplayName("InMemoryJobStore")
class InMemoryJobStoreTest extends JobStoreContract {
    @Override
    protected JobStore newStore(Clock clock) {
        return new InMemoryJobStore(clock);
    }
}
