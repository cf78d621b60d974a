package io.videomerge.internal.probe;

import java.nio.ByteOrder;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.SizeTPointer;

/**
 * Where a clip's packets really are on its container's timeline, proven from the packets themselves: the
 * first one's timestamp, and the end ({@code pts + duration}) of the last ones, found by a bounded read at the
 * end of the file. Header durations are never used: a Matroska header may claim any length, or none.
 *
 * <p>The end read seeks near the end of the file, by byte offset where the demuxer allows it (a byte position
 * is a fact of the file; a Matroska index is only a hint) and otherwise by timestamp to shortly before the
 * index's last entry (MP4, whose sample table is complete), then reads packets to the end of the file. When no
 * packet of the streams used turns up, the window widens, a bounded number of times; each read is bounded in
 * packets as well, so an input can never make the probe read a long file through.
 *
 * <p>A packet's own duration is trusted only when it agrees with the stream's spacing (the last gap between
 * decode timestamps): muxers write wrong ones (a WebM Opus packet claiming 960 ms, an AV1 frame 1 ms), and the
 * spacing is what a player shows.
 *
 * <p>The same reads measure how densely the video packets really come ({@link #videoPacketRate()}), which a header's
 * frame rate only claims.
 */
final class Extent {
    /** First byte window read at the end of a file that allows byte seeks; each widening multiplies it by 4. */
    private static final long FIRST_BYTE_WINDOW = 64 * 1024;
    /** First time window read before the index's last entry; each widening multiplies it by 4. */
    private static final double FIRST_TIME_WINDOW_SECONDS = 2;
    /** Seeks tried at most: windows up to 64 MiB (a Matroska cluster must fit) or 2048 s. */
    private static final int MAX_ATTEMPTS = 6;
    /** Packets read at most per attempt. */
    private static final int MAX_PACKETS = 50_000;
    /** The least span of video packets from which {@link #videoPacketRate()} tells a rate. */
    private static final double MIN_MEASURED_SECONDS = 1.0;

    private final AVFormatContext fmt;
    private final int[] streams;
    /** Per stream used: the end proven so far, in seconds; NaN until a packet was seen. */
    private final double[] ends;

    private final long[] lastDts;
    private final long[] gaps;
    private double start = Double.NaN;
    /** Video packets read right after another one of the same read (no seek between): each closes a gap. */
    private long videoGaps;
    /** The summed decode-timestamp distance of those gaps, in seconds. */
    private double videoGapSeconds;

    /** An extent over {@code streams} (indexes into {@code fmt}; the video stream first). */
    Extent(AVFormatContext fmt, int... streams) {
        this.fmt = fmt;
        this.streams = streams.clone();
        this.ends = new double[streams.length];
        this.lastDts = new long[streams.length];
        this.gaps = new long[streams.length];
        Arrays.fill(ends, Double.NaN);
        forget();
    }

    /**
     * Takes a packet read from the start of the file into account: the earliest first timestamp of the streams
     * used is the clip's start (an audio packet's decoder-skipped priming samples excluded).
     */
    void atStart(AVPacket pkt) {
        int s = slot(pkt);
        if (s < 0) {
            return;
        }
        long pts = pts(pkt);
        if (pts != avutil.AV_NOPTS_VALUE()) {
            AVStream st = fmt.streams(pkt.stream_index());
            double seconds = pts * avutil.av_q2d(st.time_base()) + skipped(pkt, st);
            start = Double.isNaN(start) ? seconds : Math.min(start, seconds);
        }
        take(s, pkt);
    }

    /** The start proven by {@link #atStart}; NaN when no packet of the streams used had a timestamp. */
    double start() {
        return start;
    }

