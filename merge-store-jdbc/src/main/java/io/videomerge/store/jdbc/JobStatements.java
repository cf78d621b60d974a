package io.videomerge.store.jdbc;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.regex.Pattern;

/**
 * The store's tables and every statement on them, for one dialect and table prefix.
 *
 * <p>Each state change is one conditional statement whose {@code WHERE} carries the precondition
 * (state, fencing token, lease expiry), so a change either happens whole or not at all without a
 * read-modify-write in between. Right-hand sides of {@code SET} see the row as it was before the
 * statement, which the {@code CASE} expressions rely on.
 */
final class JobStatements {
    /** The schema version this code writes; a database at a higher version is refused. */
    static final int SCHEMA_VERSION = 3;

    private static final Pattern PREFIX = Pattern.compile("[a-z_][a-z0-9_]{0,31}|");

    static final String COLUMNS =
            "id, state, request, principal, idempotency_key, request_fingerprint, attempt, max_attempts, not_before, "
                    + "lease_owner, lease_token, lease_expires_at, cancel_requested, progress, message, result, "
                    + "error_code, error_message, created_at, updated_at, finished_at, delivery_state, delivery_attempt,"
                    + " delivery_token, delivery_not_before";

    private static final String FINAL_STATES = "('COMPLETED', 'FAILED', 'CANCELLED')";
    private static final String FENCED = " WHERE id = :id AND lease_token = :token AND state = 'PROCESSING'";
    private static final String DROP_LEASE = "lease_owner = NULL, lease_expires_at = NULL, updated_at = :now";

    final String jobs;
    final String schemaVersion;
    final String selectVersion;
    final String insertVersion;
    final String insert;
    final String findById;
    final String findByKey;
    final String claimOne;
    final String nextClaimable;
    final String claimIfStillPending;
    final String renew;
    final String complete;
    final String failForGood;
    final String failOrRetry;
    final String release;
    final String requeueExpired;
    final String cancel;
    final String purgeFinished;
    final String countPending;
    final String claimDeliveryOne;
    final String nextDelivery;
    final String claimDeliveryIfStillDue;
    final String deliveryDone;
    final String retryDelivery;

    private final Dialect dialect;

