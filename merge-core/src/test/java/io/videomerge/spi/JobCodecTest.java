package io.videomerge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.MergeResult;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class JobCodecTest {
    private static final MergeResult RESULT = new MergeResult(
            URI.create("https://cdn.example.com/merged/t1.mp4"), 12.5, Duration.ofMillis(3400), 3, false);

    @Test
    @DisplayName("a result with a poster is stored with thumbnail_url and read back the same")
    void resultWithPosterRoundTrips() {
        MergeResult withPoster =
                RESULT.withThumbnailUrl(URI.create("https://cdn.example.com/merged/t1-poster.jpg?expires=9&sig=x"));

        String json = JobCodec.writeResult(withPoster);

        assertTrue(
                json.contains("\"thumbnail_url\":\"https://cdn.example.com/merged/t1-poster.jpg?expires=9&sig=x\""),
                json);
        assertEquals(withPoster, JobCodec.readResult(json));
    }

    @Test
    @DisplayName("a result without a poster is stored without thumbnail_url and read back without one")
    void resultWithoutPosterRoundTrips() {
        String json = JobCodec.writeResult(RESULT);

        assertFalse(json.contains("thumbnail_url"), json);
        assertEquals(RESULT, JobCodec.readResult(json));
    }

    @Test
    @DisplayName("a document written before posters (and before stream_copied) still reads, without a thumbnail")
    void oldDocumentsStillRead() {
        String old = "{\"merged_url\":\"https://cdn.example.com/merged/t1.mp4\",\"duration_seconds\":12.5,"
                + "\"processing_time_ms\":3400,\"clips_merged\":3}";

        MergeResult read = JobCodec.readResult(old);

        assertEquals(RESULT, read);
        assertEquals(Optional.empty(), read.thumbnailUrl());
    }
}
