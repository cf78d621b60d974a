package io.videomerge.spi;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.AspectRatio;
import io.videomerge.Fit;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Quality;
import io.videomerge.Transition;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The JSON form in which stores persist a {@link MergeRequest} and a {@link MergeResult}, so that
 * every store writes the same documents and a job written by one version is read by the next.
 */
public final class JobCodec {
    private static final ObjectMapper JSON = new ObjectMapper();

    private JobCodec() {}

    /** The request as a JSON document. */
    public static String writeRequest(MergeRequest request) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode urls = root.putArray("video_urls");
        request.videoUrls().forEach(u -> urls.add(u.toString()));
        root.put("quality", request.quality().wire());
        root.put("aspect_ratio", request.aspectRatio().wire());
        root.put("fit", request.fit().wire());
        root.put("transition", request.transition().kind().wire());
        root.put("transition_duration", request.transition().seconds());
        return root.toString();
    }

    /** The request a {@link #writeRequest} document describes. */
    public static MergeRequest readRequest(String json) {
        JsonNode root = parse(json);
        List<URI> urls = new ArrayList<>();
        root.get("video_urls").forEach(u -> urls.add(URI.create(u.asText())));
        String kind = root.get("transition").asText();
        Double seconds = Transition.Kind.NONE.wire().equals(kind)
                ? null
                : root.get("transition_duration").asDouble();
        return new MergeRequest(
                urls,
                Quality.fromWire(root.get("quality").asText()),
                AspectRatio.fromWire(root.get("aspect_ratio").asText()),
                Fit.fromWire(root.get("fit").asText()),
                Transition.fromWire(kind, seconds));
    }

    /** The result as a JSON document. */
    public static String writeResult(MergeResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("merged_url", result.mergedUrl().toString());
        root.put("duration_seconds", result.durationSeconds());
        root.put("processing_time_ms", result.processingTime().toMillis());
        root.put("clips_merged", result.clipsMerged());
        root.put("stream_copied", result.streamCopied());
        return root.toString();
    }

    /** The result a {@link #writeResult} document describes. */
    public static MergeResult readResult(String json) {
        JsonNode root = parse(json);
        return new MergeResult(
                URI.create(root.get("merged_url").asText()),
                root.get("duration_seconds").asDouble(),
                Duration.ofMillis(root.get("processing_time_ms").asLong()),
                root.get("clips_merged").asInt(),
                root.path("stream_copied").asBoolean(false));
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a stored job document", e);
        }
    }
}