    JobStatements(Dialect dialect, String prefix) {
        this.dialect = requireNonNull(dialect, "dialect");
        this.jobs = checkedPrefix(prefix) + "jobs";
        this.schemaVersion = prefix + "schema_version";

        selectVersion = "SELECT COALESCE(MAX(version), 0) FROM " + schemaVersion;
        insertVersion = "INSERT INTO " + schemaVersion + " (version, applied_at) VALUES (:version, :now)"
                + " ON CONFLICT DO NOTHING";

        insert = "INSERT INTO " + jobs + " (id, state, request, principal, idempotency_key, request_fingerprint,"
                + " attempt, max_attempts, not_before, lease_token, cancel_requested, progress, message, created_at,"
                + " updated_at, delivery_state, delivery_attempt, delivery_token, delivery_not_before) VALUES (:id,"
                + " 'PENDING', :request, :principal, :key, :fingerprint, 1, :maxAttempts, :now, 0, FALSE, 0, :message,"
                + " :now, :now, :deliveryState, 1, 0, :now)"
                + " ON CONFLICT DO NOTHING";
        findById = "SELECT " + COLUMNS + " FROM " + jobs + " WHERE id = :id";
        findByKey = "SELECT " + COLUMNS + " FROM " + jobs + " WHERE principal = :principal AND idempotency_key = :key";

        String readyOldestFirst = " FROM " + jobs + " WHERE state = 'PENDING' AND not_before <= :now"
                + " ORDER BY not_before, created_at, " + dialect.insertionOrder() + " LIMIT 1";
        String takeLease = "UPDATE " + jobs + " SET state = 'PROCESSING', lease_owner = :owner," + " lease_token = "
                + dialect.nextToken("lease_token")
                + ", lease_expires_at = :expiresAt, message = :message, updated_at = :now";
        claimOne = takeLease + dialect.withoutWaitingForDisk() + " WHERE id = (SELECT id" + readyOldestFirst
                + dialect.skipLocked() + ")" + " AND state = 'PENDING' RETURNING " + COLUMNS;
        nextClaimable = "SELECT id, lease_token" + readyOldestFirst;
        claimIfStillPending = takeLease + " WHERE id = :id AND state = 'PENDING' AND lease_token = :token";

        renew = "UPDATE " + jobs + " SET lease_expires_at = :expiresAt,"
                + " progress = CASE WHEN :progress > progress THEN :progress ELSE progress END,"
                + " message = :message, updated_at = :now" + dialect.withoutWaitingForDisk() + FENCED
                + " RETURNING cancel_requested";
        complete = "UPDATE " + jobs + " SET state = 'COMPLETED', result = :result, progress = 1, message = :message,"
                + " finished_at = :now, " + deliveryDueWhen("TRUE") + DROP_LEASE + FENCED;
        failForGood = "UPDATE " + jobs + " SET state = :finalState, error_code = :code, error_message = :error,"
                + " message = :error, finished_at = :now, " + deliveryDueWhen("TRUE") + DROP_LEASE + FENCED;
        String retry = "attempt < max_attempts AND NOT cancel_requested";
        failOrRetry = "UPDATE " + jobs + " SET"
                + " state = CASE WHEN " + retry + " THEN 'PENDING' ELSE :finalState END,"
                + " attempt = CASE WHEN " + retry + " THEN attempt + 1 ELSE attempt END,"
                + " not_before = CASE WHEN " + retry + " THEN :retryAt ELSE not_before END,"
                + " progress = CASE WHEN " + retry + " THEN 0 ELSE progress END,"
                + " finished_at = CASE WHEN " + retry + " THEN NULL ELSE :now END,"
                + deliveryDueWhen("NOT (" + retry + ")")
                + " error_code = :code, error_message = :error, message = :error, " + DROP_LEASE + FENCED;
        release = "UPDATE " + jobs + " SET"
                + " state = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE 'PENDING' END,"
                // Back in the queue at its original place: not_before = created_at puts it ahead of every
                // ready job created after it.
                + " not_before = CASE WHEN cancel_requested THEN not_before ELSE created_at END,"
                + " progress = CASE WHEN cancel_requested THEN progress ELSE 0 END,"
                + " error_code = CASE WHEN cancel_requested THEN 'CANCELLED' ELSE error_code END,"
                + " error_message = CASE WHEN cancel_requested THEN :cancelled ELSE error_message END,"
                + " message = CASE WHEN cancel_requested THEN :cancelled ELSE :released END,"
                + " finished_at = CASE WHEN cancel_requested THEN :now ELSE NULL END, "
                + deliveryDueWhen("cancel_requested") + DROP_LEASE + FENCED;
        String ends = "cancel_requested OR attempt >= max_attempts";
        requeueExpired = "UPDATE " + jobs + " SET"
                + " state = CASE WHEN cancel_requested THEN 'CANCELLED'"
                + " WHEN attempt >= max_attempts THEN 'FAILED' ELSE 'PENDING' END,"
                + " attempt = CASE WHEN " + ends + " THEN attempt ELSE attempt + 1 END,"
                + " not_before = CASE WHEN " + ends + " THEN not_before ELSE created_at END,"
                + " progress = CASE WHEN " + ends + " THEN progress ELSE 0 END,"
                + " error_code = CASE WHEN cancel_requested THEN 'CANCELLED'"
                + " WHEN attempt >= max_attempts THEN 'WORKER_LOST' ELSE error_code END,"
                + " error_message = CASE WHEN cancel_requested THEN :cancelled"
                + " WHEN attempt >= max_attempts THEN :lost ELSE error_message END,"
                + " message = CASE WHEN cancel_requested THEN :cancelled"
                + " WHEN attempt >= max_attempts THEN :lost ELSE :requeued END,"
                + " finished_at = CASE WHEN " + ends + " THEN :now ELSE NULL END, " + deliveryDueWhen(ends) + DROP_LEASE
                // Rows locked by a worker's own statement or another instance's requeue are skipped, not
                // waited on: two requeues taking locks in different orders would deadlock.
                + " WHERE id IN (SELECT id FROM " + jobs + " WHERE state = 'PROCESSING' AND lease_expires_at < :now"
                + dialect.skipLocked() + ")"
                + " AND state = 'PROCESSING' AND lease_expires_at < :now";
        cancel = "UPDATE " + jobs + " SET"
                + " state = CASE WHEN state = 'PENDING' THEN 'CANCELLED' ELSE state END,"
                + " cancel_requested = CASE WHEN state = 'PROCESSING' THEN TRUE ELSE cancel_requested END,"
                + " error_code = CASE WHEN state = 'PENDING' THEN 'CANCELLED' ELSE error_code END,"
                + " error_message = CASE WHEN state = 'PENDING' THEN :cancelled ELSE error_message END,"
                + " message = CASE WHEN state = 'PENDING' THEN :cancelled ELSE :cancelling END,"
                + " finished_at = CASE WHEN state = 'PENDING' THEN :now ELSE finished_at END,"
                + deliveryDueWhen("state = 'PENDING'")
                + " updated_at = :now"
                + " WHERE id = :id AND state IN ('PENDING', 'PROCESSING')";
        // The oldest finished first, each row deleted and returned by one statement only: concurrent
        // purges on PostgreSQL skip the rows another one has locked; SQLite runs one writer at a time.
        purgeFinished = "DELETE FROM " + jobs + " WHERE "
                + dialect.oneOf(
                        "id",
                        "SELECT id FROM " + jobs + " WHERE finished_at < :cutoff AND state IN " + FINAL_STATES
                                + " ORDER BY finished_at, " + dialect.insertionOrder() + " LIMIT :limit"
                                + dialect.skipLocked())
                + " RETURNING " + COLUMNS;
        // Answered from the claim index alone (a partial index on the pending rows), without reading a row.
        countPending = "SELECT COUNT(*) FROM " + jobs + " WHERE state = 'PENDING'";

        // Deliveries change the delivery columns only, never updated_at: a webhook attempt is not a change of the task.
        String dueOldestFirst = " FROM " + jobs + " WHERE delivery_state = 'DUE' AND delivery_not_before <= :now"
                + " ORDER BY delivery_not_before, " + dialect.insertionOrder() + " LIMIT 1";
        String takeDelivery = "UPDATE " + jobs + " SET delivery_token = " + dialect.nextToken("delivery_token")
                + ", delivery_not_before = :leaseEnd";
        claimDeliveryOne = takeDelivery + dialect.withoutWaitingForDisk() + " WHERE id = (SELECT id" + dueOldestFirst
                + dialect.skipLocked() + ")" + " AND delivery_state = 'DUE' AND delivery_not_before <= :now RETURNING "
                + COLUMNS;
        nextDelivery = "SELECT id, delivery_token" + dueOldestFirst;
        claimDeliveryIfStillDue = takeDelivery
                + " WHERE id = :id AND delivery_state = 'DUE' AND delivery_token = :token AND delivery_not_before <= :now";
        String claimed = " WHERE id = :id AND delivery_state = 'DUE' AND delivery_token = :token";
        deliveryDone = "UPDATE " + jobs + " SET delivery_state = 'DONE'" + claimed;
        retryDelivery =
                "UPDATE " + jobs + " SET delivery_attempt = delivery_attempt + 1, delivery_not_before = :at" + claimed;
    }

