package io.videomerge.internal.encode;

import static org.bytedeco.ffmpeg.global.avfilter.AV_BUFFERSRC_FLAG_KEEP_REF;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersink_get_frame;
import static org.bytedeco.ffmpeg.global.avfilter.av_buffersrc_add_frame_flags;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_get_by_name;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_config;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_create_filter;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_free;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_graph_parse_ptr;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_alloc;
import static org.bytedeco.ffmpeg.global.avfilter.avfilter_inout_free;
import static org.bytedeco.ffmpeg.global.avutil.AVCHROMA_LOC_UNSPECIFIED;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_MPEG;
import static org.bytedeco.ffmpeg.global.avutil.AVCOL_RANGE_UNSPECIFIED;
import static org.bytedeco.ffmpeg.global.avutil.AV_PIX_FMT_YUV420P;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_clone;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_strdup;

import io.videomerge.ProcessingException;
import io.videomerge.internal.plan.ClipPlan;
import java.util.function.Function;
import org.bytedeco.ffmpeg.avfilter.AVFilterContext;
import org.bytedeco.ffmpeg.avfilter.AVFilterGraph;
import org.bytedeco.ffmpeg.avfilter.AVFilterInOut;
import org.bytedeco.ffmpeg.avutil.AVFrame;
import org.bytedeco.javacpp.BytePointer;

/**
 * One libavfilter graph for one clip's video: a decoded frame in, a canvas-sized frame out. The graph
 * is rebuilt when the decoded frames change mid-stream in anything its source was configured with: size,
 * pixel format, colour range, colour space or sample aspect ratio (a graph fed frames of another format
 * converts them wrongly, or reads past their planes).
 *
 * <p>Frames that already are what the graph would make of them skip it: a new reference to the same
 * pictures, with the fields the graph would set. Even a graph with nothing to do (a same-size bicubic scale
 * into the same pixel format) copies every picture and keeps the merging thread waiting on its slice threads,
 * which on two cores compete with the encoder's; that wait had the encoder starved of frames at times. Whether
 * frames pass through is decided again whenever their format changes.
 */
final class VideoFilter implements AutoCloseable {
    /** The graph description for frames of one format. */
    @FunctionalInterface
    interface Description {
        String forFrame(AVFrame frame);

        /**
         * Whether frames of {@code frame}'s format already are what the graph of {@link #forFrame} would make of
         * them, but for the sample aspect ratio (1:1), colour range (limited) and chroma position (unspecified) that a
         * pass-through sets as the graph does.
         */
        default boolean passesThrough(AVFrame frame) {
            return false;
        }
    }

    private final Description description;
    private final int threads;
    private boolean decided;
    private boolean passThrough;
    private AVFilterGraph graph;
    private AVFilterContext source;
    private AVFilterContext sink;
    private int width;
    private int height;
    private int format = -1;
    private int range = -1;
    private int colorspace = -1;
    private int sarNum;
    private int sarDen;

    VideoFilter(Description description, int threads) {
        this.description = description;
        this.threads = threads;
    }

    /**
     * The filter that shapes a clip's frames as its plan says: {@code planFor} answers the plan for frames of one
     * format (the clip's plan, or the plan refitted to a new size); frames that already have the canvas's size, the
     * encoder's pixel format (yuv420p) and limited (or unknown) colour range, square (or unknown) pixels and no
     * cropping, of a clip the plan neither rotates, pads nor crops, pass through.
     */
    static VideoFilter shaping(Function<AVFrame, ClipPlan> planFor, int threads) {
        return new VideoFilter(
                new Description() {
                    @Override
                    public String forFrame(AVFrame frame) {
                        return planFor.apply(frame).videoFilter();
                    }

                    @Override
                    public boolean passesThrough(AVFrame frame) {
                        return isCanvasShaped(frame, planFor.apply(frame));
                    }
                },
                threads);
    }

    /**
     * Whether {@code plan}'s graph ({@link ClipPlan#videoFilter()}) would change nothing in {@code frame} but its
     * sample aspect ratio, colour range and chroma position fields: the plan keeps the picture's geometry, and the frame is yuv420p
     * in limited range (unknown counts as limited, as the scaler reads it) with square or unknown pixels. The graph
     * converts no colour space, primaries or transfer (its scaler has no matrix set), so those need not match.
     */
    static boolean isCanvasShaped(AVFrame frame, ClipPlan plan) {
        int range = frame.color_range();
        int sarNum = frame.sample_aspect_ratio().num();
        int sarDen = frame.sample_aspect_ratio().den();
        return plan.keepsPicture(frame.width(), frame.height())
                && frame.format() == AV_PIX_FMT_YUV420P
                && (range == AVCOL_RANGE_UNSPECIFIED || range == AVCOL_RANGE_MPEG)
                && (sarNum <= 0 || sarDen <= 0 || sarNum == sarDen)
                && frame.crop_top() == 0
                && frame.crop_bottom() == 0
                && frame.crop_left() == 0
                && frame.crop_right() == 0;
    }

