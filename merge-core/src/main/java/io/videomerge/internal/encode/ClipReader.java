package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avutil.av_q2d;

import io.videomerge.internal.plan.ClipPlan;
import io.videomerge.internal.plan.Plan;
import io.videomerge.internal.probe.Completeness;
import io.videomerge.internal.probe.DecodingInput;
import java.util.Arrays;
import java.util.function.Function;
import org.bytedeco.ffmpeg.avformat.AVStream;
import org.bytedeco.ffmpeg.avutil.AVFrame;

/**
 * Reads one clip on its own timeline (seconds from the clip's start): the canvas-sized frame to show at a time,
 * and its audio as stereo float samples at the output rate, silence where it has none.
 *
 * <p>One {@link ClipDecoder} demuxes and decodes both streams in file order, feeding a {@link VideoTrack} and an
 * {@link AudioTrack}; whichever is asked for first makes the decoder run ahead, and the other buffers what it
 * receives meanwhile (bounded by the file's interleaving).
 */
final class ClipReader implements AutoCloseable {
    private final int index;
    private final ClipDecoder decoder;
    private final VideoTrack video;
    private final AudioTrack audio;
    private final double originSeconds;
    private final double durationSeconds;
    private final double indexedEnd;
    private final ClipDecoder.Sink sink;
    private boolean endOfFile;

    ClipReader(DecodingInput input, ClipPlan plan, int filterThreads, double maxUndecodableShare) {
        this.index = plan.index();
        // The probe proved where the clip's first packet of a used stream sits; a stream we do not use (a
        // subtitle, a second audio track) may start elsewhere and must not shift the clip.
        this.originSeconds = plan.startSeconds();
        this.durationSeconds = plan.durationSeconds();
        this.indexedEnd = Completeness.indexedEnd(input.format(), input.videoStream(), input.audioStream());
        AVStream stream = input.stream(input.videoStream());
        double fps =
                stream.avg_frame_rate().num() > 0 && stream.avg_frame_rate().den() > 0
                        ? av_q2d(stream.avg_frame_rate())
                        : 30;
        int codedWidth = input.videoDecoder().width();
        int codedHeight = input.videoDecoder().height();
        // Pictures of the probed size use the plan as it is; a stream whose size changes mid-way is refitted, so
        // the new pictures keep their proportions.
        Function<AVFrame, ClipPlan> planFor = frame -> frame.width() == codedWidth && frame.height() == codedHeight
                ? plan
                : plan.refit(
                        frame.width(),
                        frame.height(),
                        frame.sample_aspect_ratio().num(),
                        frame.sample_aspect_ratio().den());
        this.video = new VideoTrack(index, VideoFilter.shaping(planFor, filterThreads), fps);
        this.audio = plan.hasAudio() && input.audioDecoder() != null ? new AudioTrack(index) : null;
        this.decoder = new ClipDecoder(input, maxUndecodableShare, originSeconds);
        this.sink = new ClipDecoder.Sink() {
            @Override
            public void video(AVFrame frame, double seconds) {
                video.add(frame, seconds);
            }

            @Override
            public void audio(AVFrame frame, double seconds) {
                if (audio != null) {
                    audio.add(frame, seconds);
                }
            }
        };
    }

    /**
     * The canvas-sized frame shown at {@code seconds} on this clip's timeline: the decoded frame whose timestamp
     * is nearest (the first before the clip's first frame, the last after its last). The frame stays owned by
     * this reader and valid until the next call.
     */
    AVFrame videoAt(double seconds) {
        return video.at(seconds, this::pump);
    }

    /**
     * Writes this clip's audio for samples {@code [from, from + count)} of its timeline (at the output rate) into
     * {@code left} and {@code right} from offset 0; silence where the clip has no audio. Reads must move forward:
     * samples before the last read's end are gone.
     */
    void audio(long from, int count, float[] left, float[] right) {
        if (audio == null) {
            Arrays.fill(left, 0, count, 0f);
            Arrays.fill(right, 0, count, 0f);
            return;
        }
        long end = from + count;
        while (!endOfFile && (!audio.started() || audio.end() < end)) {
            pump();
        }
        audio.read(from, count, left, right);
    }

    /** Packets of the audio stream skipped so far because the decoder refused them. */
    long undecodableAudioPackets() {
        return decoder.undecodableAudioPackets();
    }

    /** Packets of the video stream skipped so far because the decoder refused them. */
    long undecodableVideoPackets() {
        return decoder.undecodableVideoPackets();
    }

    /** Decodes one more packet; false once the file has ended. */
    private boolean pump() {
        if (endOfFile) {
            return false;
        }
        if (!decoder.pump(sink)) {
            endOfFile = true;
            if (audio != null) {
                audio.finish();
            }
            requireComplete();
            return false;
        }
        return true;
    }

    /**
     * A clip whose streams stop well before what its index and the probe promised is a truncated or damaged input,
     * not a shorter clip: the same rule as the probe's and the copy path's ({@link Completeness}).
     */
    private void requireComplete() {
        double reached = video.endSeconds();
        if (audio != null && audio.started()) {
            reached = Math.max(reached, audio.end() / (double) Plan.SAMPLE_RATE);
        }
        double promised =
                Double.isNaN(indexedEnd) ? durationSeconds : Math.max(durationSeconds, indexedEnd - originSeconds);
        Completeness.requireWhole(index, reached, promised);
    }

    @Override
    public void close() {
        video.close();
        if (audio != null) {
            audio.close();
        }
        decoder.close();
    }
}
