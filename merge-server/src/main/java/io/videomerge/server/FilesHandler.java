package io.videomerge.server;

import io.videomerge.upload.FileSystemUploader;
import java.nio.file.Path;
import java.util.List;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpMethod;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.resource.ResourceFactory;

/**
 * Serves the merged files under {@code /files/}: only names the uploader publishes ({@code [a-z0-9-]+.mp4}), so
 * never a listing, an upload's temporary file or anything else put in the folder.
 *
 * <p>A file goes out as {@code video/mp4} with {@code X-Content-Type-Options: nosniff} and
 * {@code Content-Disposition: attachment}: a browser saves it instead of rendering it in this server's origin
 * (a {@code <video>} element ignores the disposition and still plays it), and {@code Cache-Control: private,
 * no-cache}: no shared cache or CDN keeps a user's video, and a browser checks back (a cheap 304) before reusing
 * its copy, so it notices a purged file. A refusal is {@code {"error", "code"}} JSON naming no path.
 */
final class FilesHandler extends Handler.Wrapper {
    static final String CACHE_CONTROL = "private, no-cache";
    private static final String NOSNIFF_HEADER = "X-Content-Type-Options";

    /** Serves {@code folder}, whose files the uploader publishes. */
    FilesHandler(Path folder) {
        ResourceHandler resources = new ResourceHandler();
        resources.setBaseResource(ResourceFactory.of(resources).newResource(folder));
        resources.setDirAllowed(false);
        resources.setWelcomeFiles(List.of());
        resources.setAcceptRanges(true);
        setHandler(resources);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        if (!HttpMethod.GET.is(method) && !HttpMethod.HEAD.is(method)) {
            response.getHeaders().put(HttpHeader.ALLOW, "GET, HEAD");
            return refuse(response, callback, 405, "METHOD_NOT_ALLOWED", "only GET and HEAD are served here");
        }
        String path = Request.getPathInContext(request);
        String name = path.startsWith("/") ? path.substring(1) : path;
        if (!FileSystemUploader.isPublishedName(name)) {
            return notFound(response, callback);
        }
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CACHE_CONTROL, CACHE_CONTROL);
        headers.put(NOSNIFF_HEADER, "nosniff");
        headers.put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
        headers.put(HttpHeader.CONTENT_TYPE, "video/mp4");
        if (super.handle(request, response, callback)) {
            return true;
        }
        response.reset(); // no file: none of its headers
        return notFound(response, callback);
    }

    private static boolean notFound(Response response, Callback callback) {
        return refuse(response, callback, 404, "NOT_FOUND", "no such file");
    }

    /** Answers {@code {"error", "code"}}; the messages are constants, so nothing needs escaping. */
    private static boolean refuse(Response response, Callback callback, int status, String code, String message) {
        response.setStatus(status);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        headers.put(HttpHeader.CACHE_CONTROL, "no-store");
        headers.put(NOSNIFF_HEADER, "nosniff");
        Content.Sink.write(response, true, "{\"error\":\"" + message + "\",\"code\":\"" + code + "\"}", callback);
        return true;
    }
}
