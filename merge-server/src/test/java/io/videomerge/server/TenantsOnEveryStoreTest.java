package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.lettuce.core.KeyScanCursor;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisException;
import io.lettuce.core.ScanArgs;
import io.lettuce.core.ScanCursor;
import io.lettuce.core.api.StatefulRedisConnection;
import io.videomerge.Limits;
import io.videomerge.MergeService;
import io.videomerge.http.MergeServlet;
import io.videomerge.spi.JobStore;
import io.videomerge.store.jdbc.JdbcJobStore;
import io.videomerge.store.memory.InMemoryJobStore;
import io.videomerge.store.redis.RedisJobStore;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import io.videomerge.upload.FileSystemUploader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteDataSource;

/**
 * Two API keys on every route of the HTTP contract, with real merges, on each store merge-server can run on: a
 * key's own task answers it, the other key's task is the 404 of an unknown id, an idempotency key is each API
 * key's own, and a key sent again with another body is 422.
 *
 * <p>PostgreSQL comes from {@code VIDEOMERGE_TEST_POSTGRES_URL} (default the local {@code test} database; a schema
 * of its own, dropped afterwards), Redis from {@code VIDEOMERGE_TEST_REDIS_URI} (default the local one; a key prefix
 * of its own, deleted afterwards). A store that does not answer fails the test with what to start.
 */
@DisplayName("Tenants on every store: two API keys, every route")
class TenantsOnEveryStoreTest {
    private static final Duration DEADLINE = Duration.ofMinutes(2);
    private static final String ALPHA = "alpha-key-0123456789";
    private static final String BETA = "beta-key-9876543210";

    enum Store {
        MEMORY,
        SQLITE,
        POSTGRESQL,
        REDIS
    }

    @TempDir
    Path folder;

    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final ObjectMapper json = new ObjectMapper();
    private ClipServer clips;
    private Runnable dropStore = () -> {};
    private JobStore store;
    private MergeService service;
    private Server jetty;
    private URI base;

