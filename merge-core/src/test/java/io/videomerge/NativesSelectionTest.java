package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which FFmpeg natives an application that depends on merge-core gets. The application's Maven reads merge-core's
 * pom and its parent as a dependency's, where the application's {@code -D} must reach the classifier; a property
 * set in a pom's {@code <properties>} would win over it, and did.
 *
 * <p>Runs Maven on {@code src/test/consumer/pom.xml} against a local repository that holds this build's two poms
 * and links everything else to the build's own repository. Only the dependency graph is resolved (no jar is
 * needed), so natives of other platforms need not be there.
 */
@DisplayName("an application depending on merge-core")
class NativesSelectionTest {
    private static final Pattern BYTEDECO = Pattern.compile("org\\.bytedeco:(ffmpeg|javacpp):jar:(\\S+):compile");

    @TempDir
    static Path dir;

    private static Path repository;

    @BeforeAll
    static void repositoryWithThisBuildsPoms() throws IOException {
        Path buildRepository = Path.of(property("videomerge.test.localRepository"));
        repository = Files.createDirectories(dir.resolve("repository"));
        link(buildRepository, repository, "io");
        Path io = Files.createDirectories(repository.resolve("io"));
        if (Files.isDirectory(buildRepository.resolve("io"))) {
            link(buildRepository.resolve("io"), io, "videomerge");
        }
        String version = property("videomerge.test.version");
        Path core = Path.of(property("videomerge.test.basedir"));
        install(core.resolve("../pom.xml"), io.resolve("videomerge/videomerge-parent"), version);
        install(core.resolve("pom.xml"), io.resolve("videomerge/merge-core"), version);
    }

    /** The links go first, so that removing the temporary folder never looks behind them. */
    @AfterAll
    static void removeLinks() throws IOException {
        if (repository == null) {
            return;
        }
        for (Path folder : List.of(repository, repository.resolve("io"))) {
            try (Stream<Path> entries = Files.list(folder)) {
                for (Path entry : (Iterable<Path>) entries::iterator) {
                    if (Files.isSymbolicLink(entry)) {
                        Files.delete(entry);
                    }
                }
            }
        }
    }

    @Test
    @DisplayName("gets the LGPL natives of the platform its build runs on")
    void defaultNativesAreThisPlatformsLgplBuild() throws Exception {
        String platform = property("videomerge.test.osPlatform");

        Map<String, Set<String>> classifiers = classifiers(List.of());

        assertEquals(Set.of("", platform), classifiers.get("ffmpeg"), classifiers.toString());
        assertEquals(Set.of("", platform), classifiers.get("javacpp"), classifiers.toString());
    }

    @Test
    @DisplayName("gets another platform's GPL natives with -Djavacpp.platform and -Djavacpp.platform.extension=-gpl")
    void propertiesOfTheApplicationsBuildPickTheNatives() throws Exception {
        String other = property("videomerge.test.osPlatform").equals("linux-arm64") ? "linux-x86_64" : "linux-arm64";

        Map<String, Set<String>> classifiers =
                classifiers(List.of("-Djavacpp.platform=" + other, "-Djavacpp.platform.extension=-gpl"));

        assertEquals(Set.of("", other + "-gpl"), classifiers.get("ffmpeg"), classifiers.toString());
        assertEquals(Set.of("", other), classifiers.get("javacpp"), classifiers.toString());
    }

    /** The classifiers of org.bytedeco:ffmpeg and :javacpp in the consumer's tree ("" for the Java classes). */
    private static Map<String, Set<String>> classifiers(List<String> properties) throws Exception {
        Path run = Files.createTempDirectory(dir, "run");
        Path pom = Files.copy(
                Path.of(property("videomerge.test.basedir"), "src/test/consumer/pom.xml"), run.resolve("pom.xml"));
        Path tree = run.resolve("tree.txt");
        Path log = run.resolve("maven.log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(property("videomerge.test.mavenHome"), "bin", "mvn").toString(),
                "-B",
                "-ntp",
                "-q",
                "-f",
                pom.toString(),
                "-Dmaven.repo.local=" + repository,
                "-Dvideomerge.version=" + property("videomerge.test.version")));
        if (property("videomerge.test.offline").equals("offline=true")) {
            command.add("-o");
        }
        command.addAll(properties);
        command.addAll(List.of("dependency:tree", "-DoutputFile=" + tree));
        Process maven = new ProcessBuilder(command)
                .directory(run.toFile())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        if (!maven.waitFor(5, TimeUnit.MINUTES)) {
            maven.destroyForcibly();
            throw new AssertionError("Maven on the consumer pom ran past 5 minutes: " + Files.readString(log));
        }
        assertEquals(0, maven.exitValue(), () -> "Maven on the consumer pom failed: " + readQuietly(log));

        Map<String, Set<String>> classifiers = new TreeMap<>();
        for (String line : Files.readAllLines(tree, StandardCharsets.UTF_8)) {
            Matcher m = BYTEDECO.matcher(line);
            if (m.find()) {
                String[] rest = m.group(2).split(":");
                classifiers.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(rest.length == 2 ? rest[0] : "");
            }
        }
        assertTrue(classifiers.containsKey("ffmpeg"), () -> "no org.bytedeco:ffmpeg in " + readQuietly(tree));
        return classifiers;
    }

    /** Symbolic links in {@code to} to every entry of {@code from} but {@code except}. */
    private static void link(Path from, Path to, String except) throws IOException {
        try (Stream<Path> entries = Files.list(from)) {
            for (Path entry : (Iterable<Path>) entries::iterator) {
                if (!entry.getFileName().toString().equals(except)) {
                    Files.createSymbolicLink(to.resolve(entry.getFileName().toString()), entry);
                }
            }
        }
    }

    /** A pom as {@code mvn install} lays it out, without the jar, which resolving the graph does not read. */
    private static void install(Path pom, Path artifactFolder, String version) throws IOException {
        Path folder = Files.createDirectories(artifactFolder.resolve(version));
        Files.copy(pom, folder.resolve(artifactFolder.getFileName() + "-" + version + ".pom"));
    }

    private static String property(String name) {
        String value = System.getProperty(name);
        if (value == null || value.isEmpty() || value.startsWith("${")) {
            throw new AssertionError(name + " is not set: run this test through Maven (merge-core's pom sets it)");
        }
        return value;
    }

    private static String readQuietly(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            return "(" + file + " unreadable: " + e.getMessage() + ")";
        }
    }
}
