package io.videomerge.server;

import static org.junit.jupiter.api.Assertions.fail;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;

/**
 * A schema of its own in the test PostgreSQL ({@code VIDEOMERGE_TEST_POSTGRES_URL}, default the local {@code test}
 * database), for one test: {@link #url()} is a {@code --store} value whose connections work in it, and
 * {@link #close()} drops it with everything in it. When PostgreSQL does not answer the test fails, naming what to
 * start.
 */
final class TestPostgresSchema implements AutoCloseable {
    static final String URL_VARIABLE = "VIDEOMERGE_TEST_POSTGRES_URL";
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String baseUrl;
    private final String name;

    private TestPostgresSchema(String baseUrl, String name) {
        this.baseUrl = baseUrl;
        this.name = name;
    }

    /** Creates {@code <prefix>_<random>}. */
    static TestPostgresSchema create(String prefix) {
        String url = System.getenv(URL_VARIABLE);
        String baseUrl = url == null || url.isBlank() ? DEFAULT_URL : url;
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String name = prefix + "_" + HexFormat.of().formatHex(random);
        execute(baseUrl, "CREATE SCHEMA " + name);
        return new TestPostgresSchema(baseUrl, name);
    }

    /** A {@code jdbc:postgresql:} URL whose connections work in this schema. */
    String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    @Override
    public void close() {
        execute(baseUrl, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private static void execute(String url, String sql) {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            fail(
                    "PostgreSQL is not reachable at " + url + " (set " + URL_VARIABLE + ", or start it: see"
                            + " CONTRIBUTING.md)",
                    e);
        }
    }
}
