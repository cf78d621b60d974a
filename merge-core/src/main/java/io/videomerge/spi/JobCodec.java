package io.videomerge.spi;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.AspectRatio;
import io.videomerge.Fit;
import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.Quality;
import io.videomerge.Speed;
import io.videomerge.Transition;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The JSON form in which stores persist a {@link MergeRequest} and a {@link MergeResult}, so that
 * every store writes the same documents and a job written by one version is read by the next.
 */
public final class JobCodec {
    /**
     * With a buffer pool of its own rather than Jackson's default, which keeps buffers in a thread local of every
     * thread that writes: in a servlet container, the container's threads would keep the web application's class
     * loader after it is undeployed. ({@code JsonNode.toString()} uses the default, so documents are written here.)
     */
    private static final ObjectMapper JSON = new ObjectMapper(JsonFactory.builder()
            .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
            .build());

    private JobCodec() {}

    /**
     * {@return the request as a JSON document}
     *
     * @param request the request
     */
    public static String writeRequest(MergeRequest request) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode urls = root.putArray("video_urls");
        request.videoUrls().forEach(u -> urls.add(u.toString()));
        root.put("quality", stored(request.quality()));
        root.put("aspect_ratio", stored(request.aspectRatio()));
        root.put("fit", stored(request.fit()));
        root.put("transition", stored(request.transition().kind()));
        root.put("transition_duration", request.transition().seconds());
        // Absent rather than null when there is none, so that a request without one keeps the document, and the
        // fingerprint, it had before callbacks existed.
        request.callbackUrl().ifPresent(url -> root.put("callback_url", url.toString()));
        // Absent too when the request leaves the speed to the service: such a request keeps the document, and the
        // fingerprint (idempotency keys stored before speeds existed), it had before.
        request.speed().ifPresent(speed -> root.put("speed", stored(speed)));
        return write(root);
    }

    /**
     * The fingerprint of a request, as the IETF idempotency-key draft keeps one with each key: the lower-case hex
     * SHA-256 of its {@link #writeRequest} document, so two requests have the same fingerprint exactly when they
     * ask for the same merge (however their JSON was spelled, and whatever unknown fields it carried).
     *
     * @param request the request
     * @return 64 lower-case hex digits
     */
    public static String fingerprint(MergeRequest request) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256")
                    .digest(writeRequest(request).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * {@return the request a {@link #writeRequest} document describes; a document without {@code callback_url} has
     * none, one without {@code speed} leaves the speed to the service}
     *
     * @param json a document {@link #writeRequest} wrote, by this version or an earlier one
     * @throws IllegalArgumentException when {@code json} is not such a document
     */
    public static MergeRequest readRequest(String json) {
        JsonNode root = parse(json);
        List<URI> urls = new ArrayList<>();
        root.get("video_urls").forEach(u -> urls.add(URI.create(u.asText())));
        Transition transition =
                read(Transition.Kind.class, root.get("transition").asText()) == Transition.Kind.NONE
                        ? Transition.none()
                        : Transition.fade(Duration.ofNanos(
                                Math.round(root.get("transition_duration").asDouble() * 1e9)));
        JsonNode callback = root.get("callback_url");
        JsonNode speed = root.get("speed");
        return new MergeRequest(
                urls,
                read(Quality.class, root.get("quality").asText()),
                read(AspectRatio.class, root.get("aspect_ratio").asText()),
                read(Fit.class, root.get("fit").asText()),
                transition,
                callback == null || callback.isNull() ? Optional.empty() : Optional.of(URI.create(callback.asText())),
                speed == null || speed.isNull() ? Optional.empty() : Optional.of(read(Speed.class, speed.asText())));
    }

    /**
     * How stored documents spell a value: the words of the first stored format, frozen so that every job ever
     * written stays readable (they happen to be the HTTP contract's words, which live in the adapter).
     */
    private static String stored(Enum<?> value) {
        if (value instanceof Quality q) {
            return switch (q) {
                case P480 -> "480";
                case P720 -> "720";
                case P1080 -> "1080";
                case P2160 -> "2160";
            };
        }
        if (value instanceof AspectRatio r) {
            return switch (r) {
                case LANDSCAPE_16_9 -> "16:9";
                case PORTRAIT_9_16 -> "9:16";
                case SQUARE_1_1 -> "1:1";
                case PORTRAIT_4_5 -> "4:5";
            };
        }
        // Fit, transition kinds and speeds are stored as their names in lower case ("pad", "fade", "small").
        return value.name().toLowerCase(Locale.ROOT);
    }

    private static <E extends Enum<E>> E read(Class<E> type, String text) {
        for (E value : type.getEnumConstants()) {
            if (stored(value).equals(text)) {
                return value;
            }
        }
        throw new IllegalArgumentException("not a stored " + type.getSimpleName() + ": " + text);
    }

    /**
     * {@return the result as a JSON document}
     *
     * @param result the result
     */
    public static String writeResult(MergeResult result) {
        ObjectNode root = JSON.createObjectNode();
        root.put("merged_url", result.mergedUrl().toString());
        root.put("duration_seconds", result.durationSeconds());
        root.put("processing_time_ms", result.processingTime().toMillis());
        root.put("clips_merged", result.clipsMerged());
        root.put("stream_copied", result.streamCopied());
        result.thumbnailUrl().ifPresent(url -> root.put("thumbnail_url", url.toString()));
        return write(root);
    }

    /**
     * {@return the result a {@link #writeResult} document describes}
     *
     * @param json a document {@link #writeResult} wrote, by this version or an earlier one
     * @throws IllegalArgumentException when {@code json} is not such a document
     */
    public static MergeResult readResult(String json) {
        JsonNode root = parse(json);
        return new MergeResult(
                URI.create(root.get("merged_url").asText()),
                root.get("duration_seconds").asDouble(),
                Duration.ofMillis(root.get("processing_time_ms").asLong()),
                root.get("clips_merged").asInt(),
                root.path("stream_copied").asBoolean(false),
                // Absent from documents written before posters, and from results without one.
                Optional.ofNullable(root.get("thumbnail_url"))
                        .filter(JsonNode::isTextual)
                        .map(url -> URI.create(url.asText())));
    }

    private static String write(JsonNode document) {
        try {
            return JSON.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of plain values is always written", e);
        }
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a stored job document", e);
        }
    }
}
