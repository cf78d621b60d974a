#!/usr/bin/env bash
# JdbcJobStore's PostgreSQL round trips (create → claim → complete) against pgbench running the store's own three
# statements, in one run, on the test PostgreSQL (VIDEOMERGE_TEST_POSTGRES_URL, default
# jdbc:postgresql://127.0.0.1:5432/test?user=postgres):
#
#   store_jobs_per_s                 JdbcStoreRoundTripBenchmark (JMH), engine postgresql, THREADS threads
#   pgbench_durable_jobs_per_s       pgbench, THREADS clients, one job per script run: the store's create, claim and
#                                    complete as three transactions that each wait for the WAL flush: the ceiling of
#                                    three durable commits per job (what the store did before claims were asynchronous)
#   pgbench_claim_async_jobs_per_s   the same with the claim as the store now sends it (one statement that turns
#                                    synchronous_commit off for itself): the ceiling of the store's current protocol
#   ratio                            store / pgbench durable, the median of the rounds' ratios (the target is 1.3 or
#                                    more)
#
# The statements are captured from the store as it runs (io.videomerge.benchmarks.PgbenchScripts), so they follow the
# code. Everything runs ROUNDS times (pgbench durable, store, pgbench claim-async, in that order each round) and the
# medians are printed last, as name=value lines for benchmarks/compare.sh. The scratch schemas are dropped at the end.
#
#   benchmarks/pg-commits.sh                      # builds the benchmarks jar first
#   SKIP_BUILD=1 ROUNDS=3 benchmarks/pg-commits.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

