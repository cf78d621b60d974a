package io.videomerge;

/**
 * How the H.264 encoder trades encoding time against file size. Default {@link #FAST}, the settings every merge
 * used before this choice existed.
 *
 * <p>Each value maps to settings of the encoder the natives offer:
 *
 * <table>
 *   <caption>Encoder settings per speed; CRF and bit rate by the short side of the canvas (≤ 720 / ≤ 1080 /
 *   larger; openh264 also ≤ 480)</caption>
 *   <tr><th>speed</th><th>libx264 (GPL natives)</th><th>libopenh264 (default natives)</th></tr>
 *   <tr><td>{@link #FAST}</td><td>preset veryfast, CRF 23 / 22 / 21</td>
 *       <td>1.5 / 3 / 6 / 20 Mbit/s, Constrained Baseline</td></tr>
 *   <tr><td>{@link #BALANCED}</td><td>preset faster, CRF 24 / 23 / 22</td>
 *       <td>1.2 / 2.4 / 4.8 / 16 Mbit/s, High (CABAC)</td></tr>
 *   <tr><td>{@link #SMALL}</td><td>preset slow, CRF 25 / 24 / 23</td>
 *       <td>0.9 / 1.8 / 3.6 / 12 Mbit/s, High (CABAC)</td></tr>
 * </table>
 *
 * <p>A stream copy (clips that already match, joined by hard cuts) encodes nothing, so it ignores the speed.
 */
public enum Speed {
    /** The quickest encode and the largest files. */
    FAST,
    /**
     * A slower encode for somewhat smaller files at about the same picture quality: with libx264, on the 6-clip 720p
     * fade merge of the benchmarks, 1.5 times fast's CPU time for a file 3 % smaller.
     */
    BALANCED,
    /**
     * A much slower encode for the smallest files, at about the same picture quality: with libx264, on the same
     * merge, 2.3 times fast's CPU time for a file 15 % smaller.
     */
    SMALL;

    /** The speed of a request that names none, on a service that sets none: {@link #FAST}. */
    public static final Speed DEFAULT = FAST;
}
