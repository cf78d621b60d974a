package io.videomerge.server;

import static java.util.Objects.requireNonNull;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;

/**
 * The service's meters (the library's {@code videomerge.*} and the JVM's) in a Prometheus registry, served as
 * Prometheus text by {@link #servlet()} at {@value #PATH}: for the operators' scrapers, so not behind the API keys,
 * but behind a bearer token of its own when one is set.
 */
final class ServerMetrics implements AutoCloseable {
    static final String PATH = "/metrics";
    private static final String TEXT_FORMAT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    private final JvmGcMetrics gc = new JvmGcMetrics();
    private final Optional<String> token;

    private ServerMetrics(Optional<String> token) {
        this.token = requireNonNull(token, "token");
        new JvmMemoryMetrics().bindTo(registry);
        gc.bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
    }

    /** The meters {@code settings} ask for: none when metrics are off. */
    static Optional<ServerMetrics> open(ServerConfig.Observability settings) {
        return settings.metrics() ? Optional.of(new ServerMetrics(settings.metricsToken())) : Optional.empty();
    }

    /** The registry the merge service records to. */
    MeterRegistry registry() {
        return registry;
    }

    /** Answers GET with the Prometheus text of every meter; 401 without the token when one is set. */
    HttpServlet servlet() {
        return new HttpServlet() {
            private static final long serialVersionUID = 1L;

            @Override
            protected void doGet(HttpServletRequest request, HttpServletResponse response) throws IOException {
                if (!authorized(request.getHeader("Authorization"))) {
                    response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
                    response.setHeader("WWW-Authenticate", "Bearer realm=\"metrics\"");
                    response.setContentType("text/plain; charset=utf-8");
                    response.getWriter().write("a bearer token is required\n");
                    return;
                }
                response.setContentType(TEXT_FORMAT);
                response.setHeader("Cache-Control", "no-store");
                try (OutputStream out = response.getOutputStream()) {
                    registry.scrape(out, TEXT_FORMAT);
                }
            }
        };
    }

    /** Whether {@code authorization} carries the token (compared in constant time), or no token is set. */
    private boolean authorized(String authorization) {
        if (token.isEmpty()) {
            return true;
        }
        String prefix = "Bearer ";
        if (authorization == null || !authorization.regionMatches(true, 0, prefix, 0, prefix.length())) {
            return false;
        }
        byte[] given = authorization.substring(prefix.length()).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, token.get().getBytes(StandardCharsets.UTF_8));
    }

    @Override
    public void close() {
        gc.close();
        registry.close();
    }
}
