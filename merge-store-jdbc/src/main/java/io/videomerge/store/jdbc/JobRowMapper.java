package io.videomerge.store.jdbc;

import io.videomerge.ErrorCode;
import io.videomerge.MergeRequest;
import io.videomerge.Principal;
import io.videomerge.TaskId;
import io.videomerge.spi.Delivery;
import io.videomerge.spi.Job;
import io.videomerge.spi.JobCodec;
import io.videomerge.spi.JobError;
import io.videomerge.spi.JobState;
import io.videomerge.spi.Lease;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.StatementContext;

/** Reads a row of {@link JobStatements#COLUMNS} back into a {@link Job}. */
final class JobRowMapper implements RowMapper<Job> {
    static final JobRowMapper INSTANCE = new JobRowMapper();

    private JobRowMapper() {}

    @Override
    public Job map(ResultSet rs, StatementContext ctx) throws SQLException {
        TaskId id = new TaskId(rs.getString("id"));
        JobState state = JobState.valueOf(rs.getString("state"));
        Optional<Lease> lease = Optional.empty();
        String owner = rs.getString("lease_owner");
        Optional<Instant> leaseExpiry = instant(rs, "lease_expires_at");
        if (state == JobState.PROCESSING && owner != null && leaseExpiry.isPresent()) {
            lease = Optional.of(new Lease(id, owner, rs.getLong("lease_token"), leaseExpiry.get()));
        }
        String result = rs.getString("result");
        String errorCode = rs.getString("error_code");
        Optional<JobError> error = errorCode == null
                ? Optional.empty()
                : Optional.of(new JobError(ErrorCode.valueOf(errorCode), nonNull(rs.getString("error_message"))));
        MergeRequest request = JobCodec.readRequest(rs.getString("request"));
        String fingerprint = rs.getString("request_fingerprint");
        String deliveryState = rs.getString("delivery_state");
        Optional<Delivery> delivery = deliveryState == null
                ? Optional.empty()
                : Optional.of(new Delivery(
                        Delivery.State.valueOf(deliveryState),
                        rs.getInt("delivery_attempt"),
                        rs.getLong("delivery_token"),
                        Instant.ofEpochMilli(rs.getLong("delivery_not_before"))));
        return new Job(
                id,
                state,
                request,
                new Principal(rs.getString("principal")),
                Optional.ofNullable(rs.getString("idempotency_key")),
                fingerprint != null ? fingerprint : JobCodec.fingerprint(request),
                rs.getInt("attempt"),
                rs.getInt("max_attempts"),
                Instant.ofEpochMilli(rs.getLong("not_before")),
                lease,
                rs.getBoolean("cancel_requested"),
                rs.getDouble("progress"),
                nonNull(rs.getString("message")),
                result == null ? Optional.empty() : Optional.of(JobCodec.readResult(result)),
                error,
                Instant.ofEpochMilli(rs.getLong("created_at")),
                Instant.ofEpochMilli(rs.getLong("updated_at")),
                instant(rs, "finished_at"),
                delivery);
    }

    private static Optional<Instant> instant(ResultSet rs, String column) throws SQLException {
        long millis = rs.getLong(column);
        return rs.wasNull() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(millis));
    }

    private static String nonNull(String text) {
        return text == null ? "" : text;
    }
}
