package io.videomerge.internal.probe;

import static java.util.Objects.requireNonNull;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.bytedeco.javacv.FFmpegFrameGrabber;
import org.bytedeco.javacv.FrameGrabber;

/**
 * The one way videomerge opens an untrusted input for decoding: probes it with {@link Prober} under the
 * {@link Limits}, then starts a JavaCV grabber on the very streams the probe checked, with the same
 * safety options on the format context and on both decoders.
 *
 * <p>The probe comes first because JavaCV passes no decoder options to the decoders libavformat opens while
 * finding stream parameters; the probe does, so {@code max_pixels} also holds there. A merge that has just
 * {@link Prober#inspect inspected} the file hands that inspection over instead of probing it a second time: the
 * file is the same, so what the probe proved still holds when the grabber finds the stream parameters again. The grabber's own
 * decoders get {@code codec_whitelist} and {@code max_pixels}, so a picture that grows past the limit
 * mid-stream is refused by FFmpeg while decoding.
 *
 * <p>Caution for callers: JavaCV's grabber does not surface decode errors; it skips the packet and, at the
 * end, returns {@code null} like a normal end of stream. Compare what was decoded with the probed duration.
 */
public final class InputOpener {
    private final Prober prober;
    private final SafeOptions options;

    public InputOpener(Limits limits) {
        requireNonNull(limits, "limits");
        this.prober = new Prober(limits);
        this.options = new SafeOptions(limits);
    }

    /**
     * Probes {@code file} (input {@code index}) and returns a started grabber on it; the caller closes it.
     *
     * @throws MediaException when the file is not acceptable media
     */
    public FFmpegFrameGrabber open(Path file, int index) {
        return open(file, index, grabber -> { });
    }

    /**
     * Like {@link #open(Path, int)}, letting {@code configure} set output formats (pixel format, sample
     * format, image mode…) before the grabber starts. The safety options and the stream choice are applied
     * after {@code configure}, so it cannot loosen them.
     *
     * @throws MediaException when the file is not acceptable media
     */
    public FFmpegFrameGrabber open(Path file, int index, Consumer<? super FFmpegFrameGrabber> configure) {
        requireNonNull(configure, "configure");
        Prober.Inspection inspection = prober.inspect(file, index);
        return start(file, index, inspection.videoStream(), inspection.audioStream(), configure);
    }

    /**
     * Like {@link #open(Path, int, Consumer)} for a file {@link Prober#inspect inspected} already (in this merge,
     * under the same limits): the inspection stands for the probe, so the file is not probed again.
     *
     * @param file      the very file {@code probed} describes
     * @throws MediaException when the file cannot be decoded
     */
    public FFmpegFrameGrabber open(Path file, Prober.Inspection probed, Consumer<? super FFmpegFrameGrabber> configure) {
        requireNonNull(file, "file");
        requireNonNull(probed, "probed");
        requireNonNull(configure, "configure");
        return start(file, probed.info().index(), probed.videoStream(), probed.audioStream(), configure);
    }

    /** Starts the grabber with the safety options on the given streams, without probing first. */
    FFmpegFrameGrabber start(Path file, int index, int videoStream, int audioStream,
                             Consumer<? super FFmpegFrameGrabber> configure) {
        FFmpegFrameGrabber grabber = new FFmpegFrameGrabber("file:" + file.toAbsolutePath());
        try {
            configure.accept(grabber);
            grabber.setFormat(null);
            options.format().forEach(grabber::setOption);
            options.decoder().forEach(grabber::setVideoOption);
            options.decoder().forEach(grabber::setAudioOption);
            grabber.setVideoStream(videoStream);
            // No audio stream: -1 lets JavaCV look for one and find none.
            grabber.setAudioStream(audioStream);
            grabber.start();
            return grabber;
        } catch (FrameGrabber.Exception | RuntimeException e) {
            closeQuietly(grabber, e);
            if (e instanceof MediaException m) {
                throw m;
            }
            throw new MediaException(ErrorCode.INVALID_MEDIA, "input " + index + " cannot be decoded", index, e);
        }
    }

    private static void closeQuietly(FFmpegFrameGrabber grabber, Exception failure) {
        try {
            grabber.close();
        } catch (FrameGrabber.Exception | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}
