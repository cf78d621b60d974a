package io.videomerge.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Quality;
import io.videomerge.Speed;
import io.videomerge.Transition;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class JobCodecTest {
    private static final MergeRequest DEFAULTS =
            MergeRequest.of(List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")));
    private static final MergeRequest CUT_WITH_CALLBACK = DEFAULTS.withQuality(Quality.P720)
            .withTransition(Transition.none())
            .withCallbackUrl(URI.create("https://hooks.example.com/done"));

    @Test
    @DisplayName("a request without a speed keeps the document and the fingerprint it had before speeds existed, so"
            + " idempotency keys stored before the upgrade still match")
    void requestWithoutSpeedKeepsItsFingerprint() {
        // Computed with the code of ba1fc95, before speeds: any change here breaks every stored idempotency key.
        assertEquals(
                "{\"video_urls\":[\"https://example.com/a.mp4\",\"https://example.com/b.mp4\"],\"quality\":\"1080\","
                        + "\"aspect_ratio\":\"16:9\",\"fit\":\"pad\",\"transition\":\"fade\",\"transition_duration\":0.5}",
                JobCodec.writeRequest(DEFAULTS));
        assertEquals(
                "c91b512e4aa90a3b81e797cd0215df285ee118bb929460618ada2835eac941b7", JobCodec.fingerprint(DEFAULTS));
        assertEquals(
                "5a7484e72c06f0abb40d6db33d9de329096eff4b1f313afdcbd9166e8f8d6741",
                JobCodec.fingerprint(CUT_WITH_CALLBACK));
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Speed.class)
    @DisplayName("a request's speed is stored as its lower-case name, read back the same, and changes the fingerprint")
    void speedRoundTrips(Speed speed) {
        MergeRequest request = CUT_WITH_CALLBACK.withSpeed(speed);

        String json = JobCodec.writeRequest(request);

        assertTrue(json.contains("\"speed\":\"" + speed.name().toLowerCase(Locale.ROOT) + "\""), json);
        assertEquals(request, JobCodec.readRequest(json));
        assertEquals(Optional.of(speed), JobCodec.readRequest(json).speed());
        assertNotEquals(
                JobCodec.fingerprint(CUT_WITH_CALLBACK),
                JobCodec.fingerprint(request),
                "a request at a named speed asks for another merge than one at the service's speed");
    }

    @Test
    @DisplayName("a document without a speed (written before speeds, or for a request without one) reads as none")
    void documentWithoutSpeedReadsAsNone() {
        String json = JobCodec.writeRequest(DEFAULTS);

        assertFalse(json.contains("speed"), json);
        assertEquals(DEFAULTS, JobCodec.readRequest(json));
        assertEquals(Optional.empty(), JobCodec.readRequest(json).speed());
    }

    @Test
    @DisplayName("a stored speed this version does not know is refused rather than read as another")
    void unknownSpeedIsRefused() {
        String json = JobCodec.writeRequest(DEFAULTS).replace("}", ",\"speed\":\"ludicrous\"}");

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> JobCodec.readRequest(json));
        assertTrue(e.getMessage().contains("ludicrous"), e.getMessage());
    }

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
