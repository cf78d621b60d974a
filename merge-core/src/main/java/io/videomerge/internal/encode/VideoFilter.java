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
import static org.bytedeco.ffmpeg.global.avutil.av_frame_alloc;
import static org.bytedeco.ffmpeg.global.avutil.av_frame_free;
import static org.bytedeco.ffmpeg.global.avutil.av_strdup;

import io.videomerge.ProcessingException;
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
 */
final class VideoFilter implements AutoCloseable {
    /** The graph description for frames of one format. */
    @FunctionalInterface
    interface Description {
        String forFrame(AVFrame frame);
    }

    private final Description description;
    private final int threads;
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
     * Filters {@code frame} (left untouched) into a new frame the caller frees.
     *
     * @throws ProcessingException when libavfilter refuses the frame or the graph
     */
    AVFrame apply(AVFrame frame) {
        if (graph == null || !sameFormat(frame)) {
            build(frame);
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

    private void build(AVFrame frame) {
        close();
        width = frame.width();
        height = frame.height();
        format = frame.format();
        range = frame.color_range();
        colorspace = frame.colorspace();
        sarNum = frame.sample_aspect_ratio().num();
        sarDen = frame.sample_aspect_ratio().den();
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
        if (graph != null) {
            avfilter_graph_free(graph);
            graph = null;
            source = null;
            sink = null;
        }
    }
}