    @BeforeEach
    void writeClips() {
        ClipGenerator.write(ClipSpec.of(320, 240).withDuration(1.0), folder, "a");
        ClipGenerator.write(ClipSpec.of(240, 320).withDuration(1.0), folder, "b");
        clips = ClipServer.serve(folder);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (jetty != null) {
                jetty.stop();
            }
            if (service != null) {
                service.close();
            }
            if (store != null) {
                store.close();
            }
        } finally {
            clips.close();
            dropStore.run();
        }
    }

    @ParameterizedTest
    @EnumSource(Store.class)
    @DisplayName("own task 200, other key's task 404 on status, result and cancel; Idempotency-Key per API key")
    void everyRouteIsScopedToItsKey(Store kind) throws Exception {
        start(kind);
        String body =
                "{\"video_urls\":[\"" + clips.url("a.mp4") + "\",\"" + clips.url("b.mp4") + "\"],\"quality\":\"480\"}";
        String otherBody =
                "{\"video_urls\":[\"" + clips.url("b.mp4") + "\",\"" + clips.url("a.mp4") + "\"],\"quality\":\"480\"}";

        // Submit with a wait: the merge runs for real and the answer is the result.
        HttpResponse<String> alphaMerge = submit(ALPHA, body, "order-1", true);
        assertEquals(200, alphaMerge.statusCode(), alphaMerge.body());
        String alphaTask = taskIdFromLocation(alphaMerge);
        HttpResponse<String> betaMerge = submit(BETA, body, "order-1", true);
        assertEquals(200, betaMerge.statusCode(), betaMerge.body());
        String betaTask = taskIdFromLocation(betaMerge);
        assertNotEquals(alphaTask, betaTask, "the same Idempotency-Key of two API keys names two tasks");

        // The same key and body again: the same task, nothing new; another body: 422.
        HttpResponse<String> again = submit(ALPHA, body, "order-1", false);
        assertEquals(202, again.statusCode(), again.body());
        assertEquals(alphaTask, read(again).get("task_id").asText());
        HttpResponse<String> collision = submit(ALPHA, otherBody, "order-1", false);
        assertEquals(422, collision.statusCode(), collision.body());
        assertEquals("IDEMPOTENCY_KEY_REUSED", read(collision).get("code").asText());

        HttpResponse<String> unknown = call(ALPHA, "GET", "/api/v1/merge/" + UUID.randomUUID() + "/status");
        assertEquals(404, unknown.statusCode());
        for (String route : List.of("/status", "/result")) {
            HttpResponse<String> own = call(ALPHA, "GET", "/api/v1/merge/" + alphaTask + route);
            assertEquals(200, own.statusCode(), route + ": " + own.body());
            HttpResponse<String> foreign = call(ALPHA, "GET", "/api/v1/merge/" + betaTask + route);
            assertEquals(404, foreign.statusCode(), route + ": " + foreign.body());
            assertEquals(read(unknown), read(foreign), "a foreign task answers as an unknown id: " + route);
        }
        assertEquals(
                "completed",
                read(call(BETA, "GET", "/api/v1/merge/" + betaTask + "/status"))
                        .get("status")
                        .asText());
        assertEquals(
                true,
                read(call(BETA, "GET", "/api/v1/merge/" + betaTask + "/result"))
                        .get("success")
                        .asBoolean());

        // A pending task of beta's: alpha can neither see nor cancel it; beta can.
        service.close(); // no worker claims the next task: it stays pending
        service = build(store, 0);
        mount(service);
        HttpResponse<String> pending = submit(BETA, otherBody, null, false);
        assertEquals(202, pending.statusCode(), pending.body());
        String pendingTask = read(pending).get("task_id").asText();
        HttpResponse<String> foreignCancel = call(ALPHA, "DELETE", "/api/v1/merge/" + pendingTask);
        assertEquals(404, foreignCancel.statusCode(), foreignCancel.body());
        assertEquals(
                "pending",
                read(call(BETA, "GET", "/api/v1/merge/" + pendingTask + "/status"))
                        .get("status")
                        .asText(),
                "the foreign cancel changed nothing");
        HttpResponse<String> ownCancel = call(BETA, "DELETE", "/api/v1/merge/" + pendingTask);
        assertEquals(200, ownCancel.statusCode(), ownCancel.body());
    }

    private void start(Store kind) throws Exception {
        store = switch (kind) {
            case MEMORY -> new InMemoryJobStore();
            case SQLITE -> {
                SQLiteDataSource sqlite = new SQLiteDataSource();
                sqlite.setUrl("jdbc:sqlite:" + folder.resolve("jobs.db"));
                yield JdbcJobStore.builder(sqlite).build();
            }
            case POSTGRESQL -> postgres();
            case REDIS -> redis();
        };
        service = build(store, 1);
        mount(service);
    }

    private MergeService build(JobStore jobs, int merges) {
        return MergeService.builder()
                .limits(Limits.defaults().toBuilder().allowLoopbackUrls(true).build())
                .uploader(new FileSystemUploader(folder.resolve("out"), URI.create("http://files.example/")))
                .workDirectory(folder.resolve("work"))
                .jobStore(jobs)
                .mergeConcurrency(merges)
                .build();
    }

    private void mount(MergeService merges) throws Exception {
        if (jetty != null) {
            jetty.stop();
        }
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        jetty.addConnector(connector);
        ServletContextHandler context = new ServletContextHandler("/");
        ServletHolder holder = new ServletHolder(
                new MergeServlet(merges, MergeServlet.Options.defaults().withApiKeys(List.of(ALPHA, BETA))));
        holder.setAsyncSupported(true);
        context.addServlet(holder, "/*");
        jetty.setHandler(context);
        jetty.start();
        base = URI.create("http://127.0.0.1:" + connector.getLocalPort());
    }

    private JobStore postgres() {
        TestPostgresSchema schema = TestPostgresSchema.create("vm_tenants");
        dropStore = schema::close;
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(schema.url());
        return JdbcJobStore.builder(dataSource).build();
    }

    private JobStore redis() {
        String uri = System.getenv().getOrDefault("VIDEOMERGE_TEST_REDIS_URI", "redis://127.0.0.1:6379");
        String prefix = "vmtest-tenants-" + UUID.randomUUID();
        RedisClient client = RedisClient.create(uri);
        StatefulRedisConnection<String, String> connection;
        try {
            connection = client.connect();
        } catch (RedisException e) {
            client.shutdown();
            return fail(
                    "Redis is not reachable at " + uri + " (set VIDEOMERGE_TEST_REDIS_URI, or start it: see"
                            + " CONTRIBUTING.md)",
                    e);
        }
        dropStore = () -> {
            try (connection) {
                ScanCursor cursor = ScanCursor.INITIAL;
                do {
                    KeyScanCursor<String> page = connection
                            .sync()
                            .scan(
                                    cursor,
                                    ScanArgs.Builder.matches("{" + prefix + "}*")
                                            .limit(500));
                    if (!page.getKeys().isEmpty()) {
                        connection.sync().del(page.getKeys().toArray(String[]::new));
                    }
                    cursor = page;
                } while (!cursor.isFinished());
            } finally {
                client.shutdown();
            }
        };
        return RedisJobStore.builder(uri).keyPrefix(prefix).build();
    }

    private HttpResponse<String> submit(String key, String body, String idempotencyKey, boolean wait) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("/api/v1/merge"))
                .header("Content-Type", "application/json")
                .header("X-API-Key", key)
                .timeout(DEADLINE)
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        if (wait) {
            request.header("Prefer", "wait=90");
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> call(String key, String method, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(base.resolve(path))
                        .header("X-API-Key", key)
                        .timeout(DEADLINE)
                        .method(method, HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static String taskIdFromLocation(HttpResponse<String> response) {
        String location = response.headers().firstValue("Location").orElseThrow();
        return location.replaceAll(".*/api/v1/merge/([^/]+)/status$", "$1");
    }

    private JsonNode read(HttpResponse<String> response) throws Exception {
        return json.readTree(response.body());
    }
}
