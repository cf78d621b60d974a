package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Where a merge's media work (probe, decode, encode, measure) runs: in this JVM ({@link #inProcess()}, the
 * library's default) or in a child JVM per merge ({@link #process()}, merge-server's default).
 *
 * <p><b>What isolation guarantees.</b> FFmpeg is C code fed with strangers' files; a native crash
 * (a segmentation fault, an abort) or an out-of-memory while decoding one input ends the process it runs in.
 * In a child process that ends only the child: the merge is run once more in a new child, and a second crash
 * fails that job alone, permanently, with {@link ErrorCode#INPUT_CRASHED_DECODER} naming the input the child
 * was reading. The service, its other jobs and its store carry on. The child gets its own heap cap and a
 * wall-clock budget (exceeded: the child is killed and the merge fails with
 * {@link ErrorCode#PROCESSING_FAILED}); interrupting the merge (cancel, lease loss, {@link MergeService#close()})
 * kills the child at once. Downloads and uploads stay in this JVM, so the URL rules apply unchanged.
 *
 * <p><b>What it costs.</b> A JVM start and loading the FFmpeg natives per merge (about one CPU-second on a
 * small machine), a cold JIT in every child, the memory of the child while it runs (its own JVM on top of the
 * merge's buffers), and a few pipe messages. A warm spare child (on by default), started ahead and waiting
 * with its natives loaded, takes the start off the merge's path but not off the CPU: on a quiet two-core machine
 * a 6 × 10 s 720p fade merge took 5 % longer, under heavy load up to 45 % longer. Merges of seconds of video pay
 * relatively most.
 *
 * <p>Values are immutable; {@code with…} methods return copies.
 */
public final class Isolation {
    /** Default heap cap of a child: a merge keeps its frames in native memory, its Java heap stays small. */
    public static final long DEFAULT_MAX_HEAP_BYTES = 512L << 20;
    /** Default wall-clock budget of one merge in a child: generous, it only stops a merge that hangs. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofHours(2);

    private static final Isolation IN_PROCESS = withDefaults(false);
    private static final Isolation PROCESS = withDefaults(true);
    private static final long MIN_HEAP_BYTES = 16L << 20;

    private final boolean process;
    private final long maxHeapBytes;
    private final Duration timeout;
    private final List<String> jvmOptions;
    private final Optional<Path> javaExecutable;
    private final Optional<String> classPath;
    private final boolean warmSpare;
    // The entry point of the child when not videomerge's own; only tests of the isolation itself choose one.
    private final Optional<String> mainClass;

    private Isolation(
            boolean process,
            long maxHeapBytes,
            Duration timeout,
            List<String> jvmOptions,
            Optional<Path> javaExecutable,
            Optional<String> classPath,
            boolean warmSpare,
            Optional<String> mainClass) {
        if (maxHeapBytes < MIN_HEAP_BYTES) {
            throw new IllegalArgumentException("maxHeapBytes must be at least 16 MiB: " + maxHeapBytes);
        }
        requireNonNull(timeout, "timeout");
        if (timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("timeout must be > 0: " + timeout);
        }
        this.process = process;
        this.maxHeapBytes = maxHeapBytes;
        this.timeout = timeout;
        this.jvmOptions = List.copyOf(requireNonNull(jvmOptions, "jvmOptions"));
        this.javaExecutable = requireNonNull(javaExecutable, "javaExecutable");
        this.classPath = requireNonNull(classPath, "classPath");
        this.warmSpare = warmSpare;
        this.mainClass = requireNonNull(mainClass, "mainClass");
    }

    private static Isolation withDefaults(boolean process) {
        return new Isolation(
                process,
                DEFAULT_MAX_HEAP_BYTES,
                DEFAULT_TIMEOUT,
                List.of(),
                Optional.empty(),
                Optional.empty(),
                true,
                Optional.empty());
    }

    /** {@return media work in the merging thread of this JVM: no start-up cost, no protection from native crashes} */
    public static Isolation inProcess() {
        return IN_PROCESS;
    }

    /**
     * Media work in a child JVM per merge, with the same {@code java} and class path as this one, a heap cap
     * of {@value #DEFAULT_MAX_HEAP_BYTES} bytes, a budget of 2 h and a warm spare child.
     *
     * @return that isolation, to adjust with the {@code with…} methods
     */
    public static Isolation process() {
        return PROCESS;
    }

    /** {@return whether merges run in child processes} */
    public boolean isProcess() {
        return process;
    }

    /** {@return the child's {@code -Xmx} in bytes (default 512 MiB); FFmpeg's native buffers come on top of it} */
    public long maxHeapBytes() {
        return maxHeapBytes;
    }

    /** {@return the longest one merge may run in its child before the child is killed (default 2 h)} */
    public Duration timeout() {
        return timeout;
    }

    /** {@return extra options of the child's {@code java} command, after the ones videomerge sets (default none)} */
    public List<String> jvmOptions() {
        return jvmOptions;
    }

    /** {@return the {@code java} the child runs with; empty means this JVM's own (under {@code java.home})} */
    public Optional<Path> javaExecutable() {
        return javaExecutable;
    }

    /** {@return the child's class path; empty means this JVM's {@code java.class.path}} */
    public Optional<String> classPath() {
        return classPath;
    }

    /**
     * Whether a child is started ahead of need and waits, natives loaded, for the next merge (default true):
     * it takes the JVM start off each merge's time, at the price of one idle JVM (tens of MB).
     *
     * @return whether there is a warm spare child
     */
    public boolean warmSpare() {
        return warmSpare;
    }

    /**
     * {@return a copy with another heap cap for the child}
     *
     * @param bytes the child's {@code -Xmx} in bytes, at least 16 MiB
     * @throws IllegalArgumentException below 16 MiB
     */
    public Isolation withMaxHeapBytes(long bytes) {
        return new Isolation(process, bytes, timeout, jvmOptions, javaExecutable, classPath, warmSpare, mainClass);
    }

    /**
     * {@return a copy with another wall-clock budget per merge}
     *
     * @param budget the longest one merge may run in its child
     * @throws IllegalArgumentException when not positive
     */
    public Isolation withTimeout(Duration budget) {
        return new Isolation(
                process, maxHeapBytes, budget, jvmOptions, javaExecutable, classPath, warmSpare, mainClass);
    }

    /**
     * {@return a copy whose children get these extra JVM options}
     *
     * @param options options added after videomerge's own, for example {@code -XX:ActiveProcessorCount=2}
     */
    public Isolation withJvmOptions(List<String> options) {
        return new Isolation(process, maxHeapBytes, timeout, options, javaExecutable, classPath, warmSpare, mainClass);
    }

    /**
     * {@return a copy whose children run with this {@code java} executable}
     *
     * @param java the path of a {@code java} executable of Java 17 or later
     */
    public Isolation withJavaExecutable(Path java) {
        return new Isolation(
                process,
                maxHeapBytes,
                timeout,
                jvmOptions,
                Optional.of(requireNonNull(java, "java")),
                classPath,
                warmSpare,
                mainClass);
    }

    /**
     * {@return a copy whose children run with this class path}
     *
     * @param path a class path that holds videomerge and the FFmpeg natives
     */
    public Isolation withClassPath(String path) {
        return new Isolation(
                process,
                maxHeapBytes,
                timeout,
                jvmOptions,
                javaExecutable,
                Optional.of(requireNonNull(path, "path")),
                warmSpare,
                mainClass);
    }

    /**
     * {@return a copy with or without a warm spare child}
     *
     * @param spare whether a child is started ahead of need
     */
    public Isolation withWarmSpare(boolean spare) {
        return new Isolation(process, maxHeapBytes, timeout, jvmOptions, javaExecutable, classPath, spare, mainClass);
    }

    /** A copy whose children start {@code className} instead of videomerge's entry point: tests only. */
    Isolation withMainClass(String className) {
        return new Isolation(
                process,
                maxHeapBytes,
                timeout,
                jvmOptions,
                javaExecutable,
                classPath,
                warmSpare,
                Optional.of(className));
    }

    /** The child's entry point chosen by a test, empty for videomerge's own: read by the service's builder. */
    Optional<String> mainClass() {
        return mainClass;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Isolation other
                && process == other.process
                && maxHeapBytes == other.maxHeapBytes
                && timeout.equals(other.timeout)
                && jvmOptions.equals(other.jvmOptions)
                && javaExecutable.equals(other.javaExecutable)
                && classPath.equals(other.classPath)
                && warmSpare == other.warmSpare
                && mainClass.equals(other.mainClass);
    }

    @Override
    public int hashCode() {
        return java.util.Objects.hash(
                process, maxHeapBytes, timeout, jvmOptions, javaExecutable, classPath, warmSpare, mainClass);
    }

    @Override
    public String toString() {
        return process
                ? "Isolation[process, maxHeap=" + (maxHeapBytes >> 20) + " MiB, timeout=" + timeout + ", warmSpare="
                        + warmSpare + "]"
                : "Isolation[in-process]";
    }
}
