package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import io.videomerge.Limits;
import io.videomerge.internal.probe.Prober;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * What an H.264 file tells of the encoder settings that made it: libx264 writes its whole option line into the
 * stream (an SEI message, {@code "x264 - core … options: … subme=2 … crf=23.0 …"}), and every encoder writes the
 * profile it used, which the probe reads ({@code High} when libopenh264 used CABAC).
 *
 * @param x264    the options of libx264's line by name ({@code subme}, {@code crf}, …); empty for another encoder
 * @param profile the H.264 profile as FFmpeg numbers it (66 Baseline, 578 Constrained Baseline, 77 Main, 100 High)
 */
public record EncoderSettings(Optional<Map<String, String>> x264, int profile) {
    /** FFmpeg's number of the H.264 Constrained Baseline profile. */
    public static final int CONSTRAINED_BASELINE = 578;
    /** FFmpeg's number of the H.264 High profile. */
    public static final int HIGH = 100;

    private static final String X264_LINE = "x264 - core ";
    private static final String OPTIONS = "options: ";

    public EncoderSettings {
        requireNonNull(x264, "x264");
        x264 = x264.map(Map::copyOf);
    }

    /**
     * Reads the settings of {@code file}'s video stream.
     *
     * @param file an MP4 (or any container the probe opens) with an H.264 stream
     * @return the settings found
     */
    public static EncoderSettings of(Path file) {
        int profile = new Prober(Limits.defaults()).probe(file, 0).videoProfile();
        return new EncoderSettings(x264Options(file), profile);
    }

    /** The x264 option named {@code name}, which the file must have. */
    public String x264(String name) {
        return x264.orElseThrow(() -> new IllegalStateException("not written by libx264"))
                .get(name);
    }

    private static Optional<Map<String, String>> x264Options(Path file) {
        String text;
        try {
            // Latin-1 keeps every byte one character, so the offsets of the ASCII line are those of the bytes.
            text = new String(Files.readAllBytes(file), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        int line = text.indexOf(X264_LINE);
        if (line < 0) {
            return Optional.empty();
        }
        int start = text.indexOf(OPTIONS, line);
        int end = text.indexOf('\0', start);
        if (start < 0 || end < 0) {
            return Optional.empty();
        }
        Map<String, String> options = new HashMap<>();
        for (String option : text.substring(start + OPTIONS.length(), end).split(" ")) {
            int eq = option.indexOf('=');
            if (eq > 0) {
                options.put(option.substring(0, eq), option.substring(eq + 1));
            }
        }
        return Optional.of(options);
    }
}
