package io.videomerge.internal.probe;

import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;

/**
 * One input opened for decoding under the limits: its format context and an open decoder for the video stream
 * and, when the clip has one, for the audio stream. Closing it frees all three; it is not thread-safe.
 */
public final class DecodingInput implements AutoCloseable {
    private final int index;
    private AVFormatContext format;
    private AVCodecContext video;
    private AVCodecContext audio;
    private final int videoStream;
    private final int audioStream;

    DecodingInput(
            int index,
            AVFormatContext format,
            int videoStream,
            AVCodecContext video,
            int audioStream,
            AVCodecContext audio) {
        this.index = index;
        this.format = format;
        this.videoStream = videoStream;
        this.video = video;
        this.audioStream = audioStream;
        this.audio = audio;
    }

    /** The input's zero-based position in the request. */
    public int index() {
        return index;
    }

    /** The demuxer, owned by this input. */
    public AVFormatContext format() {
        return format;
    }

    /** The file's stream number of the video stream. */
    public int videoStream() {
        return videoStream;
    }

    /** The file's stream number of the audio stream, -1 when none is decoded. */
    public int audioStream() {
        return audio == null ? -1 : audioStream;
    }

    /** The open video decoder. */
    public AVCodecContext videoDecoder() {
        return video;
    }

    /** The open audio decoder, or null when the clip's audio is not decoded. */
    public AVCodecContext audioDecoder() {
        return audio;
    }

    /** The stream numbered {@code streamIndex}. */
    public AVStream stream(int streamIndex) {
        return format.streams(streamIndex);
    }

    @Override
    public void close() {
        if (video != null) {
            avcodec.avcodec_free_context(video);
            video = null;
        }
        if (audio != null) {
            avcodec.avcodec_free_context(audio);
            audio = null;
        }
        if (format != null) {
            avformat.avformat_close_input(format);
            format = null;
        }
    }
}