    /**
     * The {@code SET} items (each with its trailing comma) by which a change that ends the job when {@code ends}
     * holds, judged on the row as it was, makes a waiting delivery due at {@code :now}.
     */
    private static String deliveryDueWhen(String ends) {
        String due = "delivery_state = 'WAITING' AND (" + ends + ")";
        return " delivery_state = CASE WHEN " + due + " THEN 'DUE' ELSE delivery_state END,"
                + " delivery_not_before = CASE WHEN " + due + " THEN :now ELSE delivery_not_before END,";
    }

    /**
     * The statements that bring a database from version {@code version - 1} to {@code version}; each is
     * idempotent so that a migration cut short can simply run again.
     */
    List<String> migrationTo(int version) {
        return switch (version) {
            case 1 -> createTables();
            case 2 -> ownedTasks();
            case 3 -> webhookDeliveries();
            default -> throw new IllegalArgumentException("no migration to schema version " + version);
        };
    }

    /**
     * Version 2: each task records its principal and its request's fingerprint, and an idempotency key is unique
     * per principal. Rows from version 1 belong to the anonymous principal, under which they were submitted;
     * their fingerprint is left empty and computed from the stored request when read.
     */
    private List<String> ownedTasks() {
        return List.of(
                "ALTER TABLE " + jobs + " ADD COLUMN principal VARCHAR(128) NOT NULL DEFAULT 'anonymous'",
                "ALTER TABLE " + jobs + " ADD COLUMN request_fingerprint VARCHAR(64)",
                "DROP INDEX IF EXISTS " + jobs + "_idempotency_key",
                "CREATE UNIQUE INDEX IF NOT EXISTS " + jobs + "_principal_key ON " + jobs
                        + " (principal, idempotency_key) WHERE idempotency_key IS NOT NULL");
    }

