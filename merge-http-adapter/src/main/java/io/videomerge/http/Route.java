package io.videomerge.http;

import java.util.List;
import java.util.Optional;

/**
 * Every endpoint the servlet answers, as paths relative to where it is mounted; the OpenAPI document
 * lists exactly these (a test holds the two together).
 */
enum Route {
    SUBMIT("/api/v1/merge", "POST", true),
    STATUS("/api/v1/merge/{task_id}/status", "GET", true),
    RESULT("/api/v1/merge/{task_id}/result", "GET", true),
    CANCEL("/api/v1/merge/{task_id}", "DELETE", true),
    HEALTH("/health", "GET", false),
    OPENAPI("/api/v1/openapi.json", "GET", false);

    static final String TASK_ID = "{task_id}";

    private final String template;
    private final String method;
    private final boolean authenticated;
    private final List<String> segments;

    Route(String template, String method, boolean authenticated) {
        this.template = template;
        this.method = method;
        this.authenticated = authenticated;
        this.segments = List.of(template.substring(1).split("/", -1));
    }

    String template() {
        return template;
    }

    String method() {
        return method;
    }

    boolean authenticated() {
        return authenticated;
    }

    /**
     * The path variable when {@code path} has this route's shape: empty text for a route without one,
     * the raw {@code {task_id}} segment otherwise (not yet checked to be an id's form).
     */
    Optional<String> match(String path) {
        if (path.isEmpty() || path.charAt(0) != '/') {
            return Optional.empty();
        }
        String[] parts = path.substring(1).split("/", -1);
        if (parts.length != segments.size()) {
            return Optional.empty();
        }
        String variable = "";
        for (int i = 0; i < parts.length; i++) {
            String expected = segments.get(i);
            if (expected.equals(TASK_ID)) {
                if (parts[i].isEmpty()) {
                    return Optional.empty();
                }
                variable = parts[i];
            } else if (!expected.equals(parts[i])) {
                return Optional.empty();
            }
        }
        return Optional.of(variable);
    }
}