ROUNDS=${ROUNDS:-1}
THREADS=${THREADS:-8}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-20}
URL=${VIDEOMERGE_TEST_POSTGRES_URL:-jdbc:postgresql://127.0.0.1:5432/test?user=postgres}
JAR=$root/benchmarks/target/benchmarks.jar
JAVA_OPTS=${JAVA_OPTS:--Xmx512m}

pgbin=${VIDEOMERGE_POSTGRES_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
[[ -x $pgbin/pgbench && -x $pgbin/psql ]] || {
  echo "pgbench and psql are missing: install them (Debian: apt-get install postgresql-client postgresql-contrib," \
    "or postgresql) or set VIDEOMERGE_POSTGRES_BIN" >&2
  exit 1
}

# jdbc:postgresql://HOST:PORT/DB?user=USER → libpq's variables, for pgbench and psql.
hostport=${URL#jdbc:postgresql://}; hostport=${hostport%%/*}
db=${URL#jdbc:postgresql://*/}; db=${db%%\?*}
export PGHOST=${hostport%%:*}
export PGPORT=5432; [[ $hostport == *:* ]] && PGPORT=${hostport##*:}
export PGDATABASE=$db
PGUSER=postgres; [[ $URL =~ [?\&]user=([^\&]+) ]] && PGUSER=${BASH_REMATCH[1]}
export PGUSER
[[ $URL =~ [?\&]password=([^\&]+) ]] && export PGPASSWORD=${BASH_REMATCH[1]}

if [[ -z ${SKIP_BUILD:-} ]]; then
  mvn -q -B -ntp -o ${MVN_FLAGS:-} -pl benchmarks -am package -DskipTests
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/pg-commits.XXXXXX")
schema=vm_pgbench_$(od -An -N6 -tx1 /dev/urandom | tr -d ' \n')
cleanup() {
  "$pgbin/psql" -qAt -v ON_ERROR_STOP=1 -c "DROP SCHEMA IF EXISTS $schema CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

"$pgbin/psql" -qAt -v ON_ERROR_STOP=1 -c "CREATE SCHEMA $schema" >/dev/null
sep='?'; [[ $URL == *\?* ]] && sep='&'
java $JAVA_OPTS -cp "$JAR" io.videomerge.benchmarks.PgbenchScripts "$URL${sep}currentSchema=$schema" "$work"
defines=()
while IFS= read -r line; do defines+=(-D "$line"); done < "$work/variables"

wal_syncs() { "$pgbin/psql" -qAt -v ON_ERROR_STOP=1 -c "SELECT wal_sync FROM pg_stat_wal"; }
completed() { "$pgbin/psql" -qAt -v ON_ERROR_STOP=1 -c "SELECT count(*) FROM $schema.videomerge_jobs WHERE state = 'COMPLETED'"; }

# pgbench SCRIPT → jobs completed per second, the run's output kept in $work. A script run is one job unless its claim
# found every ready job locked by other claimers at that instant (then it completes nothing): tps is scaled by the
# jobs completed per script run.
pgbench_jobs() {
  local script=$1 out=$work/pgbench-$1-$round.txt before syncs
  before=$(completed); syncs=$(wal_syncs)
  PGOPTIONS="-c search_path=$schema" "$pgbin/pgbench" -n -M prepared -c "$THREADS" -j "$THREADS" \
    -T "$SECONDS_PER_RUN" "${defines[@]}" -f "$work/$script.sql" >"$out" 2>&1 || {
    cat "$out" >&2; echo "pgbench failed" >&2; exit 1; }
  if grep -q "aborted" "$out"; then cat "$out" >&2; echo "pgbench: a client aborted" >&2; exit 1; fi
  # WAL flushes per job: what asynchronous claims save. The server's counter is shared with whatever else runs on it.
  awk -v done="$(( $(completed) - before ))" -v syncs="$(( $(wal_syncs) - syncs ))" -v name="$script" '
    /^number of transactions actually processed:/ { runs = $NF }
    /^tps = / { tps = $3 }
    END {
      printf "pgbench %s: %d jobs, %.2f WAL flushes per job\n", name, done, syncs / done > "/dev/stderr"
      printf "%.1f\n", tps * done / runs
    }' "$out"
}

# The store through JMH: THREADS workers, each submit → claim → complete with a connection of its own.
store_jobs() {
  local csv=$work/jmh-$round.csv
  java $JAVA_OPTS -jar "$JAR" JdbcStoreRoundTripBenchmark -p engine=postgresql -t "$THREADS" -f 1 \
    -wi 2 -w 5s -i 3 -r "$(( SECONDS_PER_RUN / 3 ))s" -rf csv -rff "$csv" >"$work/jmh-$round.txt" 2>&1 || {
    cat "$work/jmh-$round.txt" >&2; echo "JMH failed" >&2; exit 1; }
  awk -F, 'NR == 2 { print $5 }' "$csv"
}

median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }

echo "PostgreSQL $PGHOST:$PGPORT/$PGDATABASE, schema $schema; $THREADS clients/threads; $ROUNDS round(s)" >&2
echo "load before: $(cat /proc/loadavg)" >&2
durable=() store=() async=() ratios=()
for round in $(seq 1 "$ROUNDS"); do
  durable+=("$(pgbench_jobs durable)")
  store+=("$(store_jobs)")
  async+=("$(pgbench_jobs store)")
  ratios+=("$(awk -v s="${store[-1]}" -v d="${durable[-1]}" 'BEGIN { printf "%.3f", s / d }')")
  echo "round $round: pgbench durable ${durable[-1]}, store ${store[-1]}, pgbench claim-async ${async[-1]} jobs/s;" \
    "store/durable ${ratios[-1]}; load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
done
d=$(echo "${durable[*]}" | median)
s=$(echo "${store[*]}" | median)
a=$(echo "${async[*]}" | median)
# The ratio of each round (its three runs follow each other within a minute and a half), then their median: on a
# shared machine the load drifts between rounds more than within one.
ratio=$(echo "${ratios[*]}" | median | awk '{ printf "%.2f", $1 }')
async_ratio=$(awk -v s="$s" -v a="$a" 'BEGIN { printf "%.2f", s / a }')
echo "load after: $(cat /proc/loadavg)" >&2
echo "The store ran $s jobs/s; pgbench with the store's three statements as three durable commits $d jobs/s" \
  "(ratio $ratio, target 1.3), with the claim asynchronous as the store sends it $a jobs/s (the store reaches" \
  "$async_ratio of that). Medians of $ROUNDS round(s); the ratio is the median of the rounds' ratios."
printf 'store_jobs_per_s=%.1f\npgbench_durable_jobs_per_s=%.1f\npgbench_claim_async_jobs_per_s=%.1f\nratio=%s\n' \
  "$s" "$d" "$a" "$ratio"
