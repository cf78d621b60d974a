package io.videomerge.server;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeService;
import io.videomerge.http.MergeServlet;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embedded Jetty serving {@link MergeServlet} at the root, the merged files under {@code /files/} and, unless turned
 * off, the meters at {@code /metrics}; in the {@link Role#WORKER} role, only {@code GET /health} (and the meters).
 * {@link #close()} stops accepting connections, lets requests in flight finish, then closes the service (which hands
 * unfinished jobs back to the store).
 */
final class MergeServer implements AutoCloseable {
    static final String FILES_PATH = "/files";
    static final String HEALTH_PATH = "/health";
    private static final Logger log = LoggerFactory.getLogger(MergeServer.class);
    private static final long STOP_TIMEOUT_MILLIS = 10_000;

    private final Server server;
    private static final int ACCEPT_QUEUE = 1024;
    private final ServerConnector connector;
    private ServiceFactory.Running running;
    private Optional<ServerMetrics> metrics = Optional.empty();

    /**
     * Builds the service {@code config} describes and serves it: what {@link Main} runs.
     *
     * @throws Exception when the port cannot be bound or the service not built; nothing is left running
     */
    static MergeServer start(ServerConfig config) throws Exception {
        MergeServer server = new MergeServer(config.host(), config.port());
        try {
            server.metrics = ServerMetrics.open(config.observability());
            URI publicUrl = config.publicUrl(server.port());
            ServiceFactory.Running running =
                    ServiceFactory.create(config, publicUrl, server.metrics.map(ServerMetrics::registry));
            MergeServlet.Options options = MergeServlet.Options.defaults()
                    .withApiKeys(config.apiKeys())
                    .withMaxWaiters(config.capacity().maxWaiters());
            if (config.role().servesApi()) {
                server.start(
                        running,
                        options,
                        new FilesHandler(
                                ServiceFactory.filesFolder(config),
                                config.outputs().signer(),
                                ServiceFactory.filesUrl(publicUrl).getRawPath()));
            } else {
                server.startHealthOnly(running);
            }
            log.info(
                    "videomerge runs as {}: {}",
                    config.role().flagValue(),
                    config.role().description());
            return server;
        } catch (Exception | Error e) {
            server.close();
            throw e;
        }
    }

    /** Binds the port at once, so that {@link #port()} is known before the service is built. */
    MergeServer(String host, int port) throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(200, 8);
        threads.setName("http");
        server = new Server(threads);
        HttpConfiguration http = new HttpConfiguration();
        http.setSendServerVersion(false);
        connector = new ServerConnector(server, new HttpConnectionFactory(http));
        connector.setHost(host);
        connector.setPort(port);
        // Jetty's default listen backlog (50) resets clients when a crowd connects at once (1,000 concurrent
        // Prefer: wait requests lost 427 connections in the load-and-abuse run); the kernel caps this at somaxconn.
        connector.setAcceptQueueSize(ACCEPT_QUEUE);
        server.addConnector(connector);
        server.setStopTimeout(STOP_TIMEOUT_MILLIS);
        connector.open();
    }

    int port() {
        return connector.getLocalPort();
    }

    /**
     * Serves {@code running}'s service through a servlet with {@code options}, and {@code files} under /files/;
     * from now on {@link #close()} closes the service and its store once Jetty has stopped.
     */
    void start(ServiceFactory.Running running, MergeServlet.Options options, FilesHandler files) throws Exception {
        this.running = requireNonNull(running, "running");
        MergeService service = running.service();
        requireNonNull(options, "options");

        ServletContextHandler api = new ServletContextHandler("/");
        ServletHolder merge = new ServletHolder("merge", new MergeServlet(service, options));
        // Prefer: wait requests go asynchronous instead of holding one of the pool's threads each.
        merge.setAsyncSupported(true);
        api.addServlet(merge, "/*");
        metrics.ifPresent(m -> api.addServlet(new ServletHolder("metrics", m.servlet()), ServerMetrics.PATH));

        ContextHandler filesContext = new ContextHandler(requireNonNull(files, "files"), FILES_PATH);

        serve(new ContextHandlerCollection(filesContext, api));
    }

    /**
     * Serves only {@code GET /health} of {@code running}'s service, as the API answers it; every other path is 404
     * NOT_FOUND. What a worker process listens with: a load balancer's or orchestrator's health check.
     */
    void startHealthOnly(ServiceFactory.Running running) throws Exception {
        this.running = requireNonNull(running, "running");
        ServletContextHandler context = new ServletContextHandler("/");
        // The servlet that answers the API's /health, so both say the same; mapped to that one path, and with an
        // authenticator that lets no one in, should a merge route ever be mapped here by mistake.
        MergeServlet health = new MergeServlet(
                running.service(), MergeServlet.Options.defaults().withAuthenticator(request -> Optional.empty()));
        context.addServlet(new ServletHolder("health", health), HEALTH_PATH);
        context.addServlet(new ServletHolder("not-found", new NotFound()), "/");
        serve(context);
    }

    private void serve(Handler handler) throws Exception {
        server.setHandler(new GracefulHandler(handler));
        server.start();
        log.info("videomerge listening on port {}", port());
    }

    /** The API's answer to a path it does not know: 404 {@code {"error", "code": "NOT_FOUND"}}. */
    private static final class NotFound extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private static final byte[] BODY =
                "{\"error\":\"no such endpoint\",\"code\":\"NOT_FOUND\"}".getBytes(StandardCharsets.UTF_8);

        @Override
        protected void service(HttpServletRequest request, HttpServletResponse response) throws IOException {
            response.setStatus(404);
            response.setContentType("application/json");
            response.setHeader("Cache-Control", "no-store");
            response.setHeader("X-Content-Type-Options", "nosniff");
            response.setContentLength(BODY.length);
            response.getOutputStream().write(BODY);
        }
    }

    URI localUri() {
        return URI.create("http://127.0.0.1:" + port());
    }

    @Override
    public void close() {
        try {
            server.stop();
            connector.close(); // bound early: not closed by stop() when the server never started
        } catch (Exception e) {
            log.warn("Jetty did not stop cleanly: {}", e.toString());
        } finally {
            try {
                if (running != null) {
                    running.close();
                }
            } finally {
                metrics.ifPresent(ServerMetrics::close);
            }
        }
    }
}
