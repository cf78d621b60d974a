package io.videomerge.internal.job;

import io.videomerge.spi.Job;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.MDC;

/**
 * The job a thread works for, in the SLF4J MDC, so that every log line written meanwhile (down to the downloader's
 * and the encoder's) names it: {@value #TASK_ID}, {@value #PRINCIPAL} and, once the job is claimed,
 * {@value #ATTEMPT}. {@link #close()} puts back what the keys held before, so a context may be entered on a thread
 * that has MDC values of its own (a servlet's).
 */
public final class JobContext implements AutoCloseable {
    /** The task's id. */
    public static final String TASK_ID = "task_id";
    /** The id of the principal that submitted the task. */
    public static final String PRINCIPAL = "principal";
    /** The number of the attempt running (1 for the first). */
    public static final String ATTEMPT = "attempt";

    private final Map<String, String> before = new LinkedHashMap<>();

    private JobContext() {}

    /** Enters the context of a job that is not running: its task id and principal. */
    static JobContext of(Job job) {
        JobContext context = new JobContext();
        context.put(TASK_ID, job.id().value());
        context.put(PRINCIPAL, job.principal().id());
        return context;
    }

    /** Enters the context of a claimed job: its task id, principal and attempt. */
    static JobContext running(Job job) {
        JobContext context = of(job);
        context.put(ATTEMPT, Integer.toString(job.attempt()));
        return context;
    }

    private void put(String key, String value) {
        before.put(key, MDC.get(key));
        MDC.put(key, value);
    }

    /** Restores the keys to what they held before this context was entered. */
    @Override
    public void close() {
        before.forEach((key, value) -> {
            if (value == null) {
                MDC.remove(key);
            } else {
                MDC.put(key, value);
            }
        });
    }
}
