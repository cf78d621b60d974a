package io.videomerge.benchmarks;

import io.videomerge.MergeRequest;
import io.videomerge.MergeResult;
import io.videomerge.TaskId;
import io.videomerge.spi.JobCodec;
import io.videomerge.spi.JobMessages;
import io.videomerge.spi.Lease;
import io.videomerge.spi.NewJob;
import io.videomerge.store.jdbc.JdbcJobStore;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.SqlLogger;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.StatementContext;

/**
 * Writes pgbench scripts that send exactly the SQL that {@link JdbcJobStore} sends for one job (create, claim,
 * complete), captured from the store itself as it runs that job on PostgreSQL: whatever the store's statements become,
 * the scripts follow. Used by {@code benchmarks/pg-commits.sh}:
 *
 * <pre>
 * java -cp benchmarks.jar io.videomerge.benchmarks.PgbenchScripts JDBC_URL_OF_A_SCRATCH_SCHEMA OUTPUT_FOLDER
 * </pre>
 *
 * <p>The store creates its tables in the schema (the one the URL's {@code currentSchema} names) and runs one job
 * through them; the folder receives {@code durable.sql} (the three statements as three transactions that each wait
 * for the disk: the store before claims were asynchronous, i.e. its claim without the clause that turns
 * {@code synchronous_commit} off), {@code store.sql} (each of the three as the store sends it now) and
 * {@code variables}, one
 * {@code -D name=value} argument of pgbench per line. Each script run creates a job with a new id, claims the oldest
 * ready one and completes it.
 */
public final class PgbenchScripts {
    private static final MergeRequest REQUEST =
            MergeRequest.of(List.of(URI.create("https://example.com/a.mp4"), URI.create("https://example.com/b.mp4")));
    private static final MergeResult RESULT =
            new MergeResult(URI.create("https://cdn.example.com/out.mp4"), 10, Duration.ofMillis(1), 2, false);
    private static final Duration LEASE = Duration.ofMinutes(5);
    private static final Pattern PARAMETER = Pattern.compile("(?<!:):([A-Za-z][A-Za-z0-9_]*)");
    private static final Pattern ASYNCHRONOUS =
            Pattern.compile(" FROM \\(SELECT set_config\\('synchronous_commit', 'off', true\\)\\) AS \\w+");

    private PgbenchScripts() {}

