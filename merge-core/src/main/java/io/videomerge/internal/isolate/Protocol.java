package io.videomerge.internal.isolate;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.MergeException;
import io.videomerge.MergeRequest;
import io.videomerge.ProcessingException;
import io.videomerge.internal.media.MediaStep.MediaOutcome;
import io.videomerge.internal.media.MediaStep.Poster;
import io.videomerge.internal.media.MediaStep.PosterTarget;
import io.videomerge.spi.JobCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What parent and child say to each other. The parent writes one request line to the child's stdin and keeps
 * stdin open (its end, or the parent's death, makes the child quit). The child answers with frame lines on
 * stdout, each a JSON object after a marker holding a per-child random token: native libraries may write to the
 * same stdout, so everything that is not a frame of this child is ignored, even on the same line.
 *
 * <p>Frames: {@code ready} (natives loaded), {@code accepted} (request read), {@code input} {@code i} (now on
 * input {@code i}, -1 for the output), {@code progress} {@code f}, then exactly one of {@code done} (with the
 * outcome and the times of probing and encoding as the child measured them) or {@code error}. A child that ends
 * without one of those two crashed. When the request names a poster ({@code poster}: its file and instant),
 * {@code done} reports the file the child wrote and its size, which the parent checks against what it asked for
 * before it publishes anything.
 */
final class Protocol {
    /** Longest line kept; a frame is far shorter, longer junk is cut from the front. */
    static final int MAX_LINE_BYTES = 64 * 1024;

    static final int MAX_MESSAGE_CHARS = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        JSON.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(16)
                        .maxStringLength(MAX_LINE_BYTES)
                        .build());
    }

    private Protocol() {}

    static String marker(String token) {
        return "\u0001videomerge-frame:" + token + " ";
    }

    // ---- the request ----

    /** One merge for a child: its files, the request, the limits and the poster it asks for. */
    record Request(List<Path> inputs, Path output, MergeRequest request, Limits limits, Optional<PosterTarget> poster) {
        Request(List<Path> inputs, Path output, MergeRequest request, Limits limits) {
            this(inputs, output, request, limits, Optional.empty());
        }
    }

    static String writeRequest(Request r) {
        ObjectNode root = JSON.createObjectNode();
        r.inputs().forEach(p -> root.withArray("inputs").add(p.toAbsolutePath().toString()));
        root.put("output", r.output().toAbsolutePath().toString());
        root.set("request", parse(JobCodec.writeRequest(r.request())));
        root.set("limits", LimitsCodec.write(r.limits(), JSON.createObjectNode()));
        r.poster()
                .ifPresent(p -> root.putObject("poster")
                        .put("file", p.file().toAbsolutePath().toString())
                        .put("atNanos", p.at().toNanos()));
        return root.toString();
    }

    static Request readRequest(String line) {
        JsonNode root = parse(line);
        List<Path> inputs = new ArrayList<>();
        root.get("inputs").forEach(p -> inputs.add(Path.of(p.asText())));
        return new Request(
                inputs,
                Path.of(root.get("output").asText()),
                JobCodec.readRequest(root.get("request").toString()),
                LimitsCodec.read(root.get("limits")),
                Optional.ofNullable(root.get("poster"))
                        .map(p -> new PosterTarget(
                                Path.of(p.get("file").asText()),
                                Duration.ofNanos(p.get("atNanos").asLong()))));
    }

    // ---- frames ----

    static String ready() {
        return "{\"t\":\"ready\"}";
    }

    static String accepted() {
        return "{\"t\":\"accepted\"}";
    }

    static String input(int index) {
        return "{\"t\":\"input\",\"i\":" + index + "}";
    }

    static String progress(double fraction) {
        return JSON.createObjectNode().put("t", "progress").put("f", fraction).toString();
    }

    static String done(MediaOutcome o) {
        ObjectNode frame = JSON.createObjectNode()
                .put("t", "done")
                .put("clips", o.clipsMerged())
                .put("duration", o.durationSeconds())
                .put("copied", o.streamCopied())
                .put("probe_ns", o.probeTime().toNanos())
                .put("encode_ns", o.encodeTime().toNanos());
        o.poster()
                .ifPresent(p -> frame.putObject("poster")
                        .put("file", p.file().toAbsolutePath().toString())
                        .put("bytes", p.bytes()));
        return frame.toString();
    }

    static String error(MergeException e) {
        return JSON.createObjectNode()
                .put("t", "error")
                .put("code", e.code().name())
                .put("message", e.getMessage())
                .put("input", e.inputIndex().orElse(-1))
                .put("retryable", e.isRetryable())
                .toString();
    }

    /** A parsed frame; {@link Kind#END} stands for the end of the child's stdout. */
    record Frame(Kind kind, JsonNode body) {
        enum Kind {
            READY,
            ACCEPTED,
            INPUT,
            PROGRESS,
            DONE,
            ERROR,
            END
        }

        static final Frame END_OF_STREAM = new Frame(Kind.END, null);

        int index() {
            return body.path("i").asInt(-1);
        }

        double fraction() {
            return body.path("f").asDouble(0);
        }

        /** The outcome the child reports; its poster is as the child tells it, for the parent to check. */
        MediaOutcome outcome() {
            JsonNode poster = body.path("poster");
            return new MediaOutcome(
                    body.path("clips").asInt(),
                    body.path("duration").asDouble(),
                    body.path("copied").asBoolean(),
                    Duration.ofNanos(Math.max(0, body.path("probe_ns").asLong())),
                    Duration.ofNanos(Math.max(0, body.path("encode_ns").asLong())),
                    poster.isObject()
                            ? Optional.of(new Poster(
                                    Path.of(poster.path("file").asText()),
                                    poster.path("bytes").asLong()))
                            : Optional.empty());
        }

        /** The child's failure as the exception the in-process step would have thrown. */
        MergeException failure() {
            ErrorCode code;
            try {
                code = ErrorCode.valueOf(body.path("code").asText());
            } catch (IllegalArgumentException e) {
                code = ErrorCode.PROCESSING_FAILED;
            }
            String message = body.path("message").asText("the merge failed");
            if (message.length() > MAX_MESSAGE_CHARS) {
                message = message.substring(0, MAX_MESSAGE_CHARS);
            }
            int input = Math.max(-1, body.path("input").asInt(-1));
            boolean retryable = body.path("retryable").asBoolean(false);
            return switch (code) {
                case INVALID_MEDIA, UNSUPPORTED_CODEC, INPUT_TOO_LONG, INPUT_TOO_LARGE, INPUT_CRASHED_DECODER ->
                    new MediaException(code, message, input);
                case PROCESSING_FAILED, UPLOAD_FAILED, STORAGE_FULL ->
                    new ProcessingException(code, message, input, retryable, null);
                // Final whatever the frame says: the same inputs would take as long again.
                case PROCESSING_TIMEOUT -> new MergeException(code, message, input, false, null);
                default -> new MergeException(code, message, input, retryable, null);
            };
        }
    }

    /** The frame in {@code line} marked with {@code marker}, if there is one. */
    static Optional<Frame> frame(String line, String marker) {
        int at = line.indexOf(marker);
        if (at < 0) {
            return Optional.empty();
        }
        JsonNode body;
        try {
            body = JSON.readTree(line.substring(at + marker.length()));
        } catch (JsonProcessingException e) {
            return Optional.empty();
        }
        Frame.Kind kind = switch (body.path("t").asText()) {
            case "ready" -> Frame.Kind.READY;
            case "accepted" -> Frame.Kind.ACCEPTED;
            case "input" -> Frame.Kind.INPUT;
            case "progress" -> Frame.Kind.PROGRESS;
            case "done" -> Frame.Kind.DONE;
            case "error" -> Frame.Kind.ERROR;
            default -> null;
        };
        return kind == null ? Optional.empty() : Optional.of(new Frame(kind, body));
    }

    /**
     * The next line of {@code in} (without its end), or empty at the end of the stream. A line longer than
     * {@link #MAX_LINE_BYTES} keeps only its tail, so junk without line ends cannot grow memory without bound
     * nor hide a frame that follows it.
     */
    static Optional<String> readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        boolean any = false;
        while ((b = in.read()) >= 0) {
            any = true;
            if (b == '\n') {
                break;
            }
            line.write(b);
            if (line.size() > MAX_LINE_BYTES) {
                byte[] all = line.toByteArray();
                line.reset();
                line.write(all, all.length / 2, all.length - all.length / 2);
            }
        }
        return any ? Optional.of(line.toString(StandardCharsets.UTF_8)) : Optional.empty();
    }

    private static JsonNode parse(String json) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a request document", e);
        }
    }
}