    /**
     * Version 3: the webhook delivery of a job whose request has a callback URL ({@code delivery_state} NULL: none,
     * as for every row of version 2), and a partial index of the due deliveries in the order they are claimed.
     */
    private List<String> webhookDeliveries() {
        return List.of(
                "ALTER TABLE " + jobs + " ADD COLUMN delivery_state VARCHAR(8)"
                        + " CHECK (delivery_state IN ('WAITING', 'DUE', 'DONE'))",
                "ALTER TABLE " + jobs + " ADD COLUMN delivery_attempt INTEGER NOT NULL DEFAULT 1",
                "ALTER TABLE " + jobs + " ADD COLUMN delivery_token BIGINT NOT NULL DEFAULT 0",
                "ALTER TABLE " + jobs + " ADD COLUMN delivery_not_before BIGINT",
                "CREATE INDEX IF NOT EXISTS " + jobs + "_delivery ON " + jobs + " (delivery_not_before)"
                        + " WHERE delivery_state = 'DUE'");
    }

    private List<String> createTables() {
        return List.of(
                "CREATE TABLE IF NOT EXISTS " + jobs + " ("
                        + "id VARCHAR(36) NOT NULL PRIMARY KEY, "
                        + dialect.sequenceColumn()
                        + "state VARCHAR(16) NOT NULL CHECK (state IN ('PENDING', 'PROCESSING', "
                        + FINAL_STATES.substring(1)
                        + "), "
                        + "request TEXT NOT NULL, "
                        + "idempotency_key VARCHAR(255), "
                        + "attempt INTEGER NOT NULL, "
                        + "max_attempts INTEGER NOT NULL, "
                        + "not_before BIGINT NOT NULL, "
                        + "lease_owner VARCHAR(255), "
                        + "lease_token BIGINT NOT NULL, "
                        + "lease_expires_at BIGINT, "
                        + "cancel_requested " + dialect.booleanType() + " NOT NULL, "
                        + "progress " + dialect.doubleType() + " NOT NULL, "
                        + "message TEXT NOT NULL, "
                        + "result TEXT, "
                        + "error_code VARCHAR(32), "
                        + "error_message TEXT, "
                        + "created_at BIGINT NOT NULL, "
                        + "updated_at BIGINT NOT NULL, "
                        + "finished_at BIGINT)",
                // Partial indexes: a row is in an index only while a statement can look for it there,
                // so each state change writes fewer index entries.
                "CREATE UNIQUE INDEX IF NOT EXISTS " + jobs + "_idempotency_key ON " + jobs + " (idempotency_key)"
                        + " WHERE idempotency_key IS NOT NULL",
                // claim: ready pending jobs in the order they are handed out
                "CREATE INDEX IF NOT EXISTS " + jobs + "_claim ON " + jobs + " (not_before, created_at)"
                        + " WHERE state = 'PENDING'",
                // requeueExpired: processing jobs by lease expiry
                "CREATE INDEX IF NOT EXISTS " + jobs + "_lease ON " + jobs + " (lease_expires_at)"
                        + " WHERE state = 'PROCESSING'",
                // purgeFinished: only final jobs have a finish time
                "CREATE INDEX IF NOT EXISTS " + jobs + "_finished ON " + jobs + " (finished_at)"
                        + " WHERE finished_at IS NOT NULL");
    }

    /** The statement that creates the version table, run before anything else. */
    String createVersionTable() {
        return "CREATE TABLE IF NOT EXISTS " + schemaVersion
                + " (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)";
    }

    Dialect dialect() {
        return dialect;
    }

    /**
     * Returns {@code prefix} when it is a valid table prefix.
     *
     * @throws IllegalArgumentException when it is not
     */
    static String checkedPrefix(String prefix) {
        requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException(
                    "table prefix must be at most 32 lower-case letters, digits or underscores, not starting with a digit");
        }
        return prefix;
    }
}