    /**
     * Captures the store's statements and writes the scripts.
     *
     * @param args the JDBC URL of a scratch schema, and the output folder
     * @throws Exception when the database or the folder fails
     */
    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            throw new IllegalArgumentException("usage: PgbenchScripts JDBC_URL OUTPUT_FOLDER");
        }
        Path folder = Files.createDirectories(Path.of(args[1]));
        try (Connection connection = DriverManager.getConnection(args[0])) {
            write(capture(connection), folder);
        }
    }

    /** What the store sent for create, claim and complete of one job: statement lists in order. */
    private record Captured(List<String> create, List<String> claim, List<String> complete) {}

    private static Captured capture(Connection connection) throws SQLException {
        List<String> sent = new ArrayList<>();
        Jdbi jdbi = Jdbi.create(connection);
        jdbi.getConfig(SqlStatements.class).setSqlLogger(new SqlLogger() {
            @Override
            public void logBeforeExecution(StatementContext context) {
                sent.add(context.getRenderedSql());
            }
        });
        JdbcJobStore store = JdbcJobStore.builder(jdbi).build();
        store.countPending(); // the tables, before anything is captured
        sent.clear();
        store.create(new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3));
        List<String> create = List.copyOf(sent);
        sent.clear();
        Lease lease = store.claim("bench", LEASE).orElseThrow().lease().orElseThrow();
        List<String> claim = List.copyOf(sent);
        sent.clear();
        if (!store.complete(lease, RESULT)) {
            throw new IllegalStateException("the captured job could not be completed");
        }
        List<String> complete = List.copyOf(sent);
        return new Captured(create, claim, complete);
    }

    private static void write(Captured captured, Path folder) throws IOException {
        String create = single(captured.create(), "create");
        String complete = single(captured.complete(), "complete");
        String claim = captured.claim().stream()
                .filter(sql -> sql.startsWith("UPDATE"))
                .reduce((a, b) -> {
                    throw new IllegalStateException("the claim sent two updates: " + captured.claim());
                })
                .orElseThrow(() -> new IllegalStateException("the claim sent no update: " + captured.claim()));
        // The claim as it was before it stopped waiting for the disk: without the FROM item that sets
        // synchronous_commit off for its own transaction.
        Matcher asynchronous = ASYNCHRONOUS.matcher(claim);
        if (!asynchronous.find()) {
            throw new IllegalStateException("the claim does not turn synchronous_commit off: " + claim);
        }
        String durableClaim = asynchronous.replaceFirst("");

        long now = Instant.now().toEpochMilli();
        // Values as the store binds them; messages differ per statement, so each statement gets its own names.
        Map<String, String> values = new LinkedHashMap<>();
        values.put("request", JobCodec.writeRequest(REQUEST));
        values.put(
                "principal",
                new NewJob(TaskId.random(), REQUEST, Optional.empty(), 3)
                        .principal()
                        .id());
        values.put("fingerprint", JobCodec.fingerprint(REQUEST));
        values.put("maxAttempts", "3");
        values.put("now", Long.toString(now));
        values.put("create_message", JobMessages.QUEUED);
        values.put("owner", "bench");
        values.put("expiresAt", Long.toString(now + LEASE.toMillis()));
        values.put("claim_message", JobMessages.PROCESSING);
        values.put("result", JobCodec.writeResult(RESULT));
        values.put("complete_message", JobMessages.COMPLETED);
        // What the complete sees before the client's first claim that found a job: no job.
        values.put("c_id", "none");
        values.put("c_lease_token", "0");

        // The create's id is new per job; key and delivery state are NULL (no key, no callback), as the store binds
        // them.
        String createSql = rename(create, Map.of("message", ":create_message", "key", "NULL", "deliveryState", "NULL"));
        // \aset, not \gset: a claim that finds nothing (every ready job locked by other claimers at that instant)
        // must not abort the client. The complete then finds the previous job already completed and changes nothing,
        // and the job stays queued for a later claim; pg-commits.sh counts the jobs completed, not the script runs.
        String claimSql = rename(claim, Map.of("message", ":claim_message")) + " \\aset c_";
        String durableClaimSql = rename(durableClaim, Map.of("message", ":claim_message")) + " \\aset c_";
        String completeSql =
                rename(complete, Map.of("message", ":complete_message", "id", ":c_id", "token", ":c_lease_token"));
        for (String sql : List.of(createSql, claimSql, completeSql)) {
            Matcher names = PARAMETER.matcher(sql);
            while (names.find()) {
                String name = names.group(1);
                if (!name.equals("id") && !name.startsWith("c_") && !values.containsKey(name)) {
                    throw new IllegalStateException(
                            "the store binds :" + name + ", which this class has no value for: " + sql);
                }
            }
        }
        String newId = "\\set id random(1, 9000000000000000000)\n";
        Files.writeString(
                folder.resolve("durable.sql"),
                newId + createSql + ";\n" + durableClaimSql + "\n" + completeSql + ";\n",
                StandardCharsets.UTF_8);
        Files.writeString(
                folder.resolve("store.sql"),
                newId + createSql + ";\n" + claimSql + "\n" + completeSql + ";\n",
                StandardCharsets.UTF_8);
        StringBuilder variables = new StringBuilder();
        values.forEach((name, value) ->
                variables.append(name).append('=').append(value).append('\n'));
        Files.writeString(folder.resolve("variables"), variables.toString(), StandardCharsets.UTF_8);
    }

    private static String single(List<String> statements, String what) {
        if (statements.size() != 1) {
            throw new IllegalStateException(what + " sent " + statements.size() + " statements: " + statements);
        }
        return statements.get(0);
    }

    /** Replaces the parameters {@code :name} of {@code sql} named in {@code replacements}; pgbench sees the rest as is. */
    private static String rename(String sql, Map<String, String> replacements) {
        Matcher parameter = PARAMETER.matcher(sql);
        StringBuilder out = new StringBuilder();
        while (parameter.find()) {
            String replacement = replacements.getOrDefault(parameter.group(1), parameter.group());
            parameter.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        parameter.appendTail(out);
        // pgbench reads a statement per line.
        return out.toString().replace('\n', ' ');
    }
}
