package io.videomerge.internal.probe;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.PointerPointer;

/**
 * Opens one downloaded input for reading packets only, under the {@link Limits}: the format context gets
 * {@code protocol_whitelist=file}, the container whitelist, {@code max_streams} and a bounded probe, and the
 * decoders libavformat opens while finding the stream parameters get the decoder whitelist and
 * {@code max_pixels} (single-threaded). No decoder stays open: this is the stream-copy path's opener, and the
 * prober's first step.
 *
 * <p>It refuses what does not open as media in an allowed container with {@link ErrorCode#INVALID_MEDIA} naming
 * the input; it does not check the streams (the {@link Prober} does). Instances are immutable and thread-safe.
 */
public final class Demuxer {
    private final SafeOptions options;

    public Demuxer(Limits limits) {
        this.options = new SafeOptions(requireNonNull(limits, "limits"));
        NativeLog.init();
    }

    /**
     * Opens {@code file} (input {@code index}) with its stream parameters found; the caller closes the context
     * with {@code avformat_close_input}.
     *
     * @throws MediaException when the file is not media in an allowed container
     */
    public AVFormatContext open(Path file, int index) {
        requireNonNull(file, "file");
        if (index < 0) {
            throw new IllegalArgumentException("index must be >= 0: " + index);
        }
        if (!Files.isRegularFile(file)) {
            throw invalid(index, "is not a readable file");
        }
        AVFormatContext fmt = avformat.avformat_alloc_context();
        boolean opened = false;
        try {
            openInput(fmt, file, index);
            findStreamInfo(fmt, index);
            opened = true;
            return fmt;
        } finally {
            if (!opened) {
                avformat.avformat_close_input(fmt);
            }
        }
    }

    private void openInput(AVFormatContext fmt, Path file, int index) {
        AVDictionary dict = SafeOptions.dictionary(options.format());
        try {
            // The file: prefix keeps a colon in the path from being read as a protocol name.
            int ret = avformat.avformat_open_input(fmt, "file:" + file.toAbsolutePath(), null, dict);
            if (ret < 0) {
                throw invalid(index, "is not a video in a supported container");
            }
            SafeOptions.requireConsumed(dict, options.format(), "avformat_open_input");
        } finally {
            avutil.av_dict_free(dict);
        }
    }

    private void findStreamInfo(AVFormatContext fmt, int index) {
        int n = fmt.nb_streams();
        // One dictionary per stream: the decoders opened here must obey max_pixels too, which the format
        // context cannot pass on by itself.
        PointerPointer<AVDictionary> perStream = new PointerPointer<>(n);
        try {
            for (int i = 0; i < n; i++) {
                perStream.put(i, SafeOptions.dictionary(options.probeDecoder()));
            }
            if (avformat.avformat_find_stream_info(fmt, perStream) < 0) {
                throw invalid(index, "is not readable media");
            }
        } finally {
            // FFmpeg may have replaced each dictionary with its leftovers: free what the array holds now.
            for (int i = 0; i < n; i++) {
                avutil.av_dict_free(new AVDictionary(perStream.get(i)));
            }
            perStream.close();
        }
    }

    private static MediaException invalid(int index, String what) {
        return new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " " + what, index);
    }
}
