package io.videomerge;

import io.videomerge.internal.isolate.ScriptedChild;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Test-jar access to what {@link Isolation} keeps from the public API: which entry point children start. Other
 * modules' tests use it to run a service whose children crash on purpose.
 */
public final class IsolationHooks {
    private IsolationHooks() {}

    /**
     * {@code isolation} with {@link ScriptedChild} as the children's entry point, marking each child that takes a
     * request in {@code markers}.
     */
    public static Isolation scripted(Isolation isolation, Path markers) {
        List<String> options = new ArrayList<>(isolation.jvmOptions());
        options.add("-D" + ScriptedChild.MARKERS + "=" + markers.toAbsolutePath());
        return isolation.withJvmOptions(options).withMainClass(ScriptedChild.class.getName());
    }
}
