package io.videomerge.internal.isolate;

import static java.util.Objects.requireNonNull;

import java.io.File;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How child merge processes are launched: what {@link io.videomerge.Isolation#process()} resolved to.
 *
 * @param java         the {@code java} executable
 * @param classPath    the child's class path (videomerge and the FFmpeg natives)
 * @param maxHeapBytes the child's {@code -Xmx}
 * @param timeout      the wall-clock budget of one merge in a child
 * @param jvmOptions   extra options, after videomerge's own
 * @param warmSpare    whether one child is started ahead and waits for the next merge
 * @param mainClass    the child's entry point ({@link #DEFAULT_MAIN_CLASS} but in tests)
 */
public record ChildSettings(
        Path java,
        String classPath,
        long maxHeapBytes,
        Duration timeout,
        List<String> jvmOptions,
        boolean warmSpare,
        String mainClass) {
    /** videomerge's child entry point. */
    public static final String DEFAULT_MAIN_CLASS = "io.videomerge.internal.isolate.ChildMain";

    public ChildSettings {
        requireNonNull(java, "java");
        requireNonNull(classPath, "classPath");
        requireNonNull(timeout, "timeout");
        jvmOptions = List.copyOf(requireNonNull(jvmOptions, "jvmOptions"));
        requireNonNull(mainClass, "mainClass");
        if (maxHeapBytes <= 0 || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("maxHeapBytes and timeout must be > 0");
        }
    }

    /**
     * {@code classPath} with every entry made absolute against this JVM's working folder: children run in the
     * work folder, where a relative entry ({@code java -jar target/app.jar} gives one) would name nothing.
     */
    public static String absolute(String classPath) {
        List<String> entries = new ArrayList<>();
        for (String entry : classPath.split(File.pathSeparator)) {
            if (entry.isEmpty()) {
                continue;
            }
            // A trailing "*" (all jars of a folder) is kept as it is: the JVM expands it, Path would not.
            entries.add(
                    entry.endsWith("*") && !Path.of(entry).isAbsolute()
                            ? Path.of("").toAbsolutePath() + File.separator + entry
                            : Path.of(entry).toAbsolutePath().toString());
        }
        return String.join(File.pathSeparator, entries);
    }

    /** This JVM's own {@code java}. */
    public static Path currentJava() {
        boolean windows = System.getProperty("os.name", "").startsWith("Windows");
        return Path.of(System.getProperty("java.home"), "bin", windows ? "java.exe" : "java");
    }
}
