package io.videomerge.store.jdbc;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HexFormat;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.postgresql.ds.PGPoolingDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * A fresh schema {@code vm_test_<random>} in the test PostgreSQL, made the current schema of every
 * connection opened through it, and dropped with everything in it on {@link #close()}.
 */
final class PostgresSchema implements AutoCloseable {
    static final String URL_VARIABLE = "VIDEOMERGE_TEST_POSTGRES_URL";
    static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:5432/test?user=postgres";

    private final String baseUrl;
    private final String name;
    private final PGPoolingDataSource pool;

    @SuppressWarnings("deprecation") // the driver's own small pool keeps tests from opening a connection per call
    private PostgresSchema(String baseUrl, String name) {
        this.baseUrl = baseUrl;
        this.name = name;
        this.pool = new PGPoolingDataSource();
        pool.setDataSourceName(name);
        pool.setURL(url());
        pool.setMaxConnections(16);
    }

    /** Creates the schema; fails with what to start when PostgreSQL does not answer. */
    static PostgresSchema create() {
        String baseUrl = baseUrl();
        byte[] random = new byte[6];
        new SecureRandom().nextBytes(random);
        String name = "vm_test_" + HexFormat.of().formatHex(random);
        execute(baseUrl, "CREATE SCHEMA " + name);
        return new PostgresSchema(baseUrl, name);
    }

    /** The test database's URL without a schema, from {@value #URL_VARIABLE} or its default. */
    static String baseUrl() {
        String url = System.getenv(URL_VARIABLE);
        return url == null || url.isBlank() ? DEFAULT_URL : url;
    }

    String name() {
        return name;
    }

    /** A JDBC URL whose connections work in this schema. */
    String url() {
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + name;
    }

    /** A Jdbi on a small pool of connections to this schema. */
    Jdbi jdbi() {
        return Jdbi.create(pool);
    }

    /** The driver's own (non-pooling) data source, on this schema. */
    DataSource dataSource() {
        PGSimpleDataSource dataSource = new PGSimpleDataSource();
        dataSource.setURL(url());
        return dataSource;
    }

    @Override
    @SuppressWarnings("deprecation")
    public void close() {
        pool.close();
        execute(baseUrl, "DROP SCHEMA IF EXISTS " + name + " CASCADE");
    }

    private static void execute(String url, String sql) {
        try (Connection connection = DriverManager.getConnection(url);
                Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(
                    "PostgreSQL is not reachable through " + URL_VARIABLE + " (default " + DEFAULT_URL
                            + "); start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
                    e);
        }
    }
}
