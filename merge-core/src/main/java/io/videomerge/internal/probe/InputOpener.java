package io.videomerge.internal.probe;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;

/**
 * The one way videomerge opens an untrusted input for decoding: the format context through the {@link Demuxer}
 * (protocol and container whitelists, bounded probe, decoder options on the stream-parameter step) and one
 * decoder per stream used, each opened with the decoder whitelist and {@code max_pixels}, so a picture that
 * grows past the limit mid-stream is refused by FFmpeg while decoding.
 *
 * <p>A merge that has just {@link Prober#inspect inspected} the file hands that inspection over: the file is
 * the same, so what the probe proved (container, codecs, the streams to use) still holds. Instances are
 * immutable and thread-safe.
 */
public final class InputOpener {
    private final Prober prober;
    private final Demuxer demuxer;
    private final SafeOptions options;

    public InputOpener(Limits limits) {
        requireNonNull(limits, "limits");
        this.prober = new Prober(limits);
        this.demuxer = new Demuxer(limits);
        this.options = new SafeOptions(limits);
    }

    /**
     * Probes {@code file} (input {@code index}) and opens it for decoding; the caller closes the result.
     *
     * @throws MediaException when the file is not acceptable media
     */
    public DecodingInput open(Path file, int index) {
        return open(file, prober.inspect(file, index));
    }

    /**
     * Opens {@code file}, which {@code probed} describes, for decoding without probing it again; the caller
     * closes the result.
     *
     * @throws MediaException when the file cannot be decoded
     */
    public DecodingInput open(Path file, Prober.Inspection probed) {
        requireNonNull(file, "file");
        requireNonNull(probed, "probed");
        return open(file, probed.info().index(), probed.videoStream(), probed.audioStream());
    }

    /**
     * Opens only the video stream of {@code file}, which {@code probed} describes, with a single-threaded decoder,
     * for reading a frame or two (a poster): frame threads would only read ahead, each holding pictures, and an
     * audio decoder would decode what nobody reads. The caller closes the result.
     *
     * @throws MediaException when the file cannot be decoded
     */
    public DecodingInput openForOneFrame(Path file, Prober.Inspection probed) {
        requireNonNull(file, "file");
        requireNonNull(probed, "probed");
        return open(file, probed.info().index(), probed.videoStream(), -1, options.probeDecoder());
    }

    /** Opens the given streams with the safety options, without probing first. */
    DecodingInput open(Path file, int index, int videoStream, int audioStream) {
        return open(file, index, videoStream, audioStream, options.decoder());
    }

    private DecodingInput open(
            Path file, int index, int videoStream, int audioStream, Map<String, String> decoderOptions) {
        AVFormatContext format = demuxer.open(file, index);
        AVCodecContext video = null;
        AVCodecContext audio = null;
        try {
            if (videoStream < 0
                    || videoStream >= format.nb_streams()
                    || (audioStream >= 0 && audioStream >= format.nb_streams())) {
                throw invalid(index);
            }
            video = prober.openDecoder(format.streams(videoStream), index, decoderOptions);
            if (audioStream >= 0) {
                audio = prober.openDecoder(format.streams(audioStream), index, decoderOptions);
            }
            return new DecodingInput(index, format, videoStream, video, audioStream, audio);
        } catch (RuntimeException e) {
            if (video != null) {
                avcodec.avcodec_free_context(video);
            }
            avformat.avformat_close_input(format);
            throw e;
        }
    }

    private static MediaException invalid(int index) {
        return new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " cannot be decoded", index);
    }
}
