package io.videomerge.testing;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Damages or disguises a file {@link ClipGenerator} wrote, in place, the way real uploads come damaged or
 * disguised: a Matroska header claiming another length or none (a browser's MediaRecorder writes none), an MP4
 * whose media data was cut off after its index. {@link ClipDamage} breaks single packets.
 *
 * <p>Matroska durations are written in the segment's timestamp scale as FFmpeg's muxer sets it (1 ms).
 */
public final class ClipMutations {
    /** EBML ID of the segment Info's Duration element. */
    private static final int DURATION_ID = 0x4489;
    /** EBML ID of a Void element, which readers skip. */
    private static final int VOID_ID = 0xEC;
    /** How far into a file the segment Info is looked for. */
    private static final int HEADER_BYTES = 64 * 1024;

    private ClipMutations() {}

    /**
     * Rewrites the Duration element of the Matroska or WebM file {@code file} to claim {@code seconds}, whatever
     * its content lasts.
     *
     * @throws IllegalArgumentException when the file has no Duration element
     */
    public static Path claimDuration(Path file, double seconds) {
        if (!(seconds > 0)) {
            throw new IllegalArgumentException("seconds must be > 0: " + seconds);
        }
        byte[] bytes = read(file);
        writeDuration(bytes, seconds, file);
        return write(file, bytes);
    }

    /**
     * Removes the Duration element of the Matroska or WebM file {@code file}, overwriting it with a Void element
     * of the same size: the file then states no length, like a live recording from a browser.
     *
     * @throws IllegalArgumentException when the file has no Duration element
     */
    public static Path stripDuration(Path file) {
        byte[] bytes = read(file);
        int at = durationElement(bytes, file);
        int total = 3 + (bytes[at + 2] & 0x7f);
        Arrays.fill(bytes, at, at + total, (byte) 0);
        bytes[at] = (byte) VOID_ID;
        // A one-byte EBML size: the marker bit and the payload length after the ID and the size byte.
        bytes[at + 1] = (byte) (0x80 | (total - 2));
        return write(file, bytes);
    }

    /**
     * Cuts the MP4 {@code file}, whose index ({@code moov}) precedes its media data ({@code mdat}), after
     * {@code share} of the media data: the index still lists every sample, the data of the last ones is gone.
     *
     * @throws IllegalArgumentException when the index does not come first
     */
    public static Path truncateMediaData(Path file, double share) {
        if (!(share > 0 && share < 1)) {
            throw new IllegalArgumentException("share must be in (0, 1): " + share);
        }
        byte[] bytes = read(file);
        int moov = indexOf(bytes, "moov");
        int mdat = indexOf(bytes, "mdat");
        if (moov < 0 || mdat < 0 || moov > mdat) {
            throw new IllegalArgumentException("the index of " + file.getFileName() + " does not precede its media");
        }
        int payload = mdat + 4;
        int keep = payload + (int) Math.round((bytes.length - payload) * share);
        return write(file, Arrays.copyOf(bytes, keep));
    }

    /** Writes {@code seconds} into the Duration element of the Matroska bytes {@code bytes} of {@code file}. */
    static void writeDuration(byte[] bytes, double seconds, Path file) {
        int at = durationElement(bytes, file);
        ByteBuffer payload = ByteBuffer.wrap(bytes, at + 3, bytes[at + 2] & 0x7f);
        if (payload.remaining() == 8) {
            payload.putDouble(seconds * 1000.0);
        } else {
            payload.putFloat((float) (seconds * 1000.0));
        }
    }

    /** The offset of the Duration element (ID, a one-byte size of 4 or 8, a float) near the start of a file. */
    private static int durationElement(byte[] bytes, Path file) {
        int end = Math.min(bytes.length, HEADER_BYTES) - 11;
        for (int i = 0; i < end; i++) {
            int size = bytes[i + 2] & 0xff;
            if (((bytes[i] & 0xff) << 8 | (bytes[i + 1] & 0xff)) == DURATION_ID && (size == 0x84 || size == 0x88)) {
                return i;
            }
        }
        throw new IllegalArgumentException("no Matroska Duration element in " + file.getFileName());
    }

    private static int indexOf(byte[] bytes, String fourCc) {
        byte[] needle = fourCc.getBytes(StandardCharsets.US_ASCII);
        outer:
        for (int i = 0; i + needle.length <= bytes.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (bytes[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    private static byte[] read(Path file) {
        requireNonNull(file, "file");
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path write(Path file, byte[] bytes) {
        try {
            return Files.write(file, bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
