package io.videomerge.http;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.management.HotSpotDiagnosticMXBean;
import io.videomerge.http.ExplodedWar.Layout;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.lang.ref.ReferenceQueue;
import java.lang.ref.WeakReference;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Collectors;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleState;
import org.apache.catalina.startup.Tomcat;
import org.bytedeco.javacpp.Pointer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Deploys a web application that uses {@link MergeServlet} into a running embedded Tomcat, merges real clips
 * through it, undeploys it, and does that again, as an operator redeploys a WAR; then checks that nothing of the
 * undeployed applications is left: no thread of theirs runs, each one's class loader is garbage collected, and
 * Tomcat's own leak detection found nothing.
 *
 * <p>Each deployment gets a fresh Tomcat web application class loader over an exploded WAR on disk, with the
 * container and this test on its parent, the way a standalone Tomcat has its common loader there. In the
 * {@link Layout#WAR} layout the application loads videomerge, JavaCPP and FFmpeg's natives itself; as this test
 * generated its clips with FFmpeg through the parent's JavaCPP, each deployment finds the natives loaded by
 * another class loader already, as it does in a container where the previous deployment is not collected yet.
 */
@DisplayName("Redeploying a web application with MergeServlet in Tomcat")
class RedeployTest {
    private static final int DEPLOYMENTS = 4; // a deployment and three redeployments
    private static final String CONTEXT = "/app";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    @TempDir
    static Path media;

    private static ClipServer clips;

    private final ObjectMapper json = new ObjectMapper();
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10))
            .build();

    @BeforeAll
    static void serveClips() {
        ClipSpec clip = ClipSpec.of(160, 120).withDuration(1.0);
        ClipGenerator.write(clip, media, "a");
        ClipGenerator.write(clip.withSize(120, 160), media, "b");
        clips = ClipServer.serve(media);
    }

    @AfterAll
    static void stopClips() {
        clips.close();
    }

    @ParameterizedTest(name = "videomerge in the {0} layout")
    @EnumSource(Layout.class)
    @DisplayName("Deploying, redeploying three times and undeploying leaves no class loader and no thread behind")
    void redeploysLeaveNothingBehind(Layout layout, @TempDir Path tmp) throws Exception {
        Path war = ExplodedWar.write(
                tmp.resolve("war"),
                layout,
                Map.of(
                        "work", tmp.resolve("work").toString(),
                        "output", tmp.resolve("out").toString()),
                List.of(MergeContextListener.class.getName(), RedeployedWebApp.class.getName()),
                List.of(RedeployedWebApp.class));
        ReferenceQueue<ClassLoader> collected = new ReferenceQueue<>();
        List<WeakReference<ClassLoader>> loaders = new ArrayList<>();
        LeakWarnings warnings = LeakWarnings.start();
        Tomcat tomcat = startTomcat(tmp.resolve("tomcat"));
        try {
            URI root = URI.create("http://127.0.0.1:" + tomcat.getConnector().getLocalPort() + CONTEXT);
            for (int i = 0; i < DEPLOYMENTS; i++) {
                loaders.add(new WeakReference<>(deployServeAndUndeploy(tomcat, war, layout, root), collected));
            }
            assertAll(
                    () -> assertEquals(List.of(), warnings.seen(), "Tomcat's leak detection found something"),
                    () -> assertNoThreadLeft(loaders),
                    () -> assertCollected(loaders, collected, layout),
                    () -> {
                        if (layout == Layout.SHARED) {
                            assertTrue(
                                    sharedDeallocatorRuns(),
                                    "the shared JavaCPP's deallocator thread, which this JVM uses, still runs");
                        }
                    });
        } finally {
            warnings.stop();
            tomcat.stop();
            tomcat.destroy();
        }
    }

    /**
     * The warnings of Tomcat's own leak detection when an application stops (threads it started, thread locals it
     * left, JDBC drivers it registered), as a standalone Tomcat logs them.
     */
    private static final class LeakWarnings extends Handler {
        private static final Logger TOMCAT = Logger.getLogger("org.apache.catalina.loader.WebappClassLoaderBase");
        private final List<String> seen = new CopyOnWriteArrayList<>();

        static LeakWarnings start() {
            LeakWarnings handler = new LeakWarnings();
            TOMCAT.addHandler(handler);
            return handler;
        }

        List<String> seen() {
            return List.copyOf(seen);
        }

        void stop() {
            TOMCAT.removeHandler(this);
        }

        @Override
        public void publish(LogRecord record) {
            // Without the --add-opens of catalina.sh (the surefire argLine has them) Tomcat says it cannot look.
            if (record.getLevel().intValue() >= Level.WARNING.intValue()
                    && !String.valueOf(record.getMessage()).contains("--add-opens")) {
                seen.add(record.getMessage());
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    }

    /** Whether the deallocator thread of the JavaCPP on this test's class path (the shared one) runs. */
    private static boolean sharedDeallocatorRuns() {
        return Thread.getAllStackTraces().keySet().stream()
                .anyMatch(t -> t.isAlive()
                        && t.getClass().getName().equals(Pointer.class.getName() + "$DeallocatorThread")
                        && t.getClass().getClassLoader() == Pointer.class.getClassLoader());
    }

    private static Tomcat startTomcat(Path base) throws Exception {
        Files.createDirectories(base.resolve("webapps"));
        Tomcat tomcat = new Tomcat();
        tomcat.setBaseDir(base.toString());
        tomcat.setPort(0);
        tomcat.getConnector().setProperty("address", "127.0.0.1");
        // No JSP servlet (Jasper is not here) and no default servlet: the application brings its servlet.
        tomcat.setAddDefaultWebXmlToWebapp(false);
        tomcat.getHost().setAutoDeploy(false);
        tomcat.start();
        return tomcat;
    }

    /**
     * Deploys the WAR at {@link #CONTEXT}, checks where its classes come from, asks for health and a real merge,
     * undeploys it, and returns its class loader. Everything that refers to the deployment stays in this frame.
     */
    private ClassLoader deployServeAndUndeploy(Tomcat tomcat, Path war, Layout layout, URI root) throws Exception {
        Context context = tomcat.addWebapp(CONTEXT, war.toString());
        try {
            assertEquals(LifecycleState.STARTED, context.getState(), "the application started");
            ClassLoader loader = context.getLoader().getClassLoader();
            assertSame(
                    loader, loader.loadClass(RedeployedWebApp.class.getName()).getClassLoader());
            ClassLoader library = layout == Layout.WAR ? loader : MergeServlet.class.getClassLoader();
            for (String name : List.of(
                    "io.videomerge.http.MergeServlet",
                    "io.videomerge.MergeService",
                    "org.bytedeco.javacpp.Pointer",
                    "org.bytedeco.ffmpeg.global.avutil",
                    "com.fasterxml.jackson.databind.ObjectMapper")) {
                assertSame(library, loader.loadClass(name).getClassLoader(), name + " comes from the " + layout);
            }

            HttpResponse<String> health = http.send(
                    HttpRequest.newBuilder(URI.create(root + "/health"))
                            .timeout(DEADLINE)
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());

            String body = "{\"video_urls\":[\"" + clips.url("a.mp4") + "\",\"" + clips.url("b.mp4")
                    + "\"],\"quality\":\"480\",\"transition\":\"fade\"}";
            HttpResponse<String> merged = http.send(
                    HttpRequest.newBuilder(URI.create(root + "/api/v1/merge"))
                            .header("Content-Type", "application/json")
                            .header("Prefer", "wait=60")
                            .POST(HttpRequest.BodyPublishers.ofString(body))
                            .timeout(DEADLINE.plusSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, merged.statusCode(), merged.body());
            JsonNode result = json.readTree(merged.body());
            assertTrue(result.path("success").asBoolean(), merged.body());
            assertEquals(2, result.path("clips_merged").asInt(), merged.body());

            @SuppressWarnings("unchecked")
            Map<String, String> natives = (Map<String, String>) library.loadClass("org.bytedeco.javacpp.Loader")
                    .getMethod("getLoadedLibraries")
                    .invoke(null);
            assertTrue(
                    natives.keySet().stream().anyMatch(name -> name.startsWith("jniavformat")),
                    "FFmpeg's natives were loaded by the " + layout + "'s JavaCPP: " + natives.keySet());
            return loader;
        } finally {
            tomcat.getHost().removeChild(context);
        }
    }

    /** Waits for the threads that the applications started to end, up to the deadline; fails on any left. */
    private static void assertNoThreadLeft(List<WeakReference<ClassLoader>> loaders) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        for (Thread t : threadsOf(loaders)) {
            t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
        }
        List<String> left = threadsOf(loaders).stream()
                .map(t -> t.getName() + " (" + t.getClass().getName() + ")")
                .toList();
        assertEquals(List.of(), left, "threads of undeployed applications still run");
    }

    /** Live threads whose class, or whose context class loader, is one of the applications' loaders. */
    private static List<Thread> threadsOf(List<WeakReference<ClassLoader>> loaders) {
        Set<ClassLoader> ours = loaders.stream()
                .map(Reference::get)
                .filter(l -> l != null)
                .collect(Collectors.toCollection(() -> Collections.newSetFromMap(new IdentityHashMap<>())));
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(t -> ours.contains(t.getContextClassLoader())
                        || ours.contains(t.getClass().getClassLoader()))
                .toList();
    }

    /**
     * Runs the garbage collector until every loader is cleared, up to the deadline. On failure, writes a heap dump
     * into {@code target} to find what holds them.
     */
    private static void assertCollected(
            List<WeakReference<ClassLoader>> loaders, ReferenceQueue<ClassLoader> collected, Layout layout)
            throws InterruptedException, IOException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        int cleared = 0;
        while (cleared < loaders.size() && System.nanoTime() < deadline) {
            System.gc();
            if (collected.remove(100) != null) {
                cleared++;
                while (collected.poll() != null) {
                    cleared++;
                }
            }
        }
        if (cleared < loaders.size()) {
            Path dump = Path.of(
                    "target",
                    "redeploy-" + layout + "-" + ProcessHandle.current().pid() + ".hprof");
            Files.deleteIfExists(dump);
            ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .dumpHeap(dump.toAbsolutePath().toString(), true);
            fail((loaders.size() - cleared) + " of " + loaders.size()
                    + " web application class loaders were not collected; heap dump: " + dump.toAbsolutePath());
        }
    }
}
