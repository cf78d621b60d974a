package io.videomerge.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.GroupPrincipal;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A PostgreSQL cluster of a test's own, made by {@code initdb} in a fresh temporary folder and run by the
 * {@code postgres} binary on a free loopback port, that the test may crash for real ({@link #crash}: SIGKILL of the
 * postmaster and of every process of the cluster at once) and start again ({@link #start}: crash recovery).
 *
 * <p>Binaries come from {@code /usr/lib/postgresql/<newest version>/bin} (Debian's layout), or from the folder named by
 * the environment variable {@value #BIN_VARIABLE}. PostgreSQL refuses to run as root; under root, every binary runs as
 * the {@code postgres} user through {@code setpriv} (which execs, so the started process is the postmaster itself), and
 * the folder is handed to that user. Without the binaries, {@link #create} fails with what to install: tests that need
 * a cluster never skip. Connections need no password ({@code trust}) and are made as the user {@code postgres}.
 */
public final class PostgresCluster implements AutoCloseable {
    /** The environment variable that may name the folder of {@code initdb}, {@code postgres} and {@code pg_isready}. */
    public static final String BIN_VARIABLE = "VIDEOMERGE_POSTGRES_BIN";

    private static final Path DEBIAN_ROOT = Path.of("/usr/lib/postgresql");
    private static final String RUN_AS = "postgres";
    private static final Duration DEADLINE = Duration.ofSeconds(60);

    private final Path bin;
    private final Path folder;
    private final Path data;
    private final int port;
    private final List<String> settings;
    private final boolean root;
    private Process postmaster;

    private PostgresCluster(Path bin, Path folder, int port, List<String> settings, boolean root) {
        this.bin = bin;
        this.folder = folder;
        this.data = folder.resolve("data");
        this.port = port;
        this.settings = settings;
        this.root = root;
    }

    /**
     * Makes a new cluster with {@code initdb} in a new temporary folder, not yet started.
     *
     * @param settings server settings given to every start, each {@code name=value} (passed as {@code -c})
     * @return the cluster
     * @throws IllegalStateException when the PostgreSQL binaries are missing or {@code initdb} fails
     */
    public static PostgresCluster create(String... settings) {
        Path bin = binaries();
        boolean root = "root".equals(System.getProperty("user.name"));
        try {
            Path folder = Files.createTempDirectory("videomerge-pg-");
            if (root) {
                handTo(folder, RUN_AS);
            }
            PostgresCluster cluster = new PostgresCluster(bin, folder, freePort(), List.of(settings), root);
            cluster.run(
                    "initdb",
                    List.of(
                            "-D",
                            cluster.data.toString(),
                            "-U",
                            "postgres",
                            "-A",
                            "trust",
                            "-E",
                            "UTF8",
                            "--no-sync",
                            "--no-instructions"),
                    folder.resolve("initdb.log"));
            return cluster;
        } catch (IOException e) {
            throw new UncheckedIOException("the cluster's folder could not be made", e);
        }
    }

    /** The folder of the PostgreSQL binaries, or a failure that says what to install. */
    private static Path binaries() {
        String configured = System.getenv(BIN_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            return checkedBinaries(Path.of(configured));
        }
        if (Files.isDirectory(DEBIAN_ROOT)) {
            try (Stream<Path> versions = Files.list(DEBIAN_ROOT)) {
                Optional<Path> newest = versions.filter(v -> Files.isExecutable(v.resolve("bin/initdb")))
                        .max(Comparator.comparingLong(
                                v -> versionKey(v.getFileName().toString())));
                if (newest.isPresent()) {
                    return checkedBinaries(newest.get().resolve("bin"));
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        throw new IllegalStateException("no PostgreSQL server binaries (initdb, postgres) in " + DEBIAN_ROOT
                + "/<version>/bin: install them (Debian: apt-get install postgresql) or name their folder in "
                + BIN_VARIABLE);
    }

    private static Path checkedBinaries(Path bin) {
        for (String tool : List.of("initdb", "postgres", "pg_isready")) {
            if (!Files.isExecutable(bin.resolve(tool))) {
                throw new IllegalStateException(bin.resolve(tool) + " is missing: install the PostgreSQL server"
                        + " (Debian: apt-get install postgresql) or name the folder of its binaries in "
                        + BIN_VARIABLE);
            }
        }
        return bin;
    }

    private static long versionKey(String version) {
        try {
            return Long.parseLong(version.replaceAll("\\D.*", ""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /**
     * Starts the server (after a {@link #crash}, PostgreSQL recovers from its WAL first) and returns once it accepts
     * connections.
     *
     * @return this cluster
     * @throws IllegalStateException when the server exits or does not accept connections within a minute
     */
    public PostgresCluster start() {
        if (postmaster != null && postmaster.isAlive()) {
            throw new IllegalStateException("the cluster is running");
        }
        List<String> arguments = new ArrayList<>(List.of(
                "-D",
                data.toString(),
                "-p",
                Integer.toString(port),
                "-c",
                "listen_addresses=127.0.0.1",
                "-c",
                "unix_socket_directories=" + folder));
        for (String setting : settings) {
            arguments.add("-c");
            arguments.add(setting);
        }
        try {
            postmaster = new ProcessBuilder(command("postgres", arguments))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log().toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("postgres could not be started", e);
        }
        Instant deadline = Instant.now().plus(DEADLINE);
        while (!acceptsConnections()) {
            if (!postmaster.isAlive()) {
                throw new IllegalStateException("postgres exited at start (exit " + postmaster.exitValue() + "); see "
                        + log() + ":\n" + tail());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException(
                        "postgres did not accept connections within " + DEADLINE + "; see " + log() + ":\n" + tail());
            }
            // A pause between polls; the server's answer, not the pause, is what is waited for.
            LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
        }
        return this;
    }

    /**
     * Crashes the server the way a power cut of the database machine's processes would: SIGKILL to the postmaster and
     * to every process of the cluster, with no checkpoint and no flush of anything still in shared memory (WAL
     * buffers included); returns once all of them are gone. The data folder stays as the crash left it.
     *
     * @throws IllegalStateException when the server is not running or a process does not die
     */
    public void crash() {
        if (postmaster == null || !postmaster.isAlive()) {
            throw new IllegalStateException("the cluster is not running");
        }
        // Taken before the kill: once the postmaster is gone its children are re-parented and can no longer be found.
        List<ProcessHandle> processes = new ArrayList<>(postmaster.descendants().toList());
        processes.add(0, postmaster.toHandle());
        processes.forEach(ProcessHandle::destroyForcibly);
        for (ProcessHandle process : processes) {
            try {
                process.onExit().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
            } catch (Exception e) {
                throw new IllegalStateException("process " + process.pid() + " of the cluster did not die", e);
            }
        }
    }

    /**
     * Pauses (SIGSTOP) the WAL writer, the background process that writes asynchronously committed transactions to the
     * WAL file. Until the next {@link #crash}, such a commit reaches the file only when a later synchronous commit
     * flushes the WAL: the worst case of {@code synchronous_commit = off}, made certain instead of likely.
     *
     * @throws IllegalStateException when the server is not running or has no WAL writer
     */
    public void pauseWalWriter() {
        if (postmaster == null || !postmaster.isAlive()) {
            throw new IllegalStateException("the cluster is not running");
        }
        ProcessHandle walWriter = postmaster
                .children()
                .filter(child -> commandLine(child).startsWith("postgres: walwriter"))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("the cluster has no WAL writer process"));
        try {
            Process kill = new ProcessBuilder("kill", "-STOP", Long.toString(walWriter.pid()))
                    .redirectErrorStream(true)
                    .start();
            if (!kill.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IllegalStateException("kill -STOP " + walWriter.pid() + " failed");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** {@return the JDBC URL of the database {@code postgres} as the user {@code postgres}} */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    /** {@return the port the server listens on, on 127.0.0.1} */
    public int port() {
        return port;
    }

    /** {@return the server's log, kept across starts} */
    public Path log() {
        return folder.resolve("postgres.log");
    }

    /** Kills the server if it runs and deletes its folder. */
    @Override
    public void close() {
        if (postmaster != null && postmaster.isAlive()) {
            crash();
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the cluster's folder " + folder + " could not be deleted", e);
        }
    }

    @Override
    public String toString() {
        return "PostgresCluster[" + jdbcUrl() + ", " + folder + "]";
    }

    private boolean acceptsConnections() {
        try {
            Process ready = new ProcessBuilder(command(
                            "pg_isready",
                            List.of("-q", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "postgres")))
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .start();
            return ready.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS) && ready.exitValue() == 0;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private void run(String tool, List<String> arguments, Path output) throws IOException {
        Process process = new ProcessBuilder(command(tool, arguments))
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        try {
            if (!process.waitFor(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException(tool + " did not finish within " + DEADLINE);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(tool + " failed (exit " + process.exitValue() + "):\n"
                    + Files.readString(output, StandardCharsets.UTF_8));
        }
    }

    private List<String> command(String tool, List<String> arguments) {
        List<String> command = new ArrayList<>();
        if (root) {
            // PostgreSQL refuses root. setpriv execs the binary (runuser and su fork and wait), so the process this JVM
            // starts is the postmaster itself, and a kill of it is a kill of the server.
            command.addAll(
                    List.of("setpriv", "--reuid=" + RUN_AS, "--regid=" + RUN_AS, "--init-groups", "--reset-env", "--"));
        }
        command.add(bin.resolve(tool).toString());
        command.addAll(arguments);
        return command;
    }

    private String tail() {
        try {
            List<String> lines = Files.readAllLines(log(), StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
        } catch (IOException e) {
            return "(the log could not be read: " + e + ")";
        }
    }

    private static String commandLine(ProcessHandle process) {
        // The process title PostgreSQL sets ("postgres: walwriter") is in /proc, not in ProcessHandle.Info.
        try {
            byte[] raw = Files.readAllBytes(Path.of("/proc", Long.toString(process.pid()), "cmdline"));
            return new String(raw, StandardCharsets.UTF_8).replace('\0', ' ').trim();
        } catch (IOException e) {
            return "";
        }
    }

    private static void handTo(Path folder, String user) throws IOException {
        UserPrincipalLookupService users = folder.getFileSystem().getUserPrincipalLookupService();
        PosixFileAttributeView view = Files.getFileAttributeView(folder, PosixFileAttributeView.class);
        try {
            view.setOwner(users.lookupPrincipalByName(user));
            GroupPrincipal group = users.lookupPrincipalByGroupName(user);
            view.setGroup(group);
        } catch (IOException e) {
            throw new IllegalStateException(
                    "running as root, the cluster runs as the user " + user
                            + ", which does not exist here: install the PostgreSQL server (Debian: apt-get install postgresql),"
                            + " which creates it",
                    e);
        }
        view.setPermissions(PosixFilePermissions.fromString("rwx------"));
    }

    /** A port free now; the server binds it a moment later (a clash there fails the start, loudly). */
    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
