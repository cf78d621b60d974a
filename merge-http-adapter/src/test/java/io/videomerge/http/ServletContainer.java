package io.videomerge.http;

import jakarta.servlet.Servlet;
import java.net.URI;

/** A real servlet container started on a free loopback port for one test. */
interface ServletContainer extends AutoCloseable {

    /**
     * Starts the container with {@code servlet} mapped to {@code mapping} in a context at {@code contextPath}
     * ({@code ""} for the root), registered with async support as an application should register it.
     *
     * @return {@code http://127.0.0.1:port}
     */
    default URI start(Servlet servlet, String contextPath, String mapping) throws Exception {
        return start(servlet, contextPath, mapping, true);
    }

    /** Like {@link #start(Servlet, String, String)}, with async support on the registration or not. */
    URI start(Servlet servlet, String contextPath, String mapping, boolean asyncSupported) throws Exception;

    @Override
    void close() throws Exception;
}
