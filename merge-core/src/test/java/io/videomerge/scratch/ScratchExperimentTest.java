package io.videomerge.scratch;

import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.nio.file.Path;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScratchExperimentTest {
    @TempDir
    Path dir;

    @Test
    void explore() {
        Pointer opaque = new Pointer();
        AVCodec c;
        while ((c = avcodec.av_codec_iterate(opaque)) != null && !c.isNull()) {
            if (c.id() == avcodec.AV_CODEC_ID_AV1) {
                System.out.println("AV1 codec " + c.name().getString() + " decoder=" + avcodec.av_codec_is_decoder(c)
                        + " caps=" + c.capabilities());
            }
        }
        System.out.println("find_decoder(AV1)=" + avcodec.avcodec_find_decoder(avcodec.AV_CODEC_ID_AV1).name().getString());
        ClipSpec base = ClipSpec.defaults().withDuration(2).withEvents(0.5);
        for (ClipSpec s : new ClipSpec[] {base, base.withFormat(ClipSpec.Format.MKV_H264_AAC),
                base.withFormat(ClipSpec.Format.MKV_H264_AAC).withStart(3), base.withStart(3),
                base.withFormat(ClipSpec.Format.WEBM_VP8_OPUS), base.withFormat(ClipSpec.Format.WEBM_VP9_OPUS).withStart(3),
                base.withFormat(ClipSpec.Format.MP4_AV1_AAC), base.withFormat(ClipSpec.Format.WEBM_AV1_OPUS)}) {
            long t0 = System.nanoTime();
            Path f = ClipGenerator.write(s, dir, s.format() + "-" + (int) s.startSeconds());
            System.out.println("==== " + f.getFileName() + " written in " + (System.nanoTime() - t0) / 1_000_000 + " ms");
            dump(f);
        }
    }

    static void dump(Path f) {
        AVFormatContext fmt = avformat.avformat_alloc_context();
        avformat.avformat_open_input(fmt, f.toString(), null, null);
        avformat.avformat_find_stream_info(fmt, (org.bytedeco.javacpp.PointerPointer<?>) null);
        System.out.println("fmt " + fmt.iformat().name().getString() + " flags=" + Integer.toHexString(fmt.iformat().flags())
                + " nobyteseek=" + ((fmt.iformat().flags() & avformat.AVFMT_NO_BYTE_SEEK) != 0)
                + " duration=" + fmt.duration() + " start=" + fmt.start_time() + " size=" + avformat.avio_size(fmt.pb()));
        for (int i = 0; i < fmt.nb_streams(); i++) {
            AVStream st = fmt.streams(i);
            int n = avformat.avformat_index_get_entries_count(st);
            System.out.println(" st" + i + " " + avcodec.avcodec_get_name(st.codecpar().codec_id()).getString()
                    + " tb=" + st.time_base().num() + "/" + st.time_base().den() + " start=" + st.start_time()
                    + " dur=" + st.duration() + " index=" + n
                    + (n > 0 ? " last=" + avformat.avformat_index_get_entry(st, n - 1).timestamp() : ""));
        }
        AVPacket p = avcodec.av_packet_alloc();
        for (int k = 0; k < 6 && avformat.av_read_frame(fmt, p) >= 0; k++) {
            System.out.println("  first pkt st" + p.stream_index() + " pts=" + p.pts() + " dts=" + p.dts() + " dur=" + p.duration()
                    + " pos=" + p.pos() + " size=" + p.size() + " sidedata=" + p.side_data_elems());
            avcodec.av_packet_unref(p);
        }
        long size = avformat.avio_size(fmt.pb());
        int r = avformat.av_seek_frame(fmt, -1, Math.max(0, size - 20000), avformat.AVSEEK_FLAG_BYTE);
        System.out.println("  byte seek ret=" + r);
        int count = 0;
        String last = "";
        int ret;
        while ((ret = avformat.av_read_frame(fmt, p)) >= 0) {
            if (count < 3) {
                System.out.println("  after seek st" + p.stream_index() + " pts=" + p.pts() + " dur=" + p.duration() + " pos=" + p.pos());
            }
            last = "  last st" + p.stream_index() + " pts=" + p.pts() + " dur=" + p.duration();
            count++;
            avcodec.av_packet_unref(p);
        }
        System.out.println(last + " count=" + count + " ret=" + ret);
        avcodec.av_packet_free(p);
        avformat.avformat_close_input(fmt);
    }
}
