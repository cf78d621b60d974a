package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.Isolation;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class ServerConfigTest {

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
                "--host",
                "--log-format",
                "VIDEOMERGE_LOG_FORMAT",
                "--metrics",
                "--metrics-token",
                "VIDEOMERGE_METRICS_TOKEN")) {
            assertTrue(usage.contains(name), name);
        }
    }
}
