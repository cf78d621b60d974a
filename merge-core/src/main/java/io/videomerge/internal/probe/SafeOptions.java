package io.videomerge.internal.probe;

import static java.util.Objects.requireNonNull;

import io.videomerge.Limits;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVDictionaryEntry;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * The FFmpeg options that make opening an untrusted file safe, derived from {@link Limits}: one place, so the
 * prober and every decoder opened for a merge use the very same values.
 */
final class SafeOptions {
    private final Map<String, String> format;
    private final Map<String, String> decoder;
    private final Map<String, String> probeDecoder;
    private final Set<String> allowedDecoders;

    SafeOptions(Limits limits) {
        requireNonNull(limits, "limits");
        this.allowedDecoders = limits.allowedDecoders();
        String decoders = String.join(",", new TreeSet<>(limits.allowedDecoders()));
        Map<String, String> f = new LinkedHashMap<>();
        // Only local files: a demuxer that would open another URL (a playlist, a reference) cannot.
        f.put("protocol_whitelist", "file");
        f.put("format_whitelist", String.join(",", new TreeSet<>(limits.allowedContainers())));
        f.put("max_streams", Long.toString(limits.maxStreams()));
        f.put("probesize", Long.toString(limits.probeSizeBytes()));
        f.put("analyzeduration", Long.toString(limits.analyzeDuration().toNanos() / 1000));
        // Propagated by libavformat to the decoders it opens while finding the stream parameters.
        f.put("codec_whitelist", decoders);
        this.format = Map.copyOf(f);
        Map<String, String> d = new LinkedHashMap<>();
        d.put("codec_whitelist", decoders);
        d.put("max_pixels", Long.toString(Math.min(limits.maxPixels(), Integer.MAX_VALUE)));
        // A merge decodes every frame: as many threads as FFmpeg sees fit, like the CLI.
        d.put("threads", "auto");
        this.decoder = Map.copyOf(d);
        // A decoder that only looks at the first frames gains nothing from threads: frame threading would
        // make it read ahead (and start a thread per core) before handing back the first picture.
        d.put("threads", "1");
        this.probeDecoder = Map.copyOf(d);
    }

    /** Options of the format context ({@code avformat_open_input}). */
    Map<String, String> format() {
        return format;
    }

    /** Options of every decoder context ({@code avcodec_open2}). */
    Map<String, String> decoder() {
        return decoder;
    }

    /** {@link #decoder()} for a decoder that only looks at the first frames: single-threaded. */
    Map<String, String> probeDecoder() {
        return probeDecoder;
    }

    /** Whether the decoder whitelist names {@code decoder}. */
    boolean allows(String decoder) {
        return allowedDecoders.contains(decoder);
    }

    /** A fresh dictionary holding {@code options}; the caller frees it with {@code av_dict_free}. */
    static AVDictionary dictionary(Map<String, String> options) {
        AVDictionary dict = new AVDictionary(null);
        options.forEach((k, v) -> avutil.av_dict_set(dict, k, v, 0));
        return dict;
    }

    /**
     * Fails when FFmpeg handed back one of {@code options} unconsumed: an option it did not take would be a
     * limit silently not enforced.
     */
    static void requireConsumed(AVDictionary leftover, Map<String, String> options, String where) {
        for (String key : options.keySet()) {
            AVDictionaryEntry e = avutil.av_dict_get(leftover, key, null, 0);
            if (e != null && !e.isNull()) {
                throw new IllegalStateException("FFmpeg ignored the safety option " + key + " in " + where);
            }
        }
    }
}
