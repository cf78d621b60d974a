package io.videomerge.testing;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;

/**
 * Draws the pictures and synthesises the sound that every generated clip carries, so {@link ClipGenerator} and
 * {@link SegmentedClipWriter} produce the same measurable content (see {@link ClipGenerator} for what it is).
 */
final class TestPattern {

    private TestPattern() {}

    /**
     * Paints frame {@code index} as full-range luma into a {@code width x height} plane, drawn so that it looks
     * upright once a player turns it clockwise by {@code rotation} degrees.
     */
    static void paint(ByteBuffer pixels, int stride, int width, int height, int rotation, int index, boolean flash) {
        fill(pixels, stride, 0, 0, width, height, flash ? ClipGenerator.WHITE : ClipGenerator.GREY);
        if (flash) {
            return;
        }
        int dw = rotation % 180 == 0 ? width : height;
        int dh = rotation % 180 == 0 ? height : width;
        uprightRect(pixels, stride, width, height, rotation, 0, 0, dw / 4, dh / 4, ClipGenerator.WHITE);
        int block = Math.max(4, dh / 8);
        int slots = Math.max(1, dw / block);
        int x = (index % slots) * block;
        uprightRect(
                pixels, stride, width, height, rotation, x, dh - 2 * block, x + block, dh - block, ClipGenerator.DARK);
    }

    /** Where frame {@code index} of an upright {@code width x height} picture has its moving dark block. */
    static Region movingBlock(int index, int width, int height) {
        int block = Math.max(4, height / 8);
        int slots = Math.max(1, width / block);
        int x = (index % slots) * block;
        return new Region(
                x / (double) width,
                (height - 2 * block) / (double) height,
                block / (double) width,
                block / (double) height);
    }

    /** Fills the rectangle [u0,u1)x[v0,v1) of the upright picture, mapped back into the coded picture. */
    private static void uprightRect(
            ByteBuffer pixels, int stride, int w, int h, int rotation, int u0, int v0, int u1, int v1, int luma) {
        switch (rotation) {
            // A player turns the coded picture clockwise by the rotation; undo that here.
            case 90 -> fill(pixels, stride, v0, h - u1, v1, h - u0, luma);
            case 180 -> fill(pixels, stride, w - u1, h - v1, w - u0, h - v0, luma);
            case 270 -> fill(pixels, stride, w - v1, u0, w - v0, u1, luma);
            default -> fill(pixels, stride, u0, v0, u1, v1, luma);
        }
    }

    private static void fill(ByteBuffer pixels, int stride, int x0, int y0, int x1, int y1, int luma) {
        if (x1 <= x0 || y1 <= y0) {
            return;
        }
        byte[] line = new byte[x1 - x0];
        Arrays.fill(line, (byte) luma);
        for (int y = y0; y < y1; y++) {
            pixels.put(y * stride + x0, line, 0, line.length);
        }
    }

    /**
     * The sound as a function of time: a 50 ms 1 kHz beep from each event instant, silence or a quiet 440 Hz
     * tone in between. Sample {@code n} at rate {@code r} is the sound at {@code n / r} seconds, so a stream
     * that changes its sample rate keeps the same signal.
     */
    static final class Sound {
        private final double[] beepStarts;
        private final boolean tone;

        /** {@code beeps} are the (frame-aligned) onsets in seconds. */
        Sound(List<Double> beeps, boolean tone) {
            this.beepStarts = beeps.stream().mapToDouble(Double::doubleValue).toArray();
            this.tone = tone;
        }

        /** Sample {@code n} of the signal sampled at {@code rate} Hz, full scale being 1. */
        double sample(long n, int rate) {
            long beepLength = Math.round(ClipGenerator.BEEP_SECONDS * rate);
            for (double onset : beepStarts) {
                long start = Math.round(onset * rate);
                if (n >= start && n < start + beepLength) {
                    return ClipGenerator.BEEP_AMPLITUDE
                            * Math.sin(2 * Math.PI * ClipGenerator.BEEP_HZ * (n - start) / rate);
                }
            }
            return tone ? ClipGenerator.TONE_AMPLITUDE * Math.sin(2 * Math.PI * 440.0 * n / rate) : 0.0;
        }
    }
}
