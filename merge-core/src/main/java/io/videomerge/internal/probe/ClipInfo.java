package io.videomerge.internal.probe;

/**
 * What probing one downloaded input found. Sizes are the coded size, before rotation.
 *
 * @param index             the input's zero-based position in the request
 * @param container         the libavformat demuxer name (for example {@code "mov,mp4,m4a,3gp,3g2,mj2"})
 * @param startSeconds      where the clip's first packet (of the streams used) lies on the container's timeline,
 *                          audio priming the decoder drops excluded: the offset a merge removes
 * @param durationSeconds   the clip's length proven from its packets: the end of its last packets minus
 *                          {@code startSeconds}, whatever the header claims
 * @param width             coded width of the video stream
 * @param height            coded height of the video stream
 * @param rotation          clockwise display rotation from the display matrix: 0, 90, 180 or 270
 * @param sarNum            sample aspect ratio numerator (1 when unknown)
 * @param sarDen            sample aspect ratio denominator (1 when unknown)
 * @param pixelFormat       the decoder's pixel format name (for example {@code "yuv420p"})
 * @param frameRate         average frames per second
 * @param variableFrameRate whether frame durations vary (average and real base rate differ)
 * @param videoCodec        the video codec name (for example {@code "h264"})
 * @param videoProfile      the codec profile number (FFmpeg's constant), or -99 when unknown
 * @param videoTimeBaseNum  the video stream's time base numerator
 * @param videoTimeBaseDen  the video stream's time base denominator
 * @param hasAudio          whether an audio stream exists
 * @param audioCodec        the audio codec name, or empty when there is no audio
 * @param sampleRate        audio sample rate in Hz, 0 without audio
 * @param channels          audio channel count, 0 without audio
 */
public record ClipInfo(
        int index,
        String container,
        double startSeconds,
        double durationSeconds,
        int width,
        int height,
        int rotation,
        int sarNum,
        int sarDen,
        String pixelFormat,
        double frameRate,
        boolean variableFrameRate,
        String videoCodec,
        int videoProfile,
        int videoTimeBaseNum,
        int videoTimeBaseDen,
        boolean hasAudio,
        String audioCodec,
        int sampleRate,
        int channels) {

    /** The width as displayed, after rotation. */
    public int displayWidth() {
        return rotation % 180 == 0 ? width : height;
    }

    /** The height as displayed, after rotation. */
    public int displayHeight() {
        return rotation % 180 == 0 ? height : width;
    }
}
