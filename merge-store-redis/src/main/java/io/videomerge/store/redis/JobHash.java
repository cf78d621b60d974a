package io.videomerge.store.redis;

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
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads the hash in which a job lives. Field names are short because every job carries them:
 * {@code state, req, pr, ik, fp, att, max, nb, own, tok, exp, cr, prog, msg, res, ec, em, ca, ua, fa}, the
 * webhook delivery's {@code ds, da, dt, dn} (state, attempt, token, not-before; absent without a callback URL), and
 * {@code qm}, the job's member in the ready set. Times are epoch milliseconds. Jobs written before principals
 * existed have no {@code pr} (they belong to the anonymous principal) and no {@code fp} (computed when read).
 */
final class JobHash {
    private JobHash() {}

    /** The job a script returned as the flat field/value list of HGETALL; empty for an empty list. */
    static Optional<Job> fromReply(List<Object> reply) {
        Map<String, String> fields = new HashMap<>();
        for (int i = 0; i + 1 < reply.size(); i += 2) {
            fields.put((String) reply.get(i), (String) reply.get(i + 1));
        }
        return fromFields(fields);
    }

    /** The job HGETALL returned; empty for a missing key. */
    static Optional<Job> fromFields(Map<String, String> h) {
        if (h.isEmpty()) {
            return Optional.empty();
        }
        TaskId id = new TaskId(h.get("id"));
        JobState state = JobState.valueOf(h.get("state"));
        Optional<Lease> lease = state == JobState.PROCESSING
                ? Optional.of(new Lease(id, h.get("own"), Long.parseLong(h.get("tok")), instant(h.get("exp"))))
                : Optional.empty();
        Optional<JobError> error = Optional.ofNullable(h.get("ec"))
                .map(code -> new JobError(ErrorCode.valueOf(code), h.getOrDefault("em", "")));
        MergeRequest request = JobCodec.readRequest(h.get("req"));
        return Optional.of(new Job(
                id,
                state,
                request,
                Optional.ofNullable(h.get("pr")).map(Principal::new).orElse(Principal.ANONYMOUS),
                Optional.ofNullable(h.get("ik")),
                Optional.ofNullable(h.get("fp")).orElseGet(() -> JobCodec.fingerprint(request)),
                Integer.parseInt(h.get("att")),
                Integer.parseInt(h.get("max")),
                instant(h.get("nb")),
                lease,
                "1".equals(h.get("cr")),
                Double.parseDouble(h.get("prog")),
                h.getOrDefault("msg", ""),
                Optional.ofNullable(h.get("res")).map(JobCodec::readResult),
                error,
                instant(h.get("ca")),
                instant(h.get("ua")),
                Optional.ofNullable(h.get("fa")).map(JobHash::instant),
                Optional.ofNullable(h.get("ds"))
                        .map(delivery -> new Delivery(
                                Delivery.State.valueOf(delivery),
                                Integer.parseInt(h.get("da")),
                                Long.parseLong(h.get("dt")),
                                instant(h.get("dn"))))));
    }

    private static Instant instant(String millis) {
        return Instant.ofEpochMilli(Long.parseLong(millis));
    }
}
