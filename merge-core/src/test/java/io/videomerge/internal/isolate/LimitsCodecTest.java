package io.videomerge.internal.isolate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.Limits;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class LimitsCodecTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    @DisplayName("every component of Limits is written: a new component fails here until the codec carries it")
    void writesEveryComponent() {
        ObjectNode written = LimitsCodec.write(Limits.defaults(), json.createObjectNode());
        assertEquals(Limits.class.getRecordComponents().length, written.size(), written.toString());
    }

    @Test
    @DisplayName("limits that differ from the defaults in every component survive the trip to the child")
    void roundTripsNonDefaultLimits() {
        Limits limits = Limits.builder()
                .clips(3, 7)
                .maxTotalDuration(Duration.ofMillis(1234567))
                .maxBytesPerFile(1111)
                .maxBytesPerJob(2222)
                .connectTimeout(Duration.ofNanos(3))
                .readTimeout(Duration.ofSeconds(4))
                .downloadTimeout(Duration.ofMinutes(5))
                .maxRedirects(0)
                .maxPixels(640 * 480)
                .maxStreams(3)
                .probeSizeBytes(4096)
                .analyzeDuration(Duration.ofMillis(700))
                .allowedContainers(Set.of("matroska,webm"))
                .allowedDecoders(Set.of("vp9", "opus"))
                .allowLoopbackUrls(true)
                .build();
        assertEquals(limits, LimitsCodec.read(LimitsCodec.write(limits, json.createObjectNode())));
        assertEquals(
                Limits.defaults(), LimitsCodec.read(LimitsCodec.write(Limits.defaults(), json.createObjectNode())));
    }

    @Test
    @DisplayName("a document missing a component is refused rather than read as a default")
    void missingComponentIsRefused() {
        ObjectNode written = LimitsCodec.write(Limits.defaults(), json.createObjectNode());
        written.remove("maxPixels");
        assertThrows(IllegalArgumentException.class, () -> LimitsCodec.read(written));
    }
}
