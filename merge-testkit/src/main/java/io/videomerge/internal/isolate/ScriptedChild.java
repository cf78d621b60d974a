package io.videomerge.internal.isolate;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.bytedeco.javacpp.Pointer;

/**
 * A child entry point for tests of isolation: a real {@link ChildMain}, except that an input whose bytes start
 * with {@link #CRASH} makes it dereference a bogus address through JavaCPP (a real SIGSEGV in native code),
 * {@link #OOM} makes it exhaust its heap, and {@link #HANG} makes it wait forever. With the system property
 * {@value #MARKERS} set, it writes a file {@code child-PID} into that folder once it has accepted a request.
 */
public final class ScriptedChild {
    public static final String CRASH = "CRASH";
    public static final String OOM = "OOM";
    public static final String HANG = "HANG";
    public static final String MARKERS = "videomerge.test.markers";

    private ScriptedChild() {}

    public static void main(String[] args) {
        ChildMain.run(args, (request, observer) -> {
            mark();
            for (int i = 0; i < request.inputs().size(); i++) {
                String head = head(request.inputs().get(i));
                if (head.startsWith(CRASH) || head.startsWith(OOM) || head.startsWith(HANG)) {
                    observer.input(i);
                }
                if (head.startsWith(CRASH)) {
                    segfault();
                } else if (head.startsWith(OOM)) {
                    exhaustHeap();
                } else if (head.startsWith(HANG)) {
                    hang();
                }
            }
        });
    }

    /** The pids of the children that accepted a request, in the order they did. */
    public static List<Long> markedPids(Path markers) throws IOException {
        List<Long> pids = new ArrayList<>();
        if (!Files.isDirectory(markers)) {
            return pids;
        }
        try (var files = Files.list(markers)) {
            files.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("child-"))
                    .sorted()
                    .forEach(n -> pids.add(Long.parseLong(n.substring("child-".length()))));
        }
        return pids;
    }

    private static void mark() {
        String folder = System.getProperty(MARKERS);
        if (folder != null) {
            try {
                Files.createDirectories(Path.of(folder));
                Files.writeString(
                        Path.of(folder, "child-" + ProcessHandle.current().pid()), "");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }

    private static String head(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readNBytes(8), StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void segfault() {
        Pointer bogus = new Pointer() {
            {
                address = 16;
            }
        };
        Pointer.memset(bogus, 0, 64);
    }

    private static void exhaustHeap() {
        List<long[]> hoard = new ArrayList<>();
        while (true) {
            hoard.add(new long[1 << 20]);
        }
    }

    private static void hang() {
        try {
            new CountDownLatch(1).await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
