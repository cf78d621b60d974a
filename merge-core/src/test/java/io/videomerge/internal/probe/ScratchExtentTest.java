package io.videomerge.internal.probe;

import io.videomerge.Limits;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchExtentTest {
    @TempDir
    Path dir;

    @Test
    void explore() {
        avutil.av_log_set_level(avutil.AV_LOG_DEBUG);
        Path f = ClipGenerator.write(ClipSpec.defaults().withFormat(ClipSpec.Format.MKV_H264_AAC).withStart(3), dir, "late");
        AVFormatContext fmt = new Demuxer(Limits.defaults()).open(f, 0);
        AVPacket p = avcodec.av_packet_alloc();
        for (int k = 0; k < 3 && avformat.av_read_frame(fmt, p) >= 0; k++) {
            System.out.println("first st" + p.stream_index() + " pts=" + p.pts());
            avcodec.av_packet_unref(p);
        }
        System.out.println("size " + avformat.avio_size(fmt.pb()));
        int r = avformat.av_seek_frame(fmt, -1, 0, avformat.AVSEEK_FLAG_BYTE);
        System.out.println("seek " + r);
        int ret;
        int n = 0;
        while ((ret = avformat.av_read_frame(fmt, p)) >= 0) {
            if (n++ < 3) System.out.println("after st" + p.stream_index() + " pts=" + p.pts());
            avcodec.av_packet_unref(p);
        }
        System.out.println("n=" + n + " ret=" + ret);
    }
}
