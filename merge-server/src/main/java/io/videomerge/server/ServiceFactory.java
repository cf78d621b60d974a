package io.videomerge.server;

import io.micrometer.core.instrument.MeterRegistry;
import io.videomerge.Isolation;
import io.videomerge.Limits;
import io.videomerge.MergeService;
import io.videomerge.spi.JobStore;
import io.videomerge.spi.Uploader;
import io.videomerge.store.jdbc.JdbcJobStore;
import io.videomerge.store.memory.InMemoryJobStore;
import io.videomerge.store.redis.RedisJobStore;
import io.videomerge.upload.FileSystemUploader;
import io.videomerge.upload.s3.S3Uploader;
import java.io.IOException;
import java.net.URI;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.postgresql.ds.PGSimpleDataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.sqlite.SQLiteDataSource;

/**
 * Builds the {@link MergeService} and its job store from the server's settings.
 *
 * <p>What it creates is the owner's alone on a POSIX file system: the data folder (0700), the SQLite file of the
 * default store (0600; SQLite gives its {@code -wal}, {@code -shm} and {@code -journal} files the same mode), the
 * work folders (0700) and the merged files (the file mode, 0600 by default). Files and folders that exist keep
 * their mode; a database file that others may read is logged as a warning, not changed: its mode may be an
 * operator's choice (a backup agent in the group), and a server does not silently rewrite it.
 */
final class ServiceFactory {
    /** The SQLite file of the embedded default store, in the data folder. */
    static final String SQLITE_FILE = "videomerge.db";

    private static final Duration HEARTBEAT = Duration.ofSeconds(2);
    private static final Set<PosixFilePermission> OWNER_ONLY_FOLDER = PosixFilePermissions.fromString("rwx------");
    private static final Logger log = LoggerFactory.getLogger(ServiceFactory.class);

    private ServiceFactory() {}

    /** A service, the store it runs on and its S3 uploader if any; closing closes them, the service first. */
    record Running(MergeService service, JobStore store, Optional<S3Uploader> s3) implements AutoCloseable {
        @Override
        public void close() {
            try {
                service.close();
            } finally {
                try {
                    store.close();
                } finally {
                    s3.ifPresent(S3Uploader::close);
                }
            }
        }
    }

    /** Where merged files go; served under {@code /files/}. */
    static Path filesFolder(ServerConfig config) {
        return config.dataDir().resolve("files");
    }

    /** Where each job's downloads and intermediate files live while it runs: {@code --work-dir}, or in the data dir. */
    static Path workFolder(ServerConfig config) {
        return config.workDir().orElseGet(() -> config.dataDir().resolve("work"));
    }

