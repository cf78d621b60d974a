package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Isolation;
import io.videomerge.Speed;
import io.videomerge.upload.UrlSigner;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServerConfigTest {
    private static final String SECRET = "a-url-secret-of-forty-bytes-0123456789ab";
    private static final URI FILE = URI.create("http://localhost:8080/files/task-1.mp4");

    @TempDir
    Path dir;

    private static String refusal(String[] args, Map<String, String> env) {
        return assertThrows(IllegalArgumentException.class, () -> ServerConfig.parse(args, env))
                .getMessage();
    }

    private static String refused(String... args) {
        return refusal(args, Map.of());
    }

    @Test
    @DisplayName("With nothing set the server listens on 8080 with ./data, the embedded store, no keys and no loopback")
    void defaults() {
        ServerConfig config = ServerConfig.parse(new String[0], Map.of());

        assertEquals(ServerConfig.DEFAULT_STORE, config.store());
        assertEquals(8080, config.port());
        assertEquals("0.0.0.0", config.host());
        assertEquals(Path.of("./data"), config.dataDir());
        assertEquals(Optional.empty(), config.publicUrl());
        assertEquals(URI.create("http://localhost:8080"), config.publicUrl(8080));
        assertEquals(List.of(), config.apiKeys());
        assertTrue(config.capacity().mergeConcurrency() >= 1);
        assertFalse(config.allowLoopbackUrls());
        assertEquals(Isolation.process(), config.isolation());
        assertEquals(
                PosixFilePermissions.fromString("rw-------"), config.outputs().fileMode());
        assertEquals(Optional.empty(), config.outputs().signer());
        assertEquals(Duration.ofHours(24), config.outputs().urlValidity());
        assertEquals(Optional.of(Duration.ofSeconds(1)), config.outputs().posterAt());
        assertEquals(Speed.FAST, config.outputs().speed());
    }

    @Test
    @DisplayName("--speed or VIDEOMERGE_SPEED takes fast, balanced or small, the flag winning; anything else is refused"
            + " naming the flag")
    void speed() {
        assertEquals(
                Speed.BALANCED,
                ServerConfig.parse(new String[] {"--speed", "balanced"}, Map.of())
                        .outputs()
                        .speed());
        assertEquals(
                Speed.SMALL,
                ServerConfig.parse(new String[0], Map.of("VIDEOMERGE_SPEED", "small"))
                        .outputs()
                        .speed());
        assertEquals(
                Speed.FAST,
                ServerConfig.parse(new String[] {"--speed=fast"}, Map.of("VIDEOMERGE_SPEED", "small"))
                        .outputs()
                        .speed());
        String refusal = refused("--speed", "ultrafast");
        assertTrue(refusal.contains("speed") && refusal.contains("ultrafast"), refusal);
    }

    @Test
    @DisplayName("--poster-at takes a duration (0 is the first frame) or off, which makes no posters")
    void posterAt() {
        assertEquals(
                Optional.of(Duration.ofMillis(1500)),
                ServerConfig.parse(new String[] {"--poster-at", "1500ms"}, Map.of())
                        .outputs()
                        .posterAt());
        assertEquals(
                Optional.of(Duration.ZERO),
                ServerConfig.parse(new String[] {"--poster-at=0"}, Map.of())
                        .outputs()
                        .posterAt());
        assertEquals(
                Optional.empty(),
                ServerConfig.parse(new String[] {"--poster-at", "off"}, Map.of())
                        .outputs()
                        .posterAt());
        assertEquals(
                Optional.of(Duration.ofSeconds(3)),
                ServerConfig.parse(new String[0], Map.of("VIDEOMERGE_POSTER_AT", "3s"))
                        .outputs()
                        .posterAt());
        assertThrows(
                IllegalArgumentException.class,
                () -> ServerConfig.parse(new String[] {"--poster-at", "-1s"}, Map.of()));
    }

    @Test
    @DisplayName("A URL secret from the flag, the variable or a file turns signing on; the validity is a duration")
    void urlSigning() throws IOException {
        UrlSigner reference = new UrlSigner(SECRET.getBytes(StandardCharsets.UTF_8));
        Path file = Files.writeString(dir.resolve("secret"), SECRET + "\n");

        ServerConfig flag =
                ServerConfig.parse(new String[] {"--url-secret", SECRET, "--url-validity", "90m"}, Map.of());
        ServerConfig env = ServerConfig.parse(
                new String[0], Map.of("VIDEOMERGE_URL_SECRET", SECRET, "VIDEOMERGE_URL_VALIDITY", "7d"));
        ServerConfig fromFile = ServerConfig.parse(new String[] {"--url-secret-file", file.toString()}, Map.of());
        ServerConfig seconds = ServerConfig.parse(
                new String[] {"--url-validity=3600"}, Map.of("VIDEOMERGE_URL_SECRET_FILE", file.toString()));

        for (ServerConfig config : List.of(flag, env, fromFile, seconds)) {
            URI signed = config.outputs().signer().orElseThrow().sign(FILE, Duration.ofMinutes(1));
            assertEquals(UrlSigner.Verdict.VALID, reference.verify(signed), "the same secret signs");
        }
        assertEquals(Duration.ofMinutes(90), flag.outputs().urlValidity());
        assertEquals(Duration.ofDays(7), env.outputs().urlValidity());
        assertEquals(Duration.ofHours(24), fromFile.outputs().urlValidity());
        assertEquals(Duration.ofHours(1), seconds.outputs().urlValidity());
        assertFalse(flag.toString().contains(SECRET), "the settings never show the secret");
    }

    @Test
    @DisplayName("A short, doubly set, unreadable or empty secret, or a validity without a secret, is refused without"
            + " showing the secret")
    void wrongUrlSettings() throws IOException {
        String shortSecret = "only-thirty-one-bytes-long-0123";
        Path empty = Files.writeString(dir.resolve("empty"), " \n");

        String tooShort = refusal(new String[] {"--url-secret", shortSecret}, Map.of());
        assertTrue(tooShort.contains("url-secret") && tooShort.contains("32"), tooShort);
        assertFalse(tooShort.contains(shortSecret), tooShort);
        assertTrue(refusal(
                        new String[0],
                        Map.of(
                                "VIDEOMERGE_URL_SECRET_FILE",
                                dir.resolve("missing").toString()))
                .contains("url-secret-file"));
        assertTrue(refusal(new String[] {"--url-secret-file", empty.toString()}, Map.of())
                .contains("url-secret-file"));
        assertTrue(
                refusal(new String[] {"--url-secret", SECRET}, Map.of("VIDEOMERGE_URL_SECRET_FILE", empty.toString()))
                        .contains("not both"));
        assertTrue(refusal(new String[] {"--url-validity", "1h"}, Map.of()).contains("url-validity"));
        for (String validity : List.of("0", "1w", "-5", "1.5h", "h")) {
            assertTrue(
                    refusal(new String[] {"--url-secret", SECRET, "--url-validity", validity}, Map.of())
                            .contains("url-validity"),
                    validity);
        }
    }

    @Test
    @DisplayName("--upload s3://bucket/prefix and the s3 flags (or their variables) describe the bucket; presigned by"
            + " default for the retention, at most 7 days")
    void s3Upload() {
        ServerConfig.S3 flags = ServerConfig.parse(
                        new String[] {
                            "--upload",
                            "s3://videos/merged/out",
                            "--s3-endpoint",
                            "http://127.0.0.1:9000",
                            "--s3-region",
                            "eu-west-1",
                            "--s3-path-style",
                            "--s3-presign",
                            "90m"
                        },
                        Map.of())
                .outputs()
                .s3()
                .orElseThrow();
        ServerConfig.S3 env = ServerConfig.parse(
                        new String[0],
                        Map.of(
                                "VIDEOMERGE_UPLOAD", "s3://videos",
                                "VIDEOMERGE_S3_PUBLIC_URL", "https://cdn.example.com/v/",
                                "VIDEOMERGE_RETENTION", "30d"))
                .outputs()
                .s3()
                .orElseThrow();

        assertEquals(
                new ServerConfig.S3(
                        "videos",
                        "merged/out/",
                        Optional.of(URI.create("http://127.0.0.1:9000")),
                        Optional.of("eu-west-1"),
                        true,
                        Optional.empty(),
                        Duration.ofMinutes(90)),
                flags);
        assertEquals("", env.keyPrefix());
        assertEquals(Optional.of(URI.create("https://cdn.example.com/v/")), env.publicUrl());
        assertEquals(Duration.ofDays(7), env.presign(), "the retention, capped at what SigV4 signs");
        assertEquals(
                Optional.empty(),
                ServerConfig.parse(new String[0], Map.of()).outputs().s3());
        assertEquals(
                Duration.ofHours(24),
                ServerConfig.parse(new String[] {"--upload", "s3://videos"}, Map.of())
                        .outputs()
                        .s3()
                        .orElseThrow()
                        .presign());
        assertTrue(refused("--upload", "ftp://videos").contains("upload must be files or s3://bucket/prefix"));
        assertTrue(refused("--s3-region", "eu-west-1").contains("s3-region needs --upload s3://bucket/prefix"));
        assertTrue(refused("--upload", "s3://videos", "--s3-presign", "8d").contains("s3-presign must be between"));
        assertTrue(
                refused("--upload", "s3://videos", "--s3-presign", "1h", "--s3-public-url", "https://cdn.example.com")
                        .contains("not both"));
        assertTrue(refused("--upload", "s3://videos", "--url-secret", SECRET).contains("url-secret signs /files/"));
    }

    @Test
    @DisplayName("The file mode of merged files is an octal flag or variable, checked")
    void fileMode() {
        assertEquals(
                PosixFilePermissions.fromString("rw-r-----"),
                ServerConfig.parse(new String[] {"--file-mode", "640"}, Map.of())
                        .outputs()
                        .fileMode());
        assertEquals(
                PosixFilePermissions.fromString("rw-r--r--"),
                ServerConfig.parse(new String[0], Map.of("VIDEOMERGE_FILE_MODE", "0644"))
                        .outputs()
                        .fileMode());
        for (String refused : List.of("777", "700", "660", "400", "rw-------", "6000")) {
            assertTrue(
                    assertThrows(
                                    IllegalArgumentException.class,
                                    () -> ServerConfig.parse(new String[] {"--file-mode", refused}, Map.of()))
                            .getMessage()
                            .contains("file-mode"),
                    refused);
        }
    }

    @Test
    @DisplayName("Isolation is on unless turned off; the child's heap cap and time budget are settings")
    void isolationSettings() {
        ServerConfig off = ServerConfig.parse(new String[] {"--isolation", "in-process"}, Map.of());
        ServerConfig tuned = ServerConfig.parse(
                new String[] {"--merge-heap=1g"},
                Map.of("VIDEOMERGE_ISOLATION", "process", "VIDEOMERGE_MERGE_TIMEOUT", "600"));

        assertFalse(off.isolation().isProcess());
        assertTrue(tuned.isolation().isProcess());
        assertEquals(1L << 30, tuned.isolation().maxHeapBytes());
        assertEquals(Duration.ofMinutes(10), tuned.isolation().timeout());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[] {"--isolation", "thread"}, Map.of()))
                .getMessage()
                .contains("isolation"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[] {"--merge-heap", "1x"}, Map.of()))
                .getMessage()
                .contains("merge-heap"));
    }

    @Test
    @DisplayName("Environment variables set every option")
    void environment() {
        ServerConfig config = ServerConfig.parse(
                new String[0],
                Map.of(
                        "VIDEOMERGE_STORE",
                        "redis://127.0.0.1:6379",
                        "VIDEOMERGE_PORT",
                        "9090",
                        "VIDEOMERGE_DATA_DIR",
                        "/srv/vm",
                        "VIDEOMERGE_PUBLIC_URL",
                        "https://vm.example.com/video",
                        "VIDEOMERGE_API_KEYS",
                        "a1, b2 ,",
                        "VIDEOMERGE_MERGE_CONCURRENCY",
                        "3",
                        "VIDEOMERGE_ALLOW_LOOPBACK_URLS",
                        "true",
                        "VIDEOMERGE_HOST",
                        "127.0.0.1"));

        assertEquals("redis://127.0.0.1:6379", config.store());
        assertEquals(9090, config.port());
        assertEquals("127.0.0.1", config.host());
        assertEquals(Path.of("/srv/vm"), config.dataDir());
        assertEquals(URI.create("https://vm.example.com/video"), config.publicUrl(9090));
        assertEquals(List.of("a1", "b2"), config.apiKeys());
        assertEquals(3, config.capacity().mergeConcurrency());
        assertTrue(config.allowLoopbackUrls());
    }

    @Test
    @DisplayName("Flags win over environment variables, in both --flag value and --flag=value forms")
    void flagsWin() {
        ServerConfig config = ServerConfig.parse(
                new String[] {
                    "--port=7070",
                    "--store",
                    "jdbc:postgresql://db/vm",
                    "--allow-loopback-urls",
                    "--merge-concurrency",
                    "2"
                },
                Map.of("VIDEOMERGE_PORT", "9090", "VIDEOMERGE_STORE", "memory", "VIDEOMERGE_MERGE_CONCURRENCY", "5"));

        assertEquals(7070, config.port());
        assertEquals("jdbc:postgresql://db/vm", config.store());
        assertTrue(config.allowLoopbackUrls());
        assertEquals(2, config.capacity().mergeConcurrency());
    }

    @Test
    @DisplayName("Capacity: two stages, a bounded queue, waiters and a disk floor, with defaults and flags")
    void capacity() {
        ServerConfig.Capacity defaults =
                ServerConfig.parse(new String[0], Map.of()).capacity();
        int merges = Math.max(1, Runtime.getRuntime().availableProcessors() / 2);
        assertEquals(new ServerConfig.Capacity(merges, 4, merges, 1000, 1000, 256L << 20), defaults);

        ServerConfig.Capacity set = ServerConfig.parse(
                        new String[] {
                            "--merge-concurrency=3",
                            "--fetch-concurrency=8",
                            "--fetched-queue=0",
                            "--max-pending-jobs=20",
                            "--max-waiters=5",
                            "--min-free-disk=1g"
                        },
                        Map.of())
                .capacity();
        assertEquals(new ServerConfig.Capacity(3, 8, 0, 20, 5, 1L << 30), set);
        assertEquals(
                0,
                ServerConfig.parse(new String[0], Map.of("VIDEOMERGE_MIN_FREE_DISK", "0"))
                        .capacity()
                        .minFreeDiskBytes());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[] {"--fetch-concurrency", "0"}, Map.of()))
                .getMessage()
                .contains("fetch-concurrency"));
    }

    @Test
    @DisplayName(
            "Logs are text and /metrics is open unless set otherwise; the log format, metrics and token are settings")
    void observabilitySettings() {
        assertEquals(
                new ServerConfig.Observability(ServerLogging.Format.TEXT, true, Optional.empty()),
                ServerConfig.parse(new String[0], Map.of()).observability());
        assertEquals(
                new ServerConfig.Observability(ServerLogging.Format.JSON, true, Optional.of("scrape-me")),
                ServerConfig.parse(
                                new String[] {"--log-format", "json"},
                                Map.of("VIDEOMERGE_LOG_FORMAT", "text", "VIDEOMERGE_METRICS_TOKEN", "scrape-me"))
                        .observability());
        assertEquals(
                new ServerConfig.Observability(ServerLogging.Format.JSON, false, Optional.empty()),
                ServerConfig.parse(new String[] {"--metrics=off"}, Map.of("VIDEOMERGE_LOG_FORMAT", "JSON"))
                        .observability());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[] {"--log-format", "xml"}, Map.of()))
                .getMessage()
                .contains("log-format"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[0], Map.of("VIDEOMERGE_METRICS", "maybe")))
                .getMessage()
                .contains("metrics"));
    }

    @Test
    @DisplayName("A wrong setting is refused with a message naming it")
    void wrongSettingsAreNamed() {
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[] {"--port", "http"}, Map.of()))
                .getMessage()
                .contains("port"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[] {"--colour", "red"}, Map.of()))
                .getMessage()
                .contains("--colour"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[] {"--store", "mongodb://x"}, Map.of()))
                .getMessage()
                .contains("store"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[0], Map.of("VIDEOMERGE_PUBLIC_URL", "ftp://x")))
                .getMessage()
                .contains("public-url"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(new String[0], Map.of("VIDEOMERGE_MERGE_CONCURRENCY", "0")))
                .getMessage()
                .contains("merge-concurrency"));
        assertTrue(assertThrows(
                        IllegalArgumentException.class, () -> ServerConfig.parse(new String[] {"--port"}, Map.of()))
                .getMessage()
                .contains("--port"));
    }

    @Test
    @DisplayName("Merged files are published under the public URL's /files/, below any path it has")
    void filesUrlFollowsThePublicUrl() {
        assertEquals(
                URI.create("http://localhost:8080/files/"),
                ServiceFactory.filesUrl(URI.create("http://localhost:8080")));
        assertEquals(
                URI.create("https://vm.example.com/video/files/"),
                ServiceFactory.filesUrl(URI.create("https://vm.example.com/video/")));
    }

    @Test
    @DisplayName("The usage text names every flag and its environment variable")
    void usageNamesEverything() {
        String usage = ServerConfig.usage();
        for (String name : List.of(
                "--store",
                "VIDEOMERGE_STORE",
                "--port",
                "--data-dir",
                "--public-url",
                "--api-keys",
                "VIDEOMERGE_API_KEYS",
                "--merge-concurrency",
                "--allow-loopback-urls",
                "--file-mode",
                "VIDEOMERGE_FILE_MODE",
                "--url-secret",
                "VIDEOMERGE_URL_SECRET",
                "--url-secret-file",
                "--url-validity",
                "--webhook-secret",
                "VIDEOMERGE_WEBHOOK_SECRET",
                "--default-callback-url",
                "--host",
                "--log-format",
                "VIDEOMERGE_LOG_FORMAT",
                "--metrics",
                "--metrics-token",
                "VIDEOMERGE_METRICS_TOKEN",
                "--speed",
                "VIDEOMERGE_SPEED")) {
            assertTrue(usage.contains(name), name);
        }
    }

    private static final String POSTGRES = "jdbc:postgresql://db:5432/vm?user=vm";

    @Test
    @DisplayName("The role is all unless --role or VIDEOMERGE_ROLE says api or worker; the flag wins")
    void roles() {
        assertEquals(Role.ALL, ServerConfig.parse(new String[0], Map.of()).role());
        assertEquals(
                Role.API,
                ServerConfig.parse(new String[] {"--role", "api", "--store", POSTGRES}, Map.of())
                        .role());
        assertEquals(
                Role.WORKER,
                ServerConfig.parse(
                                new String[] {"--public-url", "https://vm.example.com"},
                                Map.of("VIDEOMERGE_ROLE", "Worker", "VIDEOMERGE_STORE", "redis://cache:6379"))
                        .role());
        assertEquals(
                Role.ALL,
                ServerConfig.parse(new String[] {"--role=all"}, Map.of("VIDEOMERGE_ROLE", "api"))
                        .role());
        assertTrue(refusal(new String[] {"--role", "both"}, Map.of()).contains("role must be all, api or worker"));
    }

    @Test
    @DisplayName("The api and worker roles refuse a store that only one process can use, and say which to use")
    void splitRolesNeedASharedStore() {
        String memory = refusal(new String[] {"--role", "api", "--store", "memory"}, Map.of());
        assertTrue(memory.contains("--role api"), memory);
        assertTrue(memory.contains("jdbc:postgresql://") && memory.contains("redis://"), memory);
        assertTrue(memory.contains("memory store"), memory);

        // The default store is the embedded SQLite file.
        String sqlite = refusal(new String[] {"--role", "worker", "--public-url", "https://vm.example.com"}, Map.of());
        assertTrue(sqlite.contains("--role worker") && sqlite.contains("SQLite"), sqlite);
        String sqliteUrl =
                refusal(new String[] {"--role", "api"}, Map.of("VIDEOMERGE_STORE", "jdbc:sqlite:/srv/vm/jobs.db"));
        assertTrue(sqliteUrl.contains("SQLite"), sqliteUrl);

        assertEquals(
                "memory",
                ServerConfig.parse(new String[] {"--role", "all", "--store", "memory"}, Map.of())
                        .store());
    }

    @Test
    @DisplayName("A worker needs the public URL of the api processes, since merged_url is built from it")
    void workerNeedsThePublicUrl() {
        String message = refusal(new String[] {"--role", "worker", "--store", POSTGRES}, Map.of());

        assertTrue(message.contains("--public-url"), message);
        assertEquals(
                URI.create("https://vm.example.com"),
                ServerConfig.parse(
                                new String[] {"--role", "worker", "--store", POSTGRES},
                                Map.of("VIDEOMERGE_PUBLIC_URL", "https://vm.example.com"))
                        .publicUrl(8080));
    }

    @Test
    @DisplayName("Shutdown grace and retention default to 30 s and 24 h and take durations with units")
    void durations() {
        ServerConfig.Lifecycle defaults =
                ServerConfig.parse(new String[0], Map.of()).lifecycle();
        assertEquals(new ServerConfig.Lifecycle(Duration.ofSeconds(30), Duration.ofHours(24)), defaults);

        assertEquals(
                new ServerConfig.Lifecycle(Duration.ofMinutes(5), Duration.ofDays(7)),
                ServerConfig.parse(new String[] {"--shutdown-grace", "5m", "--retention=7d"}, Map.of())
                        .lifecycle());
        assertEquals(
                new ServerConfig.Lifecycle(Duration.ofMillis(1500), Duration.ofHours(36)),
                ServerConfig.parse(
                                new String[0],
                                Map.of("VIDEOMERGE_SHUTDOWN_GRACE", "1500ms", "VIDEOMERGE_RETENTION", "36H"))
                        .lifecycle());
        // A bare number is seconds, as --merge-timeout counts; a grace of 0 hands running merges back at once.
        assertEquals(
                new ServerConfig.Lifecycle(Duration.ZERO, Duration.ofSeconds(90)),
                ServerConfig.parse(new String[] {"--shutdown-grace", "0", "--retention", "90"}, Map.of())
                        .lifecycle());

        assertTrue(refusal(new String[] {"--shutdown-grace", "30 seconds"}, Map.of())
                .contains("shutdown-grace must be a duration such as 30s"));
        assertTrue(refusal(new String[] {"--shutdown-grace", "-1s"}, Map.of()).contains("shutdown-grace"));
        assertTrue(refusal(new String[] {"--retention", "2w"}, Map.of()).contains("retention"));
        assertTrue(refusal(new String[] {"--retention", "59s"}, Map.of()).contains("retention must be at least 1m"));
    }

    @Test
    @DisplayName("Work files live in the data folder unless --work-dir puts them elsewhere")
    void workDir() {
        ServerConfig defaults = ServerConfig.parse(new String[] {"--data-dir", "/srv/vm"}, Map.of());
        ServerConfig local = ServerConfig.parse(
                new String[] {"--data-dir", "/mnt/shared/vm"}, Map.of("VIDEOMERGE_WORK_DIR", "/var/tmp/vm"));

        assertEquals(Path.of("/srv/vm/work"), ServiceFactory.workFolder(defaults));
        assertEquals(Path.of("/var/tmp/vm"), ServiceFactory.workFolder(local));
        assertEquals(Path.of("/mnt/shared/vm/files"), ServiceFactory.filesFolder(local));
    }

    @Test
    @DisplayName("The usage text names the role, lifecycle and work folder flags")
    void usageNamesTheNewFlags() {
        String usage = ServerConfig.usage();
        for (String name : List.of(
                "--role",
                "VIDEOMERGE_ROLE",
                "--shutdown-grace",
                "VIDEOMERGE_SHUTDOWN_GRACE",
                "--retention",
                "VIDEOMERGE_RETENTION",
                "--work-dir",
                "VIDEOMERGE_WORK_DIR")) {
            assertTrue(usage.contains(name), name);
        }
    }

    @Test
    @DisplayName("Webhooks are off without a secret; the secret comes from the variable or the flag, never echoed")
    void webhookSettings() {
        String secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        ServerConfig off = ServerConfig.parse(new String[0], Map.of());
        ServerConfig on = ServerConfig.parse(
                new String[] {"--default-callback-url", "https://hooks.example.com/merge"},
                Map.of("VIDEOMERGE_WEBHOOK_SECRET", secret));
        ServerConfig byFlag = ServerConfig.parse(new String[] {"--webhook-secret=" + secret}, Map.of());

        assertEquals(Optional.empty(), off.webhooks());
        assertEquals(
                Optional.of(URI.create("https://hooks.example.com/merge")),
                on.webhooks().orElseThrow().defaultCallbackUrl());
        assertEquals(
                on.webhooks().orElseThrow().signature("msg_1", 1, new byte[0]),
                byFlag.webhooks().orElseThrow().signature("msg_1", 1, new byte[0]));
        IllegalArgumentException badSecret = assertThrows(
                IllegalArgumentException.class,
                () -> ServerConfig.parse(
                        new String[0], Map.of("VIDEOMERGE_WEBHOOK_SECRET", "hunter2-hunter2-hunter2")));
        assertTrue(badSecret.getMessage().startsWith("webhook-secret"), badSecret.getMessage());
        assertFalse(badSecret.getMessage().contains("hunter2"), badSecret.getMessage());
        assertTrue(assertThrows(
                        IllegalArgumentException.class,
                        () -> ServerConfig.parse(
                                new String[] {"--default-callback-url", "https://hooks.example.com/"}, Map.of()))
                .getMessage()
                .contains("webhook-secret"));
    }
}