    /**
     * The latest end ({@code pts + duration}, seconds on the container timeline) of a packet of the streams used,
     * read near the end of the file; packets already seen at the start count too. NaN when none was seen.
     */
    double end() {
        double before = latest();
        long size = fmt.pb() == null ? -1 : avformat.avio_size(fmt.pb());
        boolean byBytes = size > 0 && (fmt.iformat().flags() & avformat.AVFMT_NO_BYTE_SEEK) == 0;
        double indexed = Completeness.indexedEnd(fmt, streams);
        AVPacket pkt = avcodec.av_packet_alloc();
        try {
            for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
                long widen = 1L << (2 * attempt);
                if (byBytes) {
                    long from = size - FIRST_BYTE_WINDOW * widen;
                    // A window reaching back to what was read already is read on, without a seek: Matroska
                    // resynchronises on the next cluster after a byte seek, which near the start may be none.
                    if (from <= avformat.avio_tell(fmt.pb())) {
                        readToEnd(pkt);
                        break;
                    }
                    if (avformat.av_seek_frame(fmt, -1, from, avformat.AVSEEK_FLAG_BYTE) < 0) {
                        break;
                    }
                } else if (!Double.isNaN(indexed)) {
                    double from = indexed - FIRST_TIME_WINDOW_SECONDS * widen;
                    long ts = Math.round(from * avutil.AV_TIME_BASE);
                    if (avformat.avformat_seek_file(fmt, -1, Long.MIN_VALUE, ts, ts, 0) < 0) {
                        break;
                    }
                    if (from <= (Double.isNaN(start) ? 0 : start)) {
                        forget();
                        readToEnd(pkt);
                        break;
                    }
                } else {
                    break;
                }
                forget();
                if (readToEnd(pkt)) {
                    break;
                }
            }
        } finally {
            avcodec.av_packet_free(pkt);
        }
        double after = latest();
        return Double.isNaN(after) ? before : Double.isNaN(before) ? after : Math.max(before, after);
    }

    /**
     * Video packets per second among the packets read so far: the packets that followed another one without a seek,
     * over the time their decode timestamps advanced, pooled over every read. Packets that share a timestamp count
     * (the decoder decodes each). NaN when the packets read span less than {@link #MIN_MEASURED_SECONDS}: a few
     * frames close together say nothing about a whole clip.
     */
    double videoPacketRate() {
        return videoGapSeconds >= MIN_MEASURED_SECONDS ? videoGaps / videoGapSeconds : Double.NaN;
    }

    /** Reads to the end of the file; whether a packet of a stream used was seen. */
    private boolean readToEnd(AVPacket pkt) {
        boolean seen = false;
        for (int packets = 0; packets < MAX_PACKETS; packets++) {
            int ret = avformat.av_read_frame(fmt, pkt);
            if (ret == avutil.AVERROR_EAGAIN()) {
                continue;
            }
            if (ret < 0) {
                // The end of the file, or damage: either way the packets before are what the file holds, and
                // Completeness judges whether that falls short of its index.
                break;
            }
            try {
                int s = slot(pkt);
                if (s >= 0) {
                    take(s, pkt);
                    seen = true;
                }
            } finally {
                avcodec.av_packet_unref(pkt);
            }
        }
        return seen;
    }

    private void take(int s, AVPacket pkt) {
        long pts = pts(pkt);
        if (pts == avutil.AV_NOPTS_VALUE()) {
            return;
        }
        AVStream st = fmt.streams(pkt.stream_index());
        long dts = pkt.dts() == avutil.AV_NOPTS_VALUE() ? pts : pkt.dts();
        if (s == 0 && lastDts[s] != avutil.AV_NOPTS_VALUE() && dts >= lastDts[s]) {
            videoGaps++;
            videoGapSeconds += ((double) dts - lastDts[s]) * avutil.av_q2d(st.time_base());
        }
        if (lastDts[s] != avutil.AV_NOPTS_VALUE() && dts > lastDts[s]) {
            gaps[s] = dts - lastDts[s];
        }
        lastDts[s] = dts;
        long duration = pkt.duration();
        long gap = gaps[s];
        if (gap > 0 && (duration <= 0 || duration * 2 < gap || duration > gap * 3 / 2)) {
            duration = gap;
        }
        double end = (pts + Math.max(0, duration)) * avutil.av_q2d(st.time_base());
        ends[s] = Double.isNaN(ends[s]) ? end : Math.max(ends[s], end);
    }

    private double latest() {
        double end = Double.NaN;
        for (double e : ends) {
            if (!Double.isNaN(e)) {
                end = Double.isNaN(end) ? e : Math.max(end, e);
            }
        }
        return end;
    }

    /** Starts the spacing over after a seek (the last packet before it is no neighbour); ends are kept. */
    private void forget() {
        for (int i = 0; i < streams.length; i++) {
            lastDts[i] = avutil.AV_NOPTS_VALUE();
            gaps[i] = 0;
        }
    }

    private int slot(AVPacket pkt) {
        for (int i = 0; i < streams.length; i++) {
            if (streams[i] == pkt.stream_index()) {
                return i;
            }
        }
        return -1;
    }

    private static long pts(AVPacket pkt) {
        return pkt.pts() != avutil.AV_NOPTS_VALUE() ? pkt.pts() : pkt.dts();
    }

    /** Seconds of priming the decoder drops from the front of an audio packet (its skip-samples side data). */
    private static double skipped(AVPacket pkt, AVStream st) {
        int rate = st.codecpar().sample_rate();
        if (rate <= 0) {
            return 0;
        }
        BytePointer data = avcodec.av_packet_get_side_data(pkt, avcodec.AV_PKT_DATA_SKIP_SAMPLES, (SizeTPointer) null);
        if (data == null || data.isNull()) {
            return 0;
        }
        long samples = Integer.toUnsignedLong(
                data.capacity(4).asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).getInt());
        return samples / (double) rate;
    }
}
