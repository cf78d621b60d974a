package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avcodec.av_packet_unref;
import static org.bytedeco.ffmpeg.global.avformat.AVFMT_GLOBALHEADER;
import static org.bytedeco.ffmpeg.global.avformat.AVIO_FLAG_WRITE;
import static org.bytedeco.ffmpeg.global.avformat.av_interleaved_write_frame;
import static org.bytedeco.ffmpeg.global.avformat.av_write_trailer;
import static org.bytedeco.ffmpeg.global.avformat.avformat_alloc_output_context2;
import static org.bytedeco.ffmpeg.global.avformat.avformat_free_context;
import static org.bytedeco.ffmpeg.global.avformat.avformat_new_stream;
import static org.bytedeco.ffmpeg.global.avformat.avformat_write_header;
import static org.bytedeco.ffmpeg.global.avformat.avio_closep;
import static org.bytedeco.ffmpeg.global.avformat.avio_open;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;

import io.videomerge.ProcessingException;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIOContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;

/**
 * The MP4 file both encode paths write: streams are added, then {@link #start} opens the file and writes the
 * header, packets are interleaved into it, and {@link #finish} writes the index at the front
 * ({@code movflags=+faststart}). Every FFmpeg failure is a {@link ProcessingException}: a write that finds the disk
 * (or the quota) full is {@link io.videomerge.ErrorCode#STORAGE_FULL}, any other
 * {@link io.videomerge.ErrorCode#PROCESSING_FAILED}. Closing releases the file and the context whatever state they
 * are in.
 */
final class Mp4Output implements AutoCloseable {
    private final Path file;
    private AVFormatContext format;

    /** A muxer for {@code file}, with no stream yet. */
    Mp4Output(Path file) {
        this.file = file;
        format = new AVFormatContext(null);
        try {
            NativeCall.check(avformat_alloc_output_context2(format, null, "mp4", file.toString()), "create the output");
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    /** Whether encoders must put their parameter sets in the stream header (MP4 wants them there). */
    boolean wantsGlobalHeader() {
        return (format.oformat().flags() & AVFMT_GLOBALHEADER) != 0;
    }

    /** A new stream; the caller fills its codec parameters and time base before {@link #start}. */
    AVStream addStream() {
        AVStream stream = avformat_new_stream(format, null);
        if (stream == null || stream.isNull()) {
            throw new ProcessingException("could not add an output stream", null);
        }
        return stream;
    }

    /** Opens the file and writes the header; the streams' time bases may change (the muxer picks its own). */
    void start() {
        AVIOContext io = new AVIOContext(null);
        NativeCall.checkWrite(avio_open(io, file.toString(), AVIO_FLAG_WRITE), "open the output file");
        format.pb(io);
        AVDictionary options = new AVDictionary(null);
        av_dict_set(options, "movflags", "+faststart", 0);
        try {
            NativeCall.checkWrite(avformat_write_header(format, options), "write the output header");
        } finally {
            av_dict_free(options);
        }
    }

    /**
     * Writes {@code packet} (stream index and timestamps set, in its stream's time base); the muxer takes its
     * data over and the packet is left empty.
     */
    void write(AVPacket packet) {
        int ret = av_interleaved_write_frame(format, packet);
        av_packet_unref(packet);
        NativeCall.checkWrite(ret, "write the output");
    }

    /** Flushes the interleaving queue and writes the index; the file is complete afterwards. */
    void finish() {
        NativeCall.checkWrite(av_write_trailer(format), "finish the output");
    }

    @Override
    public void close() {
        if (format != null && !format.isNull()) {
            if (format.pb() != null) {
                avio_closep(format.pb());
                format.pb(null);
            }
            avformat_free_context(format);
        }
        format = null;
    }
}
