package io.videomerge.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalLong;

/** The memory fields of Linux's {@code /proc/PID/status}, for the benchmarks that watch a process's resident set. */
final class ProcStatus {
    private ProcStatus() {}

    /**
     * The {@code kB} field {@code field} (such as {@code VmRSS} or {@code VmHWM}) of process {@code pid}; empty when
     * its status has no such line (an exiting process has no {@code VmHWM} any more).
     *
     * @throws IOException when the status cannot be read (the process is gone, or this is not Linux)
     */
    static OptionalLong kib(long pid, String field) throws IOException {
        String prefix = field + ":";
        for (String line : Files.readAllLines(Path.of("/proc/" + pid + "/status"))) {
            if (line.startsWith(prefix)) {
                return OptionalLong.of(Long.parseLong(line.replaceAll("[^0-9]", "")));
            }
        }
        return OptionalLong.empty();
    }

    /** {@link #kib} of this process, which must have the field. */
    static long selfKib(String field) throws IOException {
        return kib(ProcessHandle.current().pid(), field)
                .orElseThrow(() -> new IllegalStateException("no " + field + " in /proc/self/status"));
    }
}
