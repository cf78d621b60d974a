package io.videomerge.internal.probe;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MediaException;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.SocketTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import org.bytedeco.ffmpeg.avcodec.AVPacket;
import org.bytedeco.ffmpeg.avformat.AVFormatContext;
import org.bytedeco.ffmpeg.global.avcodec;
import org.bytedeco.ffmpeg.global.avformat;
import org.bytedeco.ffmpeg.global.avutil;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

@DisplayName("Demuxer")
class DemuxerTest {
    private static final String PLAYLIST = """
            #EXTM3U
            #EXT-X-VERSION:3
            #EXT-X-TARGETDURATION:2
            #EXTINF:2.0,
            %s
            #EXT-X-ENDLIST
            """;

    @TempDir
    Path dir;

    @Test
    @DisplayName("opens an accepted clip with its stream parameters and reads every packet")
    void readsPackets() {
        ClipSpec spec = ClipSpec.of(320, 240).withDuration(1);
        Path clip = ClipGenerator.write(spec, dir, "ok");
        AVFormatContext fmt = new Demuxer(Limits.defaults()).open(clip, 0);
        int videoPackets = 0;
        AVPacket pkt = avcodec.av_packet_alloc();
        try {
            int video = avformat.av_find_best_stream(
                    fmt, avutil.AVMEDIA_TYPE_VIDEO, -1, -1, (org.bytedeco.ffmpeg.avcodec.AVCodec) null, 0);
            assertEquals(320, fmt.streams(video).codecpar().width());
            while (avformat.av_read_frame(fmt, pkt) >= 0) {
                if (pkt.stream_index() == video) {
                    videoPackets++;
                }
                avcodec.av_packet_unref(pkt);
            }
        } finally {
            avcodec.av_packet_free(pkt);
            avformat.avformat_close_input(fmt);
        }
        assertEquals(spec.frameCount(), videoPackets);
    }

    @Test
    @DisplayName("refuses an HLS playlist saved as .mp4 like the prober (INVALID_MEDIA, the input's index)")
    void refusesPlaylist() throws IOException {
        Path file = Files.writeString(dir.resolve("playlist.mp4"), PLAYLIST.formatted("file:///etc/hostname"));
        assertRefused(4, () -> new Demuxer(Limits.defaults()).open(file, 4));
        assertRefused(4, () -> new Prober(Limits.defaults()).probe(file, 4));
    }

    @Test
    @DisplayName("refuses what is not media and a missing file")
    void refusesNonMedia() throws IOException {
        Path page = Files.writeString(dir.resolve("clip-2.bin"), "<html><body>hello</body></html>");
        Demuxer demuxer = new Demuxer(Limits.defaults());
        assertRefused(2, () -> demuxer.open(page, 2));
        assertRefused(1, () -> demuxer.open(dir.resolve("missing.mp4"), 1));
    }

    @Test
    @DisplayName("a playlist pointing at a URL never makes FFmpeg connect, even with the HLS demuxer allowed")
    void playlistCannotReachNetwork() throws IOException {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Path file = Files.writeString(
                    dir.resolve("remote.mp4"),
                    PLAYLIST.formatted("http://127.0.0.1:" + server.getLocalPort() + "/segment.ts"));
            Set<String> withHls = new HashSet<>(Limits.DEFAULT_CONTAINERS);
            withHls.add("hls");
            Demuxer lax =
                    new Demuxer(Limits.builder().allowedContainers(withHls).build());
            assertRefused(0, () -> lax.open(file, 0));
            // The open has returned: a connection it made would already wait in the backlog.
            server.setSoTimeout(100);
            assertThrows(SocketTimeoutException.class, server::accept, "FFmpeg connected to the URL");
        }
    }

    private void assertRefused(int index, org.junit.jupiter.api.function.Executable open) {
        MediaException e = assertThrows(MediaException.class, open);
        assertAll(
                () -> assertEquals(ErrorCode.INVALID_MEDIA, e.code(), e.getMessage()),
                () -> assertEquals(index, e.inputIndex().orElseThrow()),
                () -> assertFalse(e.getMessage().contains(dir.toString())));
    }
}
