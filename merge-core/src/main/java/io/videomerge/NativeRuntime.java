package io.videomerge;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.Pointer;

/**
 * What the native side of videomerge (JavaCPP, which loads FFmpeg) leaves running in a class loader, and its
 * release when that class loader's application stops.
 *
 * <p>The first use of FFmpeg starts JavaCPP's "JavaCPP Deallocator" thread, which frees the native memory of
 * garbage-collected pointers and never ends by itself. When JavaCPP was loaded by an application's own class
 * loader (a web application with JavaCPP in {@code WEB-INF/lib}), that thread's class holds the loader, and with
 * it every class and native library the application loaded, for as long as the JVM runs; as the thread has no
 * context class loader, a servlet container does not see it as the application's and warns of nothing.
 */
public final class NativeRuntime {
    private static final String DEALLOCATOR = Pointer.class.getName() + "$DeallocatorThread";

    private NativeRuntime() {}

    /**
     * Ends JavaCPP's deallocator thread and frees the native memory of the pointers already collected, if this
     * JavaCPP belongs to {@code application} (was loaded by it or by a loader below it), waiting up to
     * {@code timeout} for the thread to end. Leaves everything as it is when JavaCPP is shared with other
     * applications (loaded above {@code application}) or was never used (the thread was never started, and this
     * does not start it). Call it when the application stops, after the last {@link io.videomerge.MergeService}
     * of the application is closed: native memory of pointers collected afterwards is no longer freed.
     *
     * @param application the class loader of the application that stops
     * @param timeout     how long to wait for the thread to end
     * @return whether no deallocator thread of {@code application}'s is left running (false: the wait timed out,
     *     or the calling thread was interrupted, whose flag is then set again)
     */
    public static boolean release(ClassLoader application, Duration timeout) {
        requireNonNull(application, "application");
        requireNonNull(timeout, "timeout");
        if (!belongsTo(Pointer.class.getClassLoader(), application)) {
            return true;
        }
        Optional<Thread> deallocator = deallocatorThread();
        if (deallocator.isEmpty()) {
            return true;
        }
        // The thread exists, so Pointer is initialised already: this call loads nothing.
        Pointer.interruptDeallocatorThread();
        Thread thread = deallocator.get();
        try {
            TimeUnit.NANOSECONDS.timedJoin(thread, timeout.toNanos());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            return false;
        }
        Pointer.deallocateReferences();
        return true;
    }

    /** Whether {@code loader} is {@code application} or one of its descendants, so that it goes away with it. */
    private static boolean belongsTo(ClassLoader loader, ClassLoader application) {
        for (ClassLoader l = loader; l != null; l = l.getParent()) {
            if (l == application) {
                return true;
            }
        }
        return false;
    }

    /** This JavaCPP's deallocator thread, if {@link Pointer} was initialised and the thread still runs. */
    private static Optional<Thread> deallocatorThread() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getClass().getName().equals(DEALLOCATOR)
                        && t.getClass().getClassLoader() == Pointer.class.getClassLoader())
                .findFirst();
    }
}
