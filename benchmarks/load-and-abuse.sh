#!/usr/bin/env bash
# Loads and abuses merge-server on loopback (io.videomerge.benchmarks.LoadAndAbuse) and writes the section
# "Load and abuse" of benchmarks/RESULTS.md and benchmarks/NOTES.md (NOTES.md keeps it across compare.sh runs).
#
#   benchmarks/load-and-abuse.sh                    # all five scenarios: 5-8 minutes on 2 cores with the build;
#                                                   # the scenarios' hard limits add up to 23 minutes
#   SCENARIOS=1,3 benchmarks/load-and-abuse.sh      # some of them
#   SKIP_BUILD=1 benchmarks/load-and-abuse.sh       # with the jars already in benchmarks/target, merge-server/target
#   WRITE=0 benchmarks/load-and-abuse.sh            # print the section, leave RESULTS.md and NOTES.md alone
#   MVN_FLAGS=-o benchmarks/load-and-abuse.sh       # build offline
#
# Each scenario starts its own merge-server (a separate process leading its own process group) and has a hard time
# limit; a server left by a killed run is stopped here on exit, and the tmpfs of scenario 5 is unmounted. Scenario 5
# needs root (it mounts a tmpfs of DISK_MIB, default 128, MiB as the server's data folder); without root it reports
# "not run".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

SCENARIOS=${SCENARIOS:-1,2,3,4,5}
WORK=${WORK:-$root/benchmarks/target/load-and-abuse}
DISK_MIB=${DISK_MIB:-128}
JAVA_OPTS=${JAVA_OPTS:--Xmx1g}
SERVER_JAR=$root/merge-server/target/merge-server.jar
BENCH_JAR=$root/benchmarks/target/benchmarks.jar
RESULTS=$root/benchmarks/RESULTS.md
NOTES=$root/benchmarks/NOTES.md
PIDS=$WORK/server.pids
DISK=$WORK/disk
BEGIN='<!-- load-and-abuse: begin -->'
END='<!-- load-and-abuse: end -->'

mounted=0
harness=
cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [ -n "$harness" ] && kill -0 "$harness" 2>/dev/null; then
    kill -TERM "$harness" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$harness" 2>/dev/null || break; sleep 1; done
    kill -KILL "$harness" 2>/dev/null || true
  fi
  # Each server leads its own process group (setsid): the group holds its isolated merge children too.
  if [ -f "$PIDS" ]; then
    while read -r pid; do
      [ -n "$pid" ] || continue
      kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    done < "$PIDS"
    sleep 2
    while read -r pid; do
      [ -n "$pid" ] || continue
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done < "$PIDS"
  fi
  if [ "$mounted" = 1 ]; then
    umount "$DISK" 2>/dev/null || umount -l "$DISK" 2>/dev/null || echo "could not unmount $DISK" >&2
  fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== building merge-server.jar and benchmarks.jar"
  mvn -q -B -ntp ${MVN_FLAGS:-} -pl benchmarks,merge-server -am package -Dmaven.test.skip=true
fi
[ -f "$SERVER_JAR" ] && [ -f "$BENCH_JAR" ] || { echo "missing $SERVER_JAR or $BENCH_JAR (drop SKIP_BUILD)" >&2; exit 1; }

mkdir -p "$WORK"
rm -f "$PIDS" "$WORK/load-and-abuse.md"
# 1,000 concurrent connections on each side, plus the jars and the clip server's.
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

disk_arg=
if [[ ",$SCENARIOS," == *,5,* ]]; then
  if [ "$(id -u)" = 0 ]; then
    mkdir -p "$DISK"
    if mountpoint -q "$DISK"; then umount "$DISK"; fi
    mount -t tmpfs -o "size=${DISK_MIB}m" tmpfs "$DISK"
    mounted=1
    disk_arg=$DISK
  else
    echo "== not root: scenario 5 (full disk) cannot mount its tmpfs and will report 'not run'"
  fi
fi

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if ! git -C "$root" diff --quiet HEAD 2>/dev/null; then commit="$commit (with uncommitted changes)"; fi
echo "== LoadAndAbuse, scenarios $SCENARIOS, work folder $WORK"
# In the background and waited for, so that the traps run on a signal while it runs.
# shellcheck disable=SC2086
java $JAVA_OPTS "-Dload.commit=$commit" -cp "$BENCH_JAR" io.videomerge.benchmarks.LoadAndAbuse \
  "$SERVER_JAR" "$WORK" "$SCENARIOS" "$disk_arg" &
harness=$!
wait "$harness"
harness=

section=$WORK/load-and-abuse.md
[ -f "$section" ] || { echo "no $section written" >&2; exit 1; }

# Replaces the marked section of a file, or appends it.
splice() {
  local file=$1 tmp
  tmp=$(mktemp)
  awk -v begin="$BEGIN" -v end="$END" -v section="$section" '
    function emit() { print begin; while ((getline line < section) > 0) print line; print end; done = 1 }
    $0 == begin { skipping = 1; emit(); next }
    $0 == end { skipping = 0; next }
    !skipping { print }
    END { if (!done) { print ""; emit() } }
  ' "$file" > "$tmp"
  mv "$tmp" "$file"
}

if [ "${WRITE:-1}" = 1 ]; then
  splice "$NOTES"
  splice "$RESULTS"
  echo "== wrote the section into $NOTES and $RESULTS"
else
  cat "$section"
fi