    /**
     * Filters {@code frame} (left untouched) into a new frame the caller frees: the graph's output, or a new
     * reference to {@code frame}'s pictures when frames of its format pass through.
     *
     * @throws ProcessingException when libavfilter refuses the frame or the graph
     */
    AVFrame apply(AVFrame frame) {
        if (!decided || !sameFormat(frame)) {
            decide(frame);
        }
        if (passThrough) {
            return passThrough(frame);
        }
        NativeCall.check(
                av_buffersrc_add_frame_flags(source, frame, AV_BUFFERSRC_FLAG_KEEP_REF), "feed the video filter");
        AVFrame out = av_frame_alloc();
        int ret = av_buffersink_get_frame(sink, out);
        if (ret < 0) {
            av_frame_free(out);
            NativeCall.check(ret, "read the video filter");
        }
        return out;
    }

    private boolean sameFormat(AVFrame frame) {
        return frame.width() == width
                && frame.height() == height
                && frame.format() == format
                && frame.color_range() == range
                && frame.colorspace() == colorspace
                && frame.sample_aspect_ratio().num() == sarNum
                && frame.sample_aspect_ratio().den() == sarDen;
    }

    /** Whether frames of the current format pass through; false before the first frame. */
    boolean passingThrough() {
        return decided && passThrough;
    }

    private static AVFrame passThrough(AVFrame frame) {
        AVFrame out = av_frame_clone(frame);
        if (out == null) {
            throw new ProcessingException("could not reference a frame", null);
        }
        // What setsar=1 and the scaler (out_range=tv, no chroma position asked for) would have written.
        // In place: av_make_q would return a rational of its own on every frame, which only the collector frees.
        out.sample_aspect_ratio().num(1).den(1);
        out.color_range(AVCOL_RANGE_MPEG);
        out.chroma_location(AVCHROMA_LOC_UNSPECIFIED);
        return out;
    }

    private void decide(AVFrame frame) {
        close();
        width = frame.width();
        height = frame.height();
        format = frame.format();
        range = frame.color_range();
        colorspace = frame.colorspace();
        sarNum = frame.sample_aspect_ratio().num();
        sarDen = frame.sample_aspect_ratio().den();
        decided = true;
        passThrough = description.passesThrough(frame);
        if (!passThrough) {
            build(frame);
        }
    }

    private void build(AVFrame frame) {
        boolean sarKnown = sarNum > 0 && sarDen > 0;
        String args = "video_size=" + width + "x" + height + ":pix_fmt=" + format + ":time_base=1/1000"
                + ":pixel_aspect=" + (sarKnown ? sarNum : 1) + "/" + (sarKnown ? sarDen : 1)
                + ":colorspace=" + colorspace + ":range=" + range;
        graph = avfilter_graph_alloc();
        if (graph == null) {
            throw new ProcessingException("could not allocate a filter graph", null);
        }
        graph.nb_threads(threads);
        // Empty handles that avfilter_graph_create_filter points at the graph's filters (the graph owns them): a
        // handle made with new AVFilterContext() would allocate a struct of its own that only the collector frees.
        source = new AVFilterContext(null);
        sink = new AVFilterContext(null);
        NativeCall.check(
                avfilter_graph_create_filter(source, avfilter_get_by_name("buffer"), "in", args, null, graph),
                "create the filter source");
        NativeCall.check(
                avfilter_graph_create_filter(sink, avfilter_get_by_name("buffersink"), "out", null, null, graph),
                "create the filter sink");
        AVFilterInOut outputs = avfilter_inout_alloc();
        AVFilterInOut inputs = avfilter_inout_alloc();
        try (BytePointer in = new BytePointer("in");
                BytePointer out = new BytePointer("out")) {
            outputs.name(av_strdup(in)).filter_ctx(source).pad_idx(0).next(null);
            inputs.name(av_strdup(out)).filter_ctx(sink).pad_idx(0).next(null);
            NativeCall.check(
                    avfilter_graph_parse_ptr(graph, description.forFrame(frame), inputs, outputs, null),
                    "parse the video filter");
            NativeCall.check(avfilter_graph_config(graph, null), "configure the video filter");
        } finally {
            avfilter_inout_free(inputs);
            avfilter_inout_free(outputs);
        }
    }

    @Override
    public void close() {
        decided = false;
        if (graph != null) {
            avfilter_graph_free(graph);
            graph = null;
            source = null;
            sink = null;
        }
    }
}
