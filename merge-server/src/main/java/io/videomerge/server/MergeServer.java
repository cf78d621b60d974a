package io.videomerge.server;

import static java.util.Objects.requireNonNull;

import io.videomerge.MergeService;
import io.videomerge.http.MergeServlet;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ContextHandler;
import org.eclipse.jetty.server.handler.ContextHandlerCollection;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Embedded Jetty serving {@link MergeServlet} at the root, the merged files under {@code /files/} and, unless turned
 * off, the meters at {@code /metrics}.
 * {@link #close()} stops accepting connections, lets requests in flight finish, then closes the service
 * (which hands unfinished jobs back to the store).
 */
final class MergeServer implements AutoCloseable {
    static final String FILES_PATH = "/files";
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
            ServiceFactory.Running running = ServiceFactory.create(
                    config, config.publicUrl(server.port()), server.metrics.map(ServerMetrics::registry));
            server.start(
                    running,
                    MergeServlet.Options.defaults()
                            .withApiKeys(config.apiKeys())
                            .withMaxWaiters(config.capacity().maxWaiters()),
                    ServiceFactory.filesFolder(config));
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
    void start(ServiceFactory.Running running, MergeServlet.Options options, Path files) throws Exception {
        this.running = requireNonNull(running, "running");
        MergeService service = running.service();
        requireNonNull(options, "options");
        Files.createDirectories(files);

        ServletContextHandler api = new ServletContextHandler("/");
        ServletHolder merge = new ServletHolder("merge", new MergeServlet(service, options));
        // Prefer: wait requests go asynchronous instead of holding one of the pool's threads each.
        merge.setAsyncSupported(true);
        api.addServlet(merge, "/*");
        metrics.ifPresent(m -> api.addServlet(new ServletHolder("metrics", m.servlet()), ServerMetrics.PATH));

        ResourceHandler fileHandler = new ResourceHandler();
        fileHandler.setBaseResource(ResourceFactory.of(fileHandler).newResource(files));
        fileHandler.setDirAllowed(false);
        fileHandler.setAcceptRanges(true);
        ContextHandler filesContext = new ContextHandler(fileHandler, FILES_PATH);

        server.setHandler(new GracefulHandler(new ContextHandlerCollection(filesContext, api)));
        server.start();
        log.info("videomerge listening on port {}", port());
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
