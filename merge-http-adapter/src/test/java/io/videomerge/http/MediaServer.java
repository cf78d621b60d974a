package io.videomerge.http;

import java.net.URI;
import java.nio.file.Path;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.ResourceHandler;
import org.eclipse.jetty.util.resource.ResourceFactory;

/** A loopback web server of one folder: the clips a flow test merges, and the merged files it fetches back. */
final class MediaServer implements AutoCloseable {
    private final Server server;
    private final URI base;

    private MediaServer(Server server, URI base) {
        this.server = server;
        this.base = base;
    }

    static MediaServer serve(Path folder) throws Exception {
        Server server = new Server();
        ServerConnector connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        ResourceHandler files = new ResourceHandler();
        files.setBaseResource(ResourceFactory.of(files).newResource(folder));
        files.setDirAllowed(false);
        server.setHandler(files);
        server.start();
        return new MediaServer(server, URI.create("http://127.0.0.1:" + connector.getLocalPort() + "/"));
    }

    /** The URL of {@code name} in the folder. */
    URI url(String name) {
        return base.resolve(name);
    }

    @Override
    public void close() throws Exception {
        server.stop();
    }
}
