package io.videomerge.server;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the videomerge service: the HTTP API, the merge workers and the merged files on one port, or, with
 * {@code --role api} or {@code --role worker}, one of the two tiers of a scaled-out deployment. Settings come from
 * flags and {@code VIDEOMERGE_*} environment variables ({@code --help} lists them). SIGTERM stops it gracefully: no
 * new connections, requests in flight finish, running merges get the shutdown grace to finish and are then handed
 * back to the store.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) throws Exception {
        if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
            System.out.print(ServerConfig.usage());
            return;
        }
        ServerConfig config;
        try {
            config = ServerConfig.parse(args, System.getenv());
        } catch (IllegalArgumentException e) {
            System.err.println("videomerge: " + e.getMessage());
            System.err.print(ServerConfig.usage());
            System.exit(2);
            return;
        }
        ServerLogging.configure(config.observability().logFormat());
        MergeServer server;
        try {
            server = MergeServer.start(config);
        } catch (Exception e) {
            log.error("videomerge could not start: {}", e.getMessage(), e);
            System.exit(1);
            return;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Stopping: no new requests; unfinished merges go back to the store");
                            server.close();
                            stopped.countDown();
                        },
                        "videomerge-shutdown"));
        stopped.await();
    }
}
