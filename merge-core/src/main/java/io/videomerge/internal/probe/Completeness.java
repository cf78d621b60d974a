package io.videomerge.internal.probe;

import io.videomerge.ErrorCode;
import io.videomerge.MediaException;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.avformat.AVIndexEntry;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;

/**
 * The one rule deciding whether an input is truncated or partly undecodable, shared by the probe, the
 * stream-copy path and the re-encode path, so that no path accepts what another refuses.
 *
 * <p>A stream is cut short when what was actually read (packets demuxed, frames decoded) stops more than
 * {@code max(1 s, 10 %)} before the length the file's own index promises; the tolerance absorbs the last
 * frames a decoder holds back and the rounding of container timestamps. An index (an MP4 sample table, Matroska
 * cues) lists packets the file claims to hold; a header duration field is no such claim and is never compared
 * here. A stream is partly undecodable when more of its packets failed than the allowance (the larger of one
 * packet and {@link io.videomerge.Limits#maxUndecodableShare()} of the packets seen).
 */
public final class Completeness {
    /** Absolute part of the truncation tolerance. */
    private static final double TOLERANCE_SECONDS = 1.0;
    /** Relative part of the truncation tolerance. */
    private static final double TOLERANCE_SHARE = 0.1;

    private Completeness() {}

    /**
     * Whether a stream that was read up to {@code reachedSeconds} stops short of {@code promisedSeconds}, both
     * measured on one timeline (for example seconds from the clip's start). An unknown promise (NaN, or not
     * positive) is never cut short.
     */
    public static boolean isCutShort(double reachedSeconds, double promisedSeconds) {
        if (!(promisedSeconds > 0) || Double.isInfinite(promisedSeconds)) {
            return false;
        }
        double tolerance = Math.max(TOLERANCE_SECONDS, promisedSeconds * TOLERANCE_SHARE);
        return !(reachedSeconds + tolerance >= promisedSeconds);
    }

    /**
     * Whether {@code undecodable} failed packets of {@code seen} exceed what a stream may lose: more than one
     * packet and more than {@code maxShare} of those seen.
     */
    public static boolean isTooDamaged(long undecodable, long seen, double maxShare) {
        return undecodable > Math.max(1, maxShare * seen);
    }

    /**
     * Refuses input {@code index} when it was read up to {@code reachedSeconds} only, short of the
     * {@code promisedSeconds} its index claims (see {@link #isCutShort}).
     *
     * @throws MediaException {@link ErrorCode#INVALID_MEDIA} naming the input
     */
    public static void requireWhole(int index, double reachedSeconds, double promisedSeconds) {
        if (isCutShort(reachedSeconds, promisedSeconds)) {
            throw refusal(index);
        }
    }

    /**
     * The latest timestamp, in seconds on the container's timeline, that the index of one of {@code streams}
     * lists: how far the file claims to hold packets. NaN without an index. Read it before reading packets:
     * some demuxers add what they read to the index.
     */
    public static double indexedEnd(AVFormatContext fmt, int... streams) {
        double end = Double.NaN;
        for (int stream : streams) {
            if (stream < 0 || stream >= fmt.nb_streams()) {
                continue;
            }
            AVStream st = fmt.streams(stream);
            int n = avformat.avformat_index_get_entries_count(st);
            if (n > 0) {
                AVIndexEntry e = avformat.avformat_index_get_entry(st, n - 1);
                if (e != null && !e.isNull()) {
                    double t = e.timestamp() * avutil.av_q2d(st.time_base());
                    end = Double.isNaN(end) ? t : Math.max(end, t);
                }
            }
        }
        return end;
    }

    /** The refusal of input {@code index} as truncated or partly undecodable: the same words on every path. */
    public static MediaException refusal(int index) {
        return new MediaException(
                ErrorCode.INVALID_MEDIA, "input " + index + " is truncated or partly undecodable", index);
    }
}
