package io.videomerge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The package structure of merge-core, read from its compiled classes with the JDK's {@code jdeps}: no package
 * cycle, except the one documented link by which the public builder creates the implementation; Micrometer, an
 * optional dependency, named only where a meter registry is taken and used.
 */
@DisplayName("merge-core's packages")
class PackageCyclesTest {
    /** The one class of the public API allowed to name internal types: it builds the implementation. */
    private static final String BUILDER = "io.videomerge.MergeService$Builder";

    private static final Pattern EDGE = Pattern.compile("^\\s+(io\\.videomerge\\S*)\\s+->\\s+(io\\.videomerge\\S*)\\s");
    private static final Pattern MICROMETER_EDGE =
            Pattern.compile("^\\s+(io\\.videomerge\\S*)\\s+->\\s+io\\.micrometer\\.");

    /** The one package whose classes use Micrometer: loaded only when the builder was given a registry. */
    private static final String METRICS = "io.videomerge.internal.metrics";

    /** Class-level dependencies inside io.videomerge: from class to the classes it uses. */
    private static Map<String, Set<String>> classes;

    /** The classes of merge-core that name a Micrometer type. */
    private static Set<String> micrometerUsers;

    @BeforeAll
    static void readDependencies() throws URISyntaxException {
        Path compiled = Path.of(MergeService.class
                .getProtectionDomain()
                .getCodeSource()
                .getLocation()
                .toURI());
        ToolProvider jdeps =
                ToolProvider.findFirst("jdeps").orElseThrow(() -> new AssertionError("this JDK has no jdeps tool"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = jdeps.run(
                new PrintWriter(out), new PrintWriter(err), "-verbose:class", "-filter:none", compiled.toString());
        assertEquals(0, status, err.toString());
        classes = new TreeMap<>();
        micrometerUsers = new TreeSet<>();
        for (String line : out.toString().split("\n")) {
            Matcher m = EDGE.matcher(line);
            if (m.find()) {
                classes.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(m.group(2));
            }
            Matcher micrometer = MICROMETER_EDGE.matcher(line);
            if (micrometer.find()) {
                micrometerUsers.add(micrometer.group(1));
            }
        }
        assertTrue(classes.size() > 50, "jdeps listed too few classes: " + classes.size());
    }

    @Test
    @DisplayName("have no cycle once the builder's link to the implementation is set aside")
    void noCycleButTheBuilderLink() {
        Map<String, Set<String>> packages = new TreeMap<>();
        classes.forEach((from, targets) -> {
            if (isBuilder(from)) {
                return;
            }
            for (String to : targets) {
                if (!packageOf(from).equals(packageOf(to))) {
                    packages.computeIfAbsent(packageOf(from), k -> new TreeSet<>())
                            .add(packageOf(to));
                }
            }
        });
        List<List<String>> cycles =
                stronglyConnected(packages).stream().filter(c -> c.size() > 1).toList();
        assertEquals(List.of(), cycles, "package cycles: " + packages);
    }

    @Test
    @DisplayName("let only the builder reach from the public API into internal packages")
    void onlyTheBuilderReachesInternals() {
        Set<String> offenders = new TreeSet<>();
        classes.forEach((from, targets) -> {
            boolean api =
                    packageOf(from).equals("io.videomerge") || packageOf(from).equals("io.videomerge.spi");
            if (api && !isBuilder(from)) {
                targets.stream()
                        .filter(to -> to.startsWith("io.videomerge.internal"))
                        .forEach(to -> offenders.add(from + " -> " + to));
            }
        });
        assertEquals(Set.of(), offenders);
        assertTrue(
                classes.get(BUILDER).stream().anyMatch(to -> to.startsWith("io.videomerge.internal.")),
                "control: the builder does build the implementation");
    }

    @Test
    @DisplayName("name Micrometer, an optional dependency, only in the metrics package and the builder's method")
    void onlyTheMetricsPackageUsesMicrometer() {
        Set<String> offenders = new TreeSet<>();
        for (String user : micrometerUsers) {
            if (!packageOf(user).equals(METRICS) && !user.equals(BUILDER)) {
                offenders.add(user);
            }
        }
        assertEquals(Set.of(), offenders);
        assertTrue(
                micrometerUsers.stream().anyMatch(user -> packageOf(user).equals(METRICS)),
                "control: the metrics package does use Micrometer");
    }

    /** Whether {@code className} is the builder or a class nested in it (its lambdas). */
    private static boolean isBuilder(String className) {
        return className.equals(BUILDER) || className.startsWith(BUILDER + "$");
    }

    private static String packageOf(String className) {
        return className.substring(0, className.lastIndexOf('.'));
    }

    /** Tarjan's strongly connected components of a directed graph. */
    private static List<List<String>> stronglyConnected(Map<String, Set<String>> graph) {
        Map<String, Integer> index = new HashMap<>();
        Map<String, Integer> low = new HashMap<>();
        Deque<String> stack = new ArrayDeque<>();
        Set<String> onStack = new TreeSet<>();
        List<List<String>> components = new ArrayList<>();
        int[] counter = {0};
        Set<String> nodes = new TreeSet<>(graph.keySet());
        graph.values().forEach(nodes::addAll);
        for (String node : nodes) {
            if (!index.containsKey(node)) {
                connect(node, graph, index, low, stack, onStack, components, counter);
            }
        }
        return components;
    }

    private static void connect(
            String v,
            Map<String, Set<String>> graph,
            Map<String, Integer> index,
            Map<String, Integer> low,
            Deque<String> stack,
            Set<String> onStack,
            List<List<String>> components,
            int[] counter) {
        index.put(v, counter[0]);
        low.put(v, counter[0]);
        counter[0]++;
        stack.push(v);
        onStack.add(v);
        for (String w : graph.getOrDefault(v, Set.of())) {
            if (!index.containsKey(w)) {
                connect(w, graph, index, low, stack, onStack, components, counter);
                low.put(v, Math.min(low.get(v), low.get(w)));
            } else if (onStack.contains(w)) {
                low.put(v, Math.min(low.get(v), index.get(w)));
            }
        }
        if (low.get(v).equals(index.get(v))) {
            List<String> component = new ArrayList<>();
            String w;
            do {
                w = stack.pop();
                onStack.remove(w);
                component.add(w);
            } while (!w.equals(v));
            components.add(component);
        }
    }
}
