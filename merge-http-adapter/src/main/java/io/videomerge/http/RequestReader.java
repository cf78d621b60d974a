package io.videomerge.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.videomerge.MergeRequest;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns the body of {@code POST /api/v1/merge} into a {@link MergeRequest}: content type, size cap while
 * reading, bounded JSON parsing, then field by field with errors that name the field.
 *
 * <p>The rule for fields: unknown fields are ignored (a newer client may send more than this server
 * knows); known fields are strictly typed; a known optional field set to {@code null} means its default.
 */
final class RequestReader {
    static final int MAX_NESTING_DEPTH = 16;
    static final int MAX_STRING_LENGTH = 8192;
    static final int MAX_NUMBER_LENGTH = 32;
    static final int MAX_NAME_LENGTH = 256;

    private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '([^']{0,64})");
    private static final int MAX_SHOWN_NAME = 64;

    private final long maxBodyBytes;
    private final ObjectMapper mapper;

    RequestReader(long maxBodyBytes) {
        this.maxBodyBytes = maxBodyBytes;
        StreamReadConstraints constraints = StreamReadConstraints.builder()
                .maxNestingDepth(MAX_NESTING_DEPTH)
                .maxStringLength(MAX_STRING_LENGTH)
                .maxNumberLength(MAX_NUMBER_LENGTH)
                .maxNameLength(MAX_NAME_LENGTH)
                .maxDocumentLength(maxBodyBytes)
                .build();
        JsonFactory factory = JsonFactory.builder()
                // Its own buffer pool: the default keeps buffers in the container threads' thread locals, which
                // would hold the web application's class loader after an undeploy.
                .recyclerPool(JsonRecyclerPools.newConcurrentDequePool())
                .streamReadConstraints(constraints)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        this.mapper = JsonMapper.builder(factory)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }

    MergeRequest read(HttpServletRequest request) throws IOException {
        requireJson(request.getContentType());
        return parse(body(request));
    }

    private static void requireJson(String contentType) {
        String mediaType =
                contentType == null ? "" : contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        if (!mediaType.equals("application/json")) {
            throw new ApiError(415, "UNSUPPORTED_MEDIA_TYPE", "the request body must be application/json");
        }
    }

    /** Reads at most the cap; a declared or an actual (chunked) body above it is refused unparsed. */
    private byte[] body(HttpServletRequest request) throws IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw tooLarge();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(declared > 0 ? (int) declared : 1024);
        byte[] buffer = new byte[8192];
        long total = 0;
        try (InputStream in = request.getInputStream()) {
            int n;
            while ((n = in.read(buffer)) != -1) {
                total += n;
                if (total > maxBodyBytes) {
                    throw tooLarge();
                }
                out.write(buffer, 0, n);
            }
        }
        return out.toByteArray();
    }

    private ApiError tooLarge() {
        return new ApiError(413, "PAYLOAD_TOO_LARGE", "the request body exceeds " + maxBodyBytes + " bytes");
    }

    MergeRequest parse(byte[] body) {
        if (body.length == 0) {
            throw ApiError.invalid("the request body is empty; expected a JSON object with video_urls");
        }
        JsonNode root;
        try {
            root = mapper.readTree(body);
        } catch (StreamConstraintsException e) {
            throw ApiError.invalid("the request body exceeds the JSON limits: nesting depth " + MAX_NESTING_DEPTH
                    + ", strings of " + MAX_STRING_LENGTH + " characters, numbers of " + MAX_NUMBER_LENGTH
                    + " digits, field names of " + MAX_NAME_LENGTH + " characters");
        } catch (JsonParseException e) {
            Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
            if (duplicate.find()) {
                throw ApiError.invalid("the request body repeats the field " + quote(duplicate.group(1)));
            }
            throw ApiError.invalid("the request body is not valid JSON" + where(e));
        } catch (JsonProcessingException e) {
            throw ApiError.invalid("the request body is not valid JSON" + where(e));
        } catch (IOException e) {
            throw ApiError.invalid("the request body could not be read");
        }
        if (root == null || !root.isObject()) {
            throw ApiError.invalid("the request body must be a JSON object");
        }
        MergeRequest request = MergeRequest.of(urls(root.get("video_urls")));
        String quality = text(root, "quality", "one of " + WireNames.allowedQualities());
        if (quality != null) {
            request = request.withQuality(WireNames.quality(quality));
        }
        String ratio = text(root, "aspect_ratio", "one of " + WireNames.allowedRatios());
        if (ratio != null) {
            request = request.withAspectRatio(WireNames.aspectRatio(ratio));
        }
        String fit = text(root, "fit", "one of " + WireNames.allowedFits());
        if (fit != null) {
            request = request.withFit(WireNames.fit(fit));
        }
        String transition = text(root, "transition", "one of " + WireNames.allowedTransitions());
        Double seconds = seconds(root.get("transition_duration"));
        if (transition != null || seconds != null) {
            request = request.withTransition(WireNames.transition(transition, seconds));
        }
        String speed = text(root, "speed", "one of " + WireNames.allowedSpeeds());
        if (speed != null) {
            request = request.withSpeed(WireNames.speed(speed));
        }
        String callback = text(root, "callback_url", "an http(s) URL");
        if (callback != null) {
            try {
                request = request.withCallbackUrl(new URI(callback));
            } catch (URISyntaxException e) {
                throw ApiError.invalid("callback_url is not a valid URL");
            }
        }
        return request;
    }

    private static List<URI> urls(JsonNode node) {
        if (node == null || node.isNull()) {
            throw ApiError.invalid("video_urls is required: an array of http(s) URL strings");
        }
        if (!node.isArray()) {
            throw ApiError.invalid("video_urls must be an array of http(s) URL strings");
        }
        List<URI> urls = new ArrayList<>(node.size());
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw ApiError.invalid("video_urls[" + i + "] must be a string");
            }
            try {
                urls.add(new URI(item.textValue()));
            } catch (URISyntaxException e) {
                throw ApiError.invalid("video_urls[" + i + "] is not a valid URL");
            }
        }
        return urls;
    }

    /** The string value of an optional field, null when absent or null. */
    private static String text(JsonNode root, String field, String allowed) {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiError.invalid(field + " must be a string, " + allowed);
        }
        return node.textValue();
    }

    private static Double seconds(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isNumber()) {
            throw ApiError.invalid("transition_duration must be a number of seconds");
        }
        return node.doubleValue();
    }

    private static String where(JsonProcessingException e) {
        return e.getLocation() == null
                ? ""
                : " (line " + e.getLocation().getLineNr() + ", column "
                        + e.getLocation().getColumnNr() + ")";
    }

    private static String quote(String name) {
        String shown = name.length() > MAX_SHOWN_NAME ? name.substring(0, MAX_SHOWN_NAME) : name;
        return '"' + shown.replaceAll("[^\\x20-\\x7e]", "?") + '"';
    }
}
