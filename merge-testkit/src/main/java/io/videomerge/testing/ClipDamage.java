package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import org.bytedeco.ffmpeg.avcodec.AVCodec;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.bytedeco.javacpp.PointerPointer;

/** Damages written clips in place, the way a flaky source or a bad sector would, for the engine's tests. */
public final class ClipDamage {
    /**
     * What an overwritten AAC, MP3 or AC-3 payload holds: for AAC a channel pair element with an id no stream
     * configures, for MP3 and AC-3 a broken frame header; each decoder rejects it rather than concealing it.
     */
    private static final byte GARBAGE = 0x3F;
    /** How far past libavformat's packet position the payload may start (container block headers). */
    private static final int SEARCH = 64;

    private ClipDamage() {}

    /**
     * Overwrites the payload of the {@code index}-th packet (from 0) of {@code file}'s audio stream with garbage
     * of the same size, leaving every other byte, and so the container's index, intact; returns the packet's
     * presentation time in seconds.
     *
     * @throws IllegalArgumentException when the audio stream has no such packet
     * @throws UncheckedIOException     when the file cannot be read or written
     */
    public static double corruptAudioPacket(Path file, int index) {
        requireNonNull(file, "file");
        if (index < 0) {
            throw new IllegalArgumentException("index must not be negative: " + index);
        }
        Located packet = locate(file, index);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            ByteBuffer window = ByteBuffer.allocate(packet.data().length + SEARCH);
            channel.read(window, packet.pos());
            byte[] bytes = Arrays.copyOf(window.array(), window.position());
            int offset = find(bytes, packet.data());
            if (offset < 0) {
                throw new IllegalStateException("audio packet " + index + " is not stored contiguously in " + file);
            }
            byte[] garbage = new byte[packet.data().length];
            Arrays.fill(garbage, GARBAGE);
            channel.write(ByteBuffer.wrap(garbage), packet.pos() + offset);
            return packet.seconds();
        } catch (IOException e) {
            throw new UncheckedIOException("could not damage " + file, e);
        }
    }

    private record Located(long pos, byte[] data, double seconds) {}

    private static Located locate(Path file, int index) {
        AVFormatContext fmt = avformat.avformat_alloc_context();
        if (avformat.avformat_open_input(fmt, "file:" + file.toAbsolutePath(), null, null) < 0) {
            throw new UncheckedIOException(new IOException("cannot open " + file));
        }
        AVPacket pkt = avcodec.av_packet_alloc();
        try {
            avformat.avformat_find_stream_info(fmt, (PointerPointer<?>) null);
            int audio = avformat.av_find_best_stream(fmt, avutil.AVMEDIA_TYPE_AUDIO, -1, -1, (AVCodec) null, 0);
            if (audio < 0) {
                throw new IllegalArgumentException(file + " has no audio stream");
            }
            double timeBase = avutil.av_q2d(fmt.streams(audio).time_base());
            int seen = 0;
            while (avformat.av_read_frame(fmt, pkt) >= 0) {
                try {
                    if (pkt.stream_index() == audio && seen++ == index) {
                        if (pkt.pos() < 0) {
                            throw new IllegalStateException("the demuxer gives no position for the packet");
                        }
                        byte[] data = new byte[pkt.size()];
                        pkt.data().get(data, 0, data.length);
                        return new Located(pkt.pos(), data, pkt.pts() * timeBase);
                    }
                } finally {
                    avcodec.av_packet_unref(pkt);
                }
            }
            throw new IllegalArgumentException(file + " has only " + seen + " audio packets");
        } finally {
            avcodec.av_packet_free(pkt);
            avformat.avformat_close_input(fmt);
        }
    }

    private static int find(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        return -1;
    }
}
