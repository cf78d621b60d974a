package io.videomerge.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.videomerge.Limits;
import io.videomerge.MergeService;
import io.videomerge.spi.JobStore;
import io.videomerge.store.jdbc.JdbcJobStore;
import io.videomerge.store.memory.InMemoryJobStore;
import io.videomerge.store.redis.RedisJobStore;
import io.videomerge.upload.FileSystemUploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/** Builds the {@link MergeService} and its job store from the server's settings. */
final class ServiceFactory {
    /** The SQLite file of the embedded default store, in the data folder. */
    static final String SQLITE_FILE = "videomerge.db";

    private static final Duration HEARTBEAT = Duration.ofSeconds(2);

    private ServiceFactory() {}

    /** A service and the store it runs on; closing closes both, the service first. */
    record Running(MergeService service, JobStore store) implements AutoCloseable {
        @Override
        public void close() {
            try {
                service.close();
            } finally {
                store.close();
            }
        }
    }

    /** Where merged files go; served under {@code /files/}. */
    static Path filesFolder(ServerConfig config) {
        return config.dataDir().resolve("files");
    }

    /** Where each job's downloads and intermediate files live while it runs. */
    static Path workFolder(ServerConfig config) {
        return config.dataDir().resolve("work");
    }

    /** The URL merged files are published under: the public URL plus {@code /files/}. */
    static URI filesUrl(URI publicUrl) {
        String base = publicUrl.toString();
        return URI.create(
                (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + MergeServer.FILES_PATH + "/");
    }

    /** The service {@code config} describes, recording its meters to {@code meters} when present. */
    static Running create(ServerConfig config, URI publicUrl, Optional<MeterRegistry> meters) throws IOException {
        Files.createDirectories(config.dataDir());
        JobStore store = store(config);
        try {
            MergeService.Builder builder = MergeService.builder()
                    .limits(Limits.defaults().toBuilder()
                            .allowLoopbackUrls(config.allowLoopbackUrls())
                            .build())
                    .uploader(new FileSystemUploader(filesFolder(config), filesUrl(publicUrl)))
                    .workDirectory(workFolder(config))
                    .jobStore(store)
                    .mergeConcurrency(config.capacity().mergeConcurrency())
                    .fetchConcurrency(config.capacity().fetchConcurrency())
                    .fetchedQueue(config.capacity().fetchedQueue())
                    .maxPendingJobs(config.capacity().maxPendingJobs())
                    .minFreeDiskBytes(config.capacity().minFreeDiskBytes())
                    .isolation(config.isolation())
                    // Status readers see progress as often as heartbeats carry it to the store.
                    .heartbeat(HEARTBEAT);
            meters.ifPresent(builder::meterRegistry);
            return new Running(builder.build(), store);
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
    }

    static JobStore store(ServerConfig config) {
        String store = config.store();
        if (store.equals("memory")) {
            return new InMemoryJobStore();
        }
        if (store.equals("sqlite")) {
            return sqlite("jdbc:sqlite:" + config.dataDir().resolve(SQLITE_FILE).toAbsolutePath());
        }
        if (store.startsWith("jdbc:sqlite:")) {
            return sqlite(store);
        }
        if (store.startsWith("jdbc:postgresql:")) {
            // No pool ships with the server (each store call opens a connection); put a pooling proxy such as
            // PgBouncer in front of a busy database.
            PGSimpleDataSource dataSource = new PGSimpleDataSource();
            dataSource.setURL(store);
            return JdbcJobStore.builder(dataSource).build();
        }
        if (store.startsWith("jdbc:")) {
            throw new IllegalArgumentException("store: only jdbc:postgresql: and jdbc:sqlite: URLs are supported");
        }
        return RedisJobStore.builder(store).build();
    }

    private static JobStore sqlite(String url) {
        SQLiteDataSource dataSource = new SQLiteDataSource();
        dataSource.setUrl(url);
        return JdbcJobStore.builder(dataSource).build();
    }
}
