package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_FLAG_GLOBAL_HEADER;
import static org.bytedeco.ffmpeg.global.avcodec.AV_CODEC_ID_AAC;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_alloc;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_free;
import static org.bytedeco.ffmpeg.global.avcodec.av_packet_rescale_ts;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_alloc_context3;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_find_encoder_by_name;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_free_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_open2;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_parameters_from_context;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_receive_packet;
import static org.bytedeco.ffmpeg.global.avcodec.avcodec_send_frame;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EAGAIN;
import static org.bytedeco.ffmpeg.global.avutil.AVERROR_EOF;
import static org.bytedeco.ffmpeg.global.avutil.AV_PICTURE_TYPE_NONE;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.AV_SAMPLE_FMT_FLTP;
import static org.bytedeco.ffmpeg.global.avutil.av_channel_layout_default;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_free;
import static org.bytedeco.ffmpeg.global.avutil.av_dict_set;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_get_buffer;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_make_writable;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_ref;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_unref;
import static org.bytedeco.ffmpeg.global.avutil.av_make_q;

import io.videomerge.Canvas;
import io.videomerge.ProcessingException;
import io.videomerge.internal.plan.Plan;
import java.nio.file.Path;
import java.util.Map;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVCodecContext;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVDictionary;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.ffmpeg.avutil.AVRational;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Encodes canvas-sized yuv420p frames (one per output frame, at {@link Plan#FRAME_RATE} fps) and stereo
 * float samples at {@link Plan#SAMPLE_RATE} Hz into an MP4 with H.264 + AAC and the index at the front.
 */
final class Mp4Writer implements AutoCloseable {
    static final long AUDIO_BIT_RATE = 128_000;
    // AV_FRAME_FLAG_KEY of libavutil/frame.h, which the presets do not map.
    private static final int AV_FRAME_FLAG_KEY = 1 << 1;

    private final AVPacket packet = av_packet_alloc();
    private final AVFrame videoFrame = av_frame_alloc();
    private final AVFrame audioFrame = av_frame_alloc();
    private Mp4Output output;
    private AVCodecContext video;
    private AVCodecContext audio;
    private AVStream videoStream;
    private AVStream audioStream;
    private int audioFrameSize;
    private int audioFill;
    private long audioPts;

    Mp4Writer(Path file, Canvas canvas, VideoEncoding encoding) {
        try {
            setUp(file, canvas, encoding);
        } catch (RuntimeException e) {
            close();
            throw e;
        }
    }

    private void setUp(Path file, Canvas canvas, VideoEncoding encoding) {
        output = new Mp4Output(file);
        boolean globalHeader = output.wantsGlobalHeader();

        AVCodec h264 = avcodec_find_encoder_by_name(encoding.encoder());
        if (h264 == null) {
            throw new ProcessingException("no H.264 encoder available", null);
        }
        video = avcodec_alloc_context3(h264);
        video.width(canvas.width());
        video.height(canvas.height());
        video.pix_fmt(AV_PIX_FMT_YUV420P);
        // Rationals made by value are native copies that only the collector would free: each is closed here.
        try (AVRational timeBase = av_make_q(1, Plan.FRAME_RATE);
                AVRational frameRate = av_make_q(Plan.FRAME_RATE, 1);
                AVRational square = av_make_q(1, 1)) {
            video.time_base(timeBase);
            video.framerate(frameRate);
            video.sample_aspect_ratio(square);
        }
        video.color_range(AVCOL_RANGE_MPEG);
        if (encoding.bitRate() > 0) {
            video.bit_rate(encoding.bitRate());
        }
        video.thread_count(0);
        if (globalHeader) {
            video.flags(video.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        open(video, h264, encoding.options());

        AVCodec aac = avcodec_find_encoder(AV_CODEC_ID_AAC);
        audio = avcodec_alloc_context3(aac);
        audio.sample_fmt(AV_SAMPLE_FMT_FLTP);
        audio.sample_rate(Plan.SAMPLE_RATE);
        av_channel_layout_default(audio.ch_layout(), Plan.CHANNELS);
        audio.bit_rate(AUDIO_BIT_RATE);
        try (AVRational timeBase = av_make_q(1, Plan.SAMPLE_RATE)) {
            audio.time_base(timeBase);
        }
        if (globalHeader) {
            audio.flags(audio.flags() | AV_CODEC_FLAG_GLOBAL_HEADER);
        }
        open(audio, aac, Map.of());
        audioFrameSize = audio.frame_size() > 0 ? audio.frame_size() : 1024;

        videoStream = output.addStream();
        NativeCall.check(avcodec_parameters_from_context(videoStream.codecpar(), video), "set up the video stream");
        videoStream.time_base(video.time_base());
        audioStream = output.addStream();
        NativeCall.check(avcodec_parameters_from_context(audioStream.codecpar(), audio), "set up the audio stream");
        audioStream.time_base(audio.time_base());

        audioFrame.nb_samples(audioFrameSize);
        audioFrame.format(AV_SAMPLE_FMT_FLTP);
        audioFrame.sample_rate(Plan.SAMPLE_RATE);
        av_channel_layout_default(audioFrame.ch_layout(), Plan.CHANNELS);
        NativeCall.check(av_frame_get_buffer(audioFrame, 0), "allocate audio frames");

        output.start();
    }

    private static void open(AVCodecContext context, AVCodec codec, Map<String, String> privateOptions) {
        AVDictionary options = new AVDictionary(null);
        privateOptions.forEach((k, v) -> av_dict_set(options, k, v, 0));
        try {
            NativeCall.check(avcodec_open2(context, codec, options), "open the encoder");
        } finally {
            av_dict_free(options);
        }
    }

    /** Encodes {@code frame} (not modified, still owned by the caller) as output frame number {@code index}. */
    void writeVideo(AVFrame frame, long index) {
        NativeCall.check(av_frame_ref(videoFrame, frame), "reference a frame");
        videoFrame.pts(index);
        videoFrame.duration(1);
        // Keyframes are the encoder's choice, not a copy of the source's.
        videoFrame.pict_type(AV_PICTURE_TYPE_NONE);
        videoFrame.flags(videoFrame.flags() & ~AV_FRAME_FLAG_KEY);
        try {
            NativeCall.check(avcodec_send_frame(video, videoFrame), "encode video");
        } finally {
            av_frame_unref(videoFrame);
        }
        drain(video, videoStream);
    }

    /** Appends {@code count} stereo samples; encodes every full AAC frame. */
    void writeAudio(float[] left, float[] right, int count) {
        int offset = 0;
        while (offset < count) {
            if (audioFill == 0) {
                NativeCall.check(av_frame_make_writable(audioFrame), "prepare an audio frame");
            }
            int n = Math.min(count - offset, audioFrameSize - audioFill);
            new FloatPointer(audioFrame.data(0)).position(audioFill).put(left, offset, n);
            new FloatPointer(audioFrame.data(1)).position(audioFill).put(right, offset, n);
            audioFill += n;
            offset += n;
            if (audioFill == audioFrameSize) {
                sendAudio();
            }
        }
    }

    private void sendAudio() {
        audioFrame.nb_samples(audioFill);
        audioFrame.pts(audioPts);
        audioPts += audioFill;
        audioFill = 0;
        NativeCall.check(avcodec_send_frame(audio, audioFrame), "encode audio");
        drain(audio, audioStream);
    }

    /** Flushes both encoders and writes the index; the file is complete afterwards. */
    void finish() {
        if (audioFill > 0) {
            sendAudio();
        }
        NativeCall.check(avcodec_send_frame(video, null), "flush video");
        drain(video, videoStream);
        NativeCall.check(avcodec_send_frame(audio, null), "flush audio");
        drain(audio, audioStream);
        output.finish();
    }

    private void drain(AVCodecContext codec, AVStream stream) {
        while (true) {
            int ret = avcodec_receive_packet(codec, packet);
            if (ret == AVERROR_EAGAIN() || ret == AVERROR_EOF) {
                return;
            }
            NativeCall.check(ret, "encode");
            if (codec == video && packet.duration() <= 0) {
                // Some encoders (libopenh264) leave it unset; the MP4 then ends a frame early.
                packet.duration(1);
            }
            av_packet_rescale_ts(packet, codec.time_base(), stream.time_base());
            packet.stream_index(stream.index());
            output.write(packet);
        }
    }

    @Override
    public void close() {
        av_packet_free(packet);
        av_frame_free(videoFrame);
        av_frame_free(audioFrame);
        if (video != null) {
            avcodec_free_context(video);
            video = null;
        }
        if (audio != null) {
            avcodec_free_context(audio);
            audio = null;
        }
        if (output != null) {
            output.close();
            output = null;
        }
    }
}
