package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.MergeService;
import io.videomerge.http.MergeServlet;
import io.videomerge.store.jdbc.JdbcJobStore;
import io.videomerge.store.memory.InMemoryJobStore;
import io.videomerge.store.redis.RedisJobStore;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.upload.s3.S3Uploader;
import java.io.IOException;
import java.lang.module.ModuleDescriptor;
import java.lang.module.ModuleFinder;
import java.lang.module.ModuleReference;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The jars {@code mvn verify} packages, as an application's module path sees them: each carries the module name
 * the README promises. Tagged "process", so it runs after {@code package}, when the class path holds the modules'
 * jars rather than their class folders.
 */
@Tag("process")
@DisplayName("the packaged jars")
class PackagedJarsTest {

    static Stream<Arguments> libraries() {
        return Stream.of(
                Arguments.of(MergeService.class, "io.videomerge.core"),
                Arguments.of(InMemoryJobStore.class, "io.videomerge.store.memory"),
                Arguments.of(JdbcJobStore.class, "io.videomerge.store.jdbc"),
                Arguments.of(RedisJobStore.class, "io.videomerge.store.redis"),
                Arguments.of(MergeServlet.class, "io.videomerge.http"),
                Arguments.of(S3Uploader.class, "io.videomerge.upload.s3"),
                Arguments.of(ClipGenerator.class, "io.videomerge.testkit"));
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("libraries")
    @DisplayName("of the libraries are automatic modules with their Automatic-Module-Name")
    void libraryJarIsANamedAutomaticModule(Class<?> member, String name) throws URISyntaxException {
        Path jar = Path.of(
                member.getProtectionDomain().getCodeSource().getLocation().toURI());
        assertTrue(
                Files.isRegularFile(jar) && jar.toString().endsWith(".jar"),
                () -> member.getName() + " comes from " + jar + ", not a packaged jar (run through mvn verify)");

        List<ModuleReference> modules = List.copyOf(ModuleFinder.of(jar).findAll());

        assertEquals(1, modules.size(), modules::toString);
        ModuleDescriptor module = modules.get(0).descriptor();
        assertTrue(module.isAutomatic(), () -> module + " is an automatic module");
        assertEquals(name, module.name(), jar::toString);
        assertTrue(
                module.packages().contains(member.getPackageName()), () -> name + " holds " + member.getPackageName());
    }

    @Test
    @DisplayName("of merge-server bundles the FFmpeg natives its build picked, and no others")
    void serverJarBundlesTheChosenNatives() throws IOException {
        String natives = System.getProperty("videomerge.server.natives");
        assertTrue(natives != null && !natives.isEmpty(), "merge-server's pom passes videomerge.server.natives");
        Path jar = Path.of(System.getProperty("videomerge.server.jar", "target/merge-server.jar"));

        Set<String> folders;
        try (JarFile file = new JarFile(jar.toFile())) {
            folders = file.stream()
                    .map(JarEntry::getName)
                    .filter(name -> name.startsWith("org/bytedeco/ffmpeg/") && name.contains("/libavcodec."))
                    .map(name -> name.substring("org/bytedeco/ffmpeg/".length(), name.lastIndexOf('/')))
                    .collect(Collectors.toSet());
        }

        assertEquals(Set.of(natives), folders);
    }

    @Test
    @DisplayName("of merge-server names its module too")
    void serverJarNamesItsModule() throws IOException {
        Path jar = Path.of(System.getProperty("videomerge.server.jar", "target/merge-server.jar"));
        assertTrue(Files.isRegularFile(jar), "the packaged jar " + jar + " exists (mvn verify packages it first)");

        try (JarFile file = new JarFile(jar.toFile())) {
            assertEquals(
                    "io.videomerge.server",
                    file.getManifest().getMainAttributes().getValue("Automatic-Module-Name"));
            assertEquals(
                    Main.class.getName(), file.getManifest().getMainAttributes().getValue("Main-Class"));
        }
    }
}
