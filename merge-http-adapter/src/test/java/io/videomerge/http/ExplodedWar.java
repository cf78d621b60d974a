package io.videomerge.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.bytedeco.javacpp.Loader;

/**
 * An exploded WAR on disk, as a container deploys it: {@code WEB-INF/web.xml}, the application's own classes in
 * {@code WEB-INF/classes}, and, in the {@link Layout#WAR} layout, videomerge with everything it needs at run time
 * (JavaCV, JavaCPP, FFmpeg and its natives, Jackson, HttpClient, SLF4J) in {@code WEB-INF/lib}.
 *
 * <p>The jars are the ones this test runs on, found through the test's class path by one class or native library
 * of each; a directory of classes (a module of this build) is packed into a jar first.
 */
final class ExplodedWar {
    /** Where videomerge's jars go. */
    enum Layout {
        /** Everything in the WAR's {@code WEB-INF/lib}: each deployment loads its own copy, natives included. */
        WAR,
        /** In the container's shared lib ({@code $CATALINA_BASE/lib}); the WAR holds only the application. */
        SHARED
    }

    private ExplodedWar() {}

    /** One resource of each jar (or class directory) that a WAR of an application using videomerge holds. */
    private static List<String> libraryResources() {
        String natives = Loader.getPlatform();
        return List.of(
                "io/videomerge/MergeService.class", // merge-core
                "io/videomerge/http/MergeServlet.class", // merge-http-adapter
                "io/videomerge/store/memory/InMemoryJobStore.class", // merge-store-memory
                "com/fasterxml/jackson/databind/ObjectMapper.class",
                "com/fasterxml/jackson/core/JsonFactory.class",
                "com/fasterxml/jackson/annotation/JsonCreator.class",
                "org/apache/hc/client5/http/impl/classic/HttpClients.class",
                "org/apache/hc/core5/http/HttpHost.class",
                "org/apache/hc/core5/http2/HttpVersionPolicy.class",
                "org/bytedeco/javacv/FrameGrabber.class",
                "org/bytedeco/javacpp/Pointer.class",
                "org/bytedeco/javacpp/" + natives + "/" + System.mapLibraryName("jnijavacpp"),
                "org/bytedeco/ffmpeg/global/avutil.class",
                "org/bytedeco/ffmpeg/" + natives + "/" + System.mapLibraryName("jniavutil"),
                "org/slf4j/LoggerFactory.class",
                "org/slf4j/simple/SimpleLogger.class");
    }

    /**
     * Writes the WAR into {@code dir}: a {@code web.xml} with {@code parameters} as context parameters and
     * {@code listeners} in that order, the class files of {@code classes} in {@code WEB-INF/classes}, and the
     * library in {@code WEB-INF/lib} when the layout is {@link Layout#WAR}.
     */
    static Path write(
            Path dir, Layout layout, Map<String, String> parameters, List<String> listeners, List<Class<?>> classes)
            throws IOException {
        // Tomcat would follow the Class-Path of javacv's manifest to jars that are not there, and warn of each.
        Files.writeString(
                Files.createDirectories(dir.resolve("META-INF")).resolve("context.xml"),
                "<Context><JarScanner scanManifest=\"false\"/></Context>\n",
                StandardCharsets.UTF_8);
        Path webInf = Files.createDirectories(dir.resolve("WEB-INF"));
        Files.writeString(webInf.resolve("web.xml"), webXml(parameters, listeners), StandardCharsets.UTF_8);
        for (Class<?> type : classes) {
            String name = type.getName().replace('.', '/') + ".class";
            Path target = webInf.resolve("classes").resolve(name);
            Files.createDirectories(target.getParent());
            try (InputStream in = type.getClassLoader().getResourceAsStream(name)) {
                Files.copy(in, target);
            }
        }
        if (layout == Layout.WAR) {
            Path lib = Files.createDirectories(webInf.resolve("lib"));
            for (Path root : libraryRoots()) {
                if (Files.isDirectory(root)) {
                    jar(root, lib.resolve(moduleName(root) + ".jar"));
                } else {
                    Files.copy(root, lib.resolve(root.getFileName()));
                }
            }
        }
        return dir;
    }

    private static String webXml(Map<String, String> parameters, List<String> listeners) {
        StringBuilder xml = new StringBuilder()
                .append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
                .append("<web-app xmlns=\"https://jakarta.ee/xml/ns/jakartaee\" version=\"6.0\"")
                .append(" metadata-complete=\"true\">\n");
        parameters.forEach((name, value) -> xml.append("  <context-param><param-name>")
                .append(name)
                .append("</param-name><param-value>")
                .append(value)
                .append("</param-value></context-param>\n"));
        for (String listener : listeners) {
            xml.append("  <listener><listener-class>").append(listener).append("</listener-class></listener>\n");
        }
        return xml.append("</web-app>\n").toString();
    }

    /** The jar files and class directories of the library, each once. */
    private static Set<Path> libraryRoots() {
        Set<Path> roots = new LinkedHashSet<>();
        ClassLoader loader = ExplodedWar.class.getClassLoader();
        for (String resource : libraryResources()) {
            URL url = loader.getResource(resource);
            if (url == null) {
                throw new IllegalStateException(resource + " is not on the test class path");
            }
            roots.add(root(url, resource));
        }
        return roots;
    }

    private static Path root(URL url, String resource) {
        try {
            if (url.getProtocol().equals("jar")) {
                String file = url.getPath();
                return Path.of(new URL(file.substring(0, file.indexOf("!/"))).toURI());
            }
            Path path = Path.of(url.toURI());
            for (int i = resource.split("/").length; i > 0; i--) {
                path = path.getParent();
            }
            return path;
        } catch (IOException | URISyntaxException e) {
            throw new IllegalStateException("cannot tell where " + url + " comes from", e);
        }
    }

    /** {@code .../merge-core/target/classes} is {@code merge-core}. */
    private static String moduleName(Path classes) {
        Path target = classes.getParent();
        Path module = target == null ? null : target.getParent();
        return module == null
                ? classes.getFileName().toString()
                : module.getFileName().toString();
    }

    private static void jar(Path classes, Path jar) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(classes)) {
            walk.filter(Files::isRegularFile).sorted().forEach(files::add);
        }
        try (OutputStream out = Files.newOutputStream(jar);
                JarOutputStream zip = new JarOutputStream(out)) {
            for (Path file : files) {
                zip.putNextEntry(
                        new JarEntry(classes.relativize(file).toString().replace('\\', '/')));
                Files.copy(file, zip);
                zip.closeEntry();
            }
        }
    }
}
