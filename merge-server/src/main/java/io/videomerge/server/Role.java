package io.videomerge.server;

import java.util.Locale;

/**
 * What one merge-server process does. A single process is {@link #ALL}; to scale out, processes of the {@link #API}
 * and {@link #WORKER} roles share one job store (PostgreSQL or Redis) and one files folder, and each tier grows on
 * its own: the API by requests, the workers by merges.
 */
enum Role {
    /** The HTTP API, the merges and the merged files under {@code /files/}, on one port. */
    ALL("the HTTP API, merges and /files/"),
    /**
     * The HTTP API and the merged files under {@code /files/}; no merges: tasks are recorded for the workers, and
     * their outcomes read from the store.
     */
    API("the HTTP API and /files/, no merges"),
    /** Merges only; the port answers {@code GET /health} and nothing else. */
    WORKER("merges only, GET /health on this port");

    private final String description;

    Role(String description) {
        this.description = description;
    }

    /** The role a {@code --role} value names: {@code all}, {@code api} or {@code worker}. */
    static Role parse(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "all", "" -> ALL;
            case "api" -> API;
            case "worker" -> WORKER;
            default -> throw new IllegalArgumentException("role must be all, api or worker: " + value);
        };
    }

    /** Whether this process claims and runs merges. */
    boolean merges() {
        return this != API;
    }

    /** Whether this process serves the HTTP API and the merged files. */
    boolean servesApi() {
        return this != WORKER;
    }

    /** What a process of this role does, for the log. */
    String description() {
        return description;
    }

    /** The {@code --role} value. */
    String flagValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
