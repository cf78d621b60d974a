package io.videomerge.http;

import io.videomerge.NativeRuntime;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.runtime.ObjectMethods;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Releases, when its web application stops, what videomerge left in the JVM that holds the application's class
 * loader and that no owner can close: the thread of JavaCPP (the native bridge to FFmpeg) that frees collected
 * native memory, and, on JDK 17, the JDK's cache of the last record type whose {@code equals}, {@code hashCode} or
 * {@code toString} was made. Without it, a web application that carries videomerge in {@code WEB-INF/lib} leaves
 * its whole class loader behind at each redeployment. When JavaCPP is in the container's shared lib instead, it
 * belongs to no single application and this listener leaves it running.
 *
 * <p>The {@link io.videomerge.MergeService} is not released here: its owner closes it, and so the job store
 * and whatever else the owner built. Declare this listener before the application's own listener (first in
 * {@code web.xml}): the container stops listeners in the reverse order, so this one runs after the service is
 * closed. Native memory of pointers collected after it ran is not freed.
 *
 * <pre>{@code
 * <listener><listener-class>io.videomerge.http.MergeContextListener</listener-class></listener>
 * <listener><listener-class>com.example.MyMergeSetup</listener-class></listener>
 * }</pre>
 */
public final class MergeContextListener implements ServletContextListener {
    private static final Logger log = LoggerFactory.getLogger(MergeContextListener.class);
    /** The thread ends within one native free once interrupted; the bound only guards a stuck one. */
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);

    /** Called by the container, which creates the listener from its class name. */
    public MergeContextListener() {}

    @Override
    public void contextDestroyed(ServletContextEvent event) {
        ClassLoader application = event.getServletContext().getClassLoader();
        if (!NativeRuntime.release(application, STOP_TIMEOUT)) {
            log.warn(
                    "JavaCPP's deallocator thread did not stop within {}; the class loader of {} stays in memory",
                    STOP_TIMEOUT,
                    event.getServletContext().getContextPath().isEmpty()
                            ? "the root application"
                            : event.getServletContext().getContextPath());
        }
        forgetRecordTypes();
    }

    /**
     * On JDK 17, {@link ObjectMethods}, which makes every record's {@code equals}, {@code hashCode} and
     * {@code toString}, keeps in static method handles the last type it adapted them to (JDK-8078641, fixed in JDK
     * 18): a record of videomerge's, or of the application's, whose class loader then outlives the application.
     * Adapting them once more, to JDK types only, lets it go.
     */
    private static void forgetRecordTypes() {
        MethodHandle component = MethodHandles.identity(String.class);
        for (String method : List.of("equals", "hashCode", "toString")) {
            try {
                ObjectMethods.bootstrap(
                        MethodHandles.lookup(), method, MethodHandle.class, String.class, "value", component);
            } catch (VirtualMachineError e) {
                throw e;
            } catch (Throwable e) {
                // A later JDK that checks its arguments more strictly has no such cache to clear.
                log.debug("Could not reset the record methods' cache for {}: {}", method, e.toString());
            }
        }
    }
}
