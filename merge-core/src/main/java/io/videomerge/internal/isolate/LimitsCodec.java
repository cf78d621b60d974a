package io.videomerge.internal.isolate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.Limits;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * {@link Limits} as the JSON object a child process receives. Every component is written by name, and
 * reading insists on every one: a component added to {@link Limits} but not here fails
 * {@code LimitsCodecTest} instead of silently reaching the child as a default.
 */
final class LimitsCodec {
    private LimitsCodec() {}

    static ObjectNode write(Limits l, ObjectNode o) {
        o.put("minClips", l.minClips());
        o.put("maxClips", l.maxClips());
        o.put("maxTotalDurationNanos", l.maxTotalDuration().toNanos());
        o.put("maxBytesPerFile", l.maxBytesPerFile());
        o.put("maxBytesPerJob", l.maxBytesPerJob());
        o.put("connectTimeoutNanos", l.connectTimeout().toNanos());
        o.put("readTimeoutNanos", l.readTimeout().toNanos());
        o.put("downloadTimeoutNanos", l.downloadTimeout().toNanos());
        o.put("maxRedirects", l.maxRedirects());
        o.put("maxPixels", l.maxPixels());
        o.put("maxStreams", l.maxStreams());
        o.put("probeSizeBytes", l.probeSizeBytes());
        o.put("analyzeDurationNanos", l.analyzeDuration().toNanos());
        l.allowedContainers().stream().sorted().forEach(o.putArray("allowedContainers")::add);
        l.allowedDecoders().stream().sorted().forEach(o.putArray("allowedDecoders")::add);
        o.put("allowLoopbackUrls", l.allowLoopbackUrls());
        o.put("maxUndecodableShare", l.maxUndecodableShare());
        o.put("minDownloadBytesPerSecond", l.minDownloadBytesPerSecond());
        o.put("lowSpeedWindowNanos", l.lowSpeedWindow().toNanos());
        o.put("maxDecodedPixelRate", l.maxDecodedPixelRate());
        o.put("maxDecodedPixelsPerJob", l.maxDecodedPixelsPerJob());
        o.put(
                "processingTimePerOutputSecondNanos",
                l.processingTimePerOutputSecond().toNanos());
        o.put("minProcessingTimeNanos", l.minProcessingTime().toNanos());
        return o;
    }

    static Limits read(JsonNode o) {
        return new Limits(
                field(o, "minClips").intValue(),
                field(o, "maxClips").intValue(),
                nanos(o, "maxTotalDurationNanos"),
                field(o, "maxBytesPerFile").longValue(),
                field(o, "maxBytesPerJob").longValue(),
                nanos(o, "connectTimeoutNanos"),
                nanos(o, "readTimeoutNanos"),
                nanos(o, "downloadTimeoutNanos"),
                field(o, "maxRedirects").intValue(),
                field(o, "maxPixels").longValue(),
                field(o, "maxStreams").intValue(),
                field(o, "probeSizeBytes").longValue(),
                nanos(o, "analyzeDurationNanos"),
                names(o, "allowedContainers"),
                names(o, "allowedDecoders"),
                field(o, "allowLoopbackUrls").booleanValue(),
                field(o, "maxUndecodableShare").doubleValue(),
                field(o, "minDownloadBytesPerSecond").longValue(),
                nanos(o, "lowSpeedWindowNanos"),
                field(o, "maxDecodedPixelRate").longValue(),
                field(o, "maxDecodedPixelsPerJob").longValue(),
                nanos(o, "processingTimePerOutputSecondNanos"),
                nanos(o, "minProcessingTimeNanos"));
    }

    private static JsonNode field(JsonNode o, String name) {
        JsonNode value = o.get(name);
        if (value == null || value.isNull()) {
            throw new IllegalArgumentException("limits lack " + name);
        }
        return value;
    }

    private static Duration nanos(JsonNode o, String name) {
        return Duration.ofNanos(field(o, name).longValue());
    }

    private static Set<String> names(JsonNode o, String name) {
        Set<String> names = new HashSet<>();
        field(o, name).forEach(n -> names.add(n.asText()));
        return names;
    }
}
