package io.videomerge.store.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.videomerge.ErrorCode;
import io.videomerge.Limits;
import io.videomerge.MergeException;
import io.videomerge.MergeResult;
import io.videomerge.testing.ClipAnalyzer;
import io.videomerge.testing.ClipGenerator;
import io.videomerge.testing.ClipServer;
import io.videomerge.testing.ClipSpec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.net.URI;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's first example as a user copies it: the Java block after {@code <!-- readme-example: FirstMerge.java
 * -->} is taken from README.md as it stands, compiled as a file of its own against this module's test class path,
 * and run on clips generated here and served on loopback.
 */
@DisplayName("the README's first example")
class ReadmeExampleTest {
    private static final String FILE = "FirstMerge.java";
    private static final Pattern BLOCK = Pattern.compile(
            Pattern.quote("<!-- readme-example: " + FILE + " -->") + "\\s*```java\\n(.*?)\\n```", Pattern.DOTALL);

    @TempDir
    static Path dir;

    private static ClipServer server;
    private static List<URI> clips;
    private static URLClassLoader loader;
    private static Class<?> example;

    @BeforeAll
    static void compileTheExampleAndServeTwoClips() throws Exception {
        example = compile(readmeBlock());

        Path folder = Files.createDirectories(dir.resolve("clips"));
        ClipGenerator.write(ClipSpec.defaults().withDuration(1.6), folder.resolve("a.mp4"));
        ClipGenerator.write(ClipSpec.defaults().withDuration(2.0), folder.resolve("b.mp4"));
        server = ClipServer.serve(folder);
        clips = List.of(server.url("a.mp4"), server.url("b.mp4"));
    }

    @AfterAll
    static void stopServer() throws IOException {
        if (server != null) {
            server.close();
        }
        if (loader != null) {
            loader.close();
        }
    }

    @Test
    @DisplayName("merges two clips into one 1080p file of their length less the fade, and says it completed")
    void mergesTwoClips() throws Exception {
        Path merged = dir.resolve("merged");
        Method merge = example.getDeclaredMethod("merge", List.class, Path.class, Limits.class);
        merge.setAccessible(true);

        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        MergeResult result;
        PrintStream out = System.out;
        System.setOut(new PrintStream(printed, true, StandardCharsets.UTF_8));
        try {
            result = (MergeResult) merge.invoke(
                    null,
                    clips,
                    merged,
                    Limits.builder().allowLoopbackUrls(true).build());
        } finally {
            System.setOut(out);
        }

        String line = printed.toString(StandardCharsets.UTF_8).strip();
        assertTrue(line.matches("[0-9a-f-]{36}: COMPLETED, .+"), line);
        assertEquals(2, result.clipsMerged());
        // 1.6 s + 2.0 s less one 0.5 s fade; a frame (1/30 s) or an AAC frame of slack either way.
        assertEquals(3.1, result.durationSeconds(), 0.05);
        assertTrue(result.mergedUrl().toString().startsWith("https://cdn.example.com/merged/"), result::toString);
        Path file = merged.resolve(Path.of(result.mergedUrl().getPath()).getFileName());
        ClipAnalyzer analysis = ClipAnalyzer.analyze(file);
        assertTrue(analysis.decodedCleanly(), file::toString);
        assertEquals(1920, analysis.videoFormats().get(0).width());
        assertEquals(1080, analysis.videoFormats().get(0).height());
        assertTrue(analysis.hasAudio());
    }

    @Test
    @DisplayName("run as a program, refuses loopback URLs under the default limits")
    void mainKeepsTheDefaultLimits() throws Exception {
        Method main = example.getMethod("main", String[].class);
        String[] args = clips.stream().map(URI::toString).toArray(String[]::new);

        InvocationTargetException thrown =
                assertThrows(InvocationTargetException.class, () -> main.invoke(null, (Object) args));

        MergeException refused = assertInstanceOf(MergeException.class, thrown.getCause());
        assertEquals(ErrorCode.URL_FORBIDDEN, refused.code());
    }

    /** The block after the marker, exactly as the README has it. */
    private static String readmeBlock() throws IOException {
        Path readme = Path.of(System.getProperty("videomerge.test.readme", "../README.md"));
        Matcher m = BLOCK.matcher(Files.readString(readme));
        assertTrue(m.find(), () -> readme + " has a java block after <!-- readme-example: " + FILE + " -->");
        String source = m.group(1);
        assertFalse(m.find(), () -> readme + " marks one " + FILE + ", not several");
        return source;
    }

    /** Compiles {@code source} as {@value #FILE}, warnings as errors, and loads its class. */
    private static Class<?> compile(String source) throws IOException, ClassNotFoundException {
        Path sources = Files.createDirectories(dir.resolve("src"));
        Path classes = Files.createDirectories(dir.resolve("classes"));
        Path file = Files.writeString(sources.resolve(FILE), source);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        assertTrue(javac != null, "the tests run on a JDK, which has a Java compiler");
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        try (StandardJavaFileManager files = javac.getStandardFileManager(diagnostics, Locale.ROOT, null)) {
            boolean compiled = javac.getTask(
                            null,
                            files,
                            diagnostics,
                            List.of(
                                    "--release",
                                    "17",
                                    "-proc:none",
                                    "-Xlint:all",
                                    "-Werror",
                                    "-classpath",
                                    System.getProperty(
                                            "surefire.test.class.path", System.getProperty("java.class.path")),
                                    "-d",
                                    classes.toString()),
                            null,
                            files.getJavaFileObjects(file))
                    .call();
            assertTrue(compiled, () -> FILE + " from the README does not compile: " + diagnostics.getDiagnostics());
        }
        loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, ReadmeExampleTest.class.getClassLoader());
        return loader.loadClass(FILE.replace(".java", ""));
    }
}