    /** The URL merged files are published under: the public URL plus {@code /files/}. */
    static URI filesUrl(URI publicUrl) {
        String base = publicUrl.toString();
        return URI.create(
                (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + MergeServer.FILES_PATH + "/");
    }

    /** The service {@code config} describes, recording its meters to {@code meters} when present. */
    static Running create(ServerConfig config, URI publicUrl, Optional<MeterRegistry> meters) throws IOException {
        createDataFolder(config.dataDir());
        JobStore store = store(config);
        Optional<S3Uploader> s3 = Optional.empty();
        try {
            FileSystemUploader unsigned = new FileSystemUploader(filesFolder(config), filesUrl(publicUrl))
                    .withFileMode(config.outputs().fileMode());
            FileSystemUploader uploader = config.outputs()
                    .signer()
                    .map(signer ->
                            unsigned.withSignedUrls(signer, config.outputs().urlValidity()))
                    .orElse(unsigned);
            uploader.createFolder();
            s3 = config.outputs().s3().map(ServiceFactory::s3);
            MergeService.Builder builder = MergeService.builder()
                    .limits(Limits.defaults().toBuilder()
                            .allowLoopbackUrls(config.allowLoopbackUrls())
                            .build())
                    .uploader(s3.<Uploader>map(u -> u).orElse(uploader))
                    .workDirectory(workFolder(config))
                    .jobStore(store)
                    // An api process records and answers; the workers that share its store run the merges.
                    .mergeConcurrency(config.role().merges() ? config.capacity().mergeConcurrency() : 0)
                    .fetchConcurrency(config.capacity().fetchConcurrency())
                    .fetchedQueue(config.capacity().fetchedQueue())
                    .maxPendingJobs(config.capacity().maxPendingJobs())
                    .minFreeDiskBytes(config.capacity().minFreeDiskBytes())
                    // With no merges there is no media work to isolate, and no warm spare child to keep.
                    .isolation(config.role().merges() ? config.isolation() : Isolation.inProcess())
                    .shutdownGrace(config.lifecycle().shutdownGrace())
                    .retention(config.lifecycle().retention())
                    .posters(config.outputs().posterAt().isPresent())
                    .posterAt(config.outputs().posterAt().orElse(ServerConfig.Outputs.DEFAULT_POSTER_AT))
                    .speed(config.outputs().speed())
                    // Status readers see progress as often as heartbeats carry it to the store.
                    .heartbeat(HEARTBEAT);
            config.webhooks().ifPresent(builder::webhooks);
            meters.ifPresent(builder::meterRegistry);
            return new Running(builder.build(), store, s3);
        } catch (IOException | RuntimeException e) {
            s3.ifPresent(S3Uploader::close);
            store.close();
            throw e;
        }
    }

    /** The uploader of {@code --upload s3://...}; credentials come from the AWS SDK's default chain. */
    static S3Uploader s3(ServerConfig.S3 target) {
        S3Uploader.Builder builder = S3Uploader.builder()
                .bucket(target.bucket())
                .keyPrefix(target.keyPrefix())
                .pathStyleAccess(target.pathStyle());
        target.endpoint().ifPresent(builder::endpointOverride);
        target.region().ifPresent(builder::region);
        if (target.publicUrl().isPresent()) {
            builder.publicBaseUrl(target.publicUrl().get());
        } else {
            builder.presign(target.presign());
        }
        return builder.build();
    }

    /** Creates the data folder, the owner's alone, when it is missing; one that exists keeps its mode. */
    private static void createDataFolder(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        if (!isPosix(dir)) {
            Files.createDirectories(dir);
            return;
        }
        Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(OWNER_ONLY_FOLDER));
        // The umask may have taken bits from the mode asked for at creation.
        Files.setPosixFilePermissions(dir, OWNER_ONLY_FOLDER);
    }

    /**
     * Creates the SQLite file empty (SQLite makes a database of it) and the owner's alone when it is missing, before
     * SQLite would create it with the umask's mode: it holds every request's URLs. An existing file keeps its mode;
     * one that others may read is warned about.
     */
    private static void createDatabaseFile(Path file) throws IOException {
        if (!isPosix(file)) {
            return;
        }
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(FileSystemUploader.OWNER_ONLY));
            Files.setPosixFilePermissions(file, FileSystemUploader.OWNER_ONLY);
        } catch (FileAlreadyExistsException e) {
            Set<PosixFilePermission> mode = Files.getPosixFilePermissions(file);
            if (!FileSystemUploader.OWNER_ONLY.containsAll(mode)) {
                log.warn(
                        "the database {} holds request URLs and is {}: others may read it (chmod 600 it unless that"
                                + " is meant)",
                        file,
                        PosixFilePermissions.toString(mode));
            }
        }
    }

    private static boolean isPosix(Path path) {
        return path.getFileSystem().supportedFileAttributeViews().contains("posix");
    }

    static JobStore store(ServerConfig config) throws IOException {
        String store = config.store();
        if (store.equals("memory")) {
            return new InMemoryJobStore();
        }
        if (store.equals("sqlite")) {
            Path file = config.dataDir().resolve(SQLITE_FILE).toAbsolutePath();
            createDatabaseFile(file);
            return sqlite("jdbc:sqlite:" + file);
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
