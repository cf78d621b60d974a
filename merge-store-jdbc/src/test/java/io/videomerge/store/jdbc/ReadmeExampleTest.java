package io.videomerge.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.videomerge.MergeRequest;
import io.videomerge.TaskId;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobState;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.NewJob;
import io.videomerge.testing.SampleJobs;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.sqlite.SQLiteDataSource;

class ReadmeExampleTest {
    @TempDir
    Path folder;

    @Test
    @DisplayName("the README's first example stores a job in an SQLite file")
    void readmeExampleStoresAJob() {
        MergeRequest request = SampleJobs.REQUEST;

        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl("jdbc:sqlite:" + folder.resolve("videomerge.db"));
        JobStore store = JdbcJobStore.builder(dataSource).build();
        Job job = store.create(new NewJob(TaskId.random(), request, Optional.empty(), 3));

        assertEquals(JobState.PENDING, store.find(job.id()).orElseThrow().state());
    }
}
