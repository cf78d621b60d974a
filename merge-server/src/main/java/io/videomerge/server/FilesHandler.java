package io.videomerge.server;

import static java.util.Objects.requireNonNull;

import io.videomerge.upload.FileSystemUploader;
import io.videomerge.upload.UrlSigner;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
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
 * Serves the merged files under {@code /files/}: only names the uploader publishes ({@code [a-z0-9-]+.mp4} videos
 * and {@code [a-z0-9-]+.jpg} posters), so never a listing, an upload's temporary file or anything else put in the
 * folder.
 *
 * <p>A file goes out as {@code video/mp4} (a poster as {@code image/jpeg}) with {@code X-Content-Type-Options: nosniff} and
 * {@code Content-Disposition: attachment}: a browser saves it instead of rendering it in this server's origin
 * (a {@code <video>} element ignores the disposition and still plays it), and {@code Cache-Control: private,
 * no-cache}: no shared cache or CDN keeps a user's video, and a browser checks back (a cheap 304) before reusing
 * its copy, so it notices a purged file. A refusal is {@code {"error", "code"}} JSON naming no path.
 *
 * <p>With a {@link UrlSigner}, a request must carry a valid signature of the file's public path (the public URL's
 * path, {@code files/} and the name, whatever prefix a reverse proxy strips before the request gets here): 403
 * {@code URL_INVALID} when it is missing, malformed or does not match, 403 {@code URL_EXPIRED} when it matched
 * but its time is up (the signature is checked before the expiry and before the file is looked for, so neither
 * answer says whether a file exists). Signed files go out with {@code Cache-Control: private, no-store}: the
 * permission is checked on every request, and no copy outlives it.
 */
final class FilesHandler extends Handler.Wrapper {
    private static final String NOSNIFF_HEADER = "X-Content-Type-Options";

    private final Optional<UrlSigner> signer;
    private final String publicPath;

    /**
     * Serves {@code folder}, whose files the uploader publishes.
     *
     * @param signer     when present, every request must be signed by it
     * @param publicPath the raw path files are published under, ending in {@code /} (as signed)
     */
    FilesHandler(Path folder, Optional<UrlSigner> signer, String publicPath) {
        this.signer = requireNonNull(signer, "signer");
        this.publicPath = requireNonNull(publicPath, "publicPath");
        if (!publicPath.endsWith("/")) {
            throw new IllegalArgumentException("the public path ends with /: " + publicPath);
        }
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
        if (signer.isPresent()) {
            switch (signer.get().verify(publicPath + name, request.getHttpURI().getQuery())) {
                case VALID -> {}
                case EXPIRED -> {
                    return refuse(response, callback, 403, "URL_EXPIRED", "this link has expired");
                }
                case INVALID -> {
                    return refuse(response, callback, 403, "URL_INVALID", "this link is not valid");
                }
            }
        }
        HttpFields.Mutable headers = response.getHeaders();
        headers.put(HttpHeader.CACHE_CONTROL, signer.isPresent() ? "private, no-store" : "private, no-cache");
        headers.put(NOSNIFF_HEADER, "nosniff");
        headers.put(HttpHeader.CONTENT_DISPOSITION, "attachment; filename=\"" + name + "\"");
        headers.put(HttpHeader.CONTENT_TYPE, name.endsWith(".jpg") ? "image/jpeg" : "video/mp4");
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
