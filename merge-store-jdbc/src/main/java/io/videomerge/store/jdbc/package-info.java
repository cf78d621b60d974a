/**
 * A {@link io.videomerge.spi.JobStore} on a relational database through Jdbi:
 * {@link io.videomerge.store.jdbc.JdbcJobStore} keeps jobs in PostgreSQL, shared by any number of
 * instances, or in an SQLite file used by one process.
 *
 * <p>The store ships no connection pool and no JDBC driver: the application passes a
 * {@link javax.sql.DataSource} (typically a pool of its choice) or a configured {@link org.jdbi.v3.core.Jdbi}.
 */
package io.videomerge.store.jdbc;
