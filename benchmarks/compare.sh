#!/usr/bin/env bash
# Times videomerge against the ffmpeg CLI on the same files, in one run, and writes benchmarks/RESULTS.md.
#
#   benchmarks/compare.sh                  # full run (about 20 minutes on 2 quiet cores)
#   RUNS=1 benchmarks/compare.sh           # one timed run per case (a quick look)
#   RENDER_ONLY=1 benchmarks/compare.sh    # rewrite RESULTS.md from the last run's measurements
#                                          # (after editing benchmarks/NOTES.md); measures nothing
#   SECTIONS="postgres soak" benchmarks/compare.sh
#                                          # measure only those sections, keep the others' last figures
#
# Sections (SECTIONS, default all of them, in this order): media (the library against the CLI), speeds (each
# encoder speed), memory (peak RSS by clip count, merge-to-merge growth in one JVM, an isolated child's peak),
# postgres (benchmarks/pg-commits.sh: the store against pgbench), soak (300 merges through merge-server, RSS slope).
#
# The corpus is made with the Debian ffmpeg CLI (installed if missing). The library is built with the GPL
# natives (-Pgpl) so that both sides encode with libx264 at the same settings; the library runs in a warm
# JVM (WARMUPS merges first, then RUNS timed merges in the same process), the CLI as a fresh process per
# run, as it is used. benchmarks/NOTES.md, when present, is appended to RESULTS.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

RUNS=${RUNS:-3}
WARMUPS=${WARMUPS:-1}
WORK=${WORK:-$root/benchmarks/target/compare}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC}
# What the engine uses for Quality 720 with libx264 at its default speed, fast: preset veryfast and CRF 23 for a
# short side up to 720 (22 up to 1080, 21 above). The speed setting (MergeService.Builder.speed, a request's
# "speed", merge-server --speed) changes them: balanced is preset faster at CRF 24, small preset slow at CRF 25
# (at 720p; VideoEncoding has the table). The equal-settings rows below compare at fast.
X264_PRESET=${X264_PRESET:-veryfast}
X264_CRF=${X264_CRF:-23}
# The old service's settings, for its own graph.
OLD_PRESET=medium
OLD_CRF=23
# What the old service took for its graph on 6 identical 10 s 720p clips on this machine (issue 8).
OLD_SERVICE_SECONDS=55
OLD_SERVICE_RSS_MIB=1024

RESULTS=$root/benchmarks/RESULTS.md
NOTES=$root/benchmarks/NOTES.md
MEASURED=$WORK/measured.tsv
SIZES=$WORK/sizes.tsv
COMMANDS=$WORK/commands-media.txt
ALL_SECTIONS="media speeds memory postgres soak"
SECTIONS=${SECTIONS:-$ALL_SECTIONS}
SOAK_MERGES=${SOAK_MERGES:-300}
GROWTH_MERGES=${GROWTH_MERGES:-40}
# The stream copies take under a second each: more runs than the re-encodes can afford, so the median means something.
COPY_RUNS=${COPY_RUNS:-9}
# What merge-server puts in each merge child's environment, and the README's "Memory" section asks of a JVM that
# merges in-process: glibc reads them only when a process starts.
MALLOC_SETTINGS="MALLOC_ARENA_MAX=2 MALLOC_MMAP_THRESHOLD_=131072"
JAR=$root/benchmarks/target/benchmarks.jar
corpus=$WORK/corpus

# ---------------------------------------------------------------------------------------------------------
# Rendering: reads $MEASURED (name, median wall s, peak RSS KiB, note) and $COMMANDS, writes $RESULTS.

declare -A WALL RSS NOTE BYTES

render() {
  # A section never measured has no figures: they render as empty cells or "n/a", not as an error.
  set +u
  local name wall rss note bytes
  while IFS=$'\t' read -r name wall rss note; do
    WALL[$name]=$wall; RSS[$name]=$rss; NOTE[$name]=$note
  done < <(cat "$MEASURED" 2>/dev/null)
  if [ -f "$SIZES" ]; then
    while IFS=$'\t' read -r name bytes; do BYTES[$name]=$bytes; done < "$SIZES"
  fi
  # shellcheck source=/dev/null
  source "$WORK/run.env"
  # kv SECTION KEY: a value a section's tool printed as KEY=VALUE ($WORK/kv-SECTION.txt), n/a when not measured.
  kv() { local v; v=$(sed -n "s/^$2=//p" "$WORK/kv-$1.txt" 2>/dev/null | tail -n 1); echo "${v:-n/a}"; }
  # at_least VALUE LIMIT: "met" or "missed" for a figure that must reach LIMIT.
  at_least() {
    awk -v r="$1" -v t="$2" 'BEGIN {
      if (r == "n/a") { print "not measured"; exit }
      if (r >= t) print "met"; else printf "**missed** by %.2f (%.0f %% under)\n", t - r, (1 - r / t) * 100 }'
  }

  ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else print "n/a" }'; }
  mib() { awk -v k="$1" 'BEGIN { printf "%.0f", k / 1024 }'; }
  # verdict VALUE LIMIT [UNIT]: "met" or "missed by X UNIT (Y %)"
  verdict() {
    awk -v r="$1" -v t="$2" -v u="${3:-}" 'BEGIN {
      if (r == "n/a") { print "not measured"; exit }
      if (r <= t) print "met"; else printf "**missed** by %.2f%s (%.0f %% over)\n", r - t, u, (r / t - 1) * 100 }'
  }

  local r_copy r_cut r_fade r_mixed r_old_eq r_old_med r_mem r_old55
  r_copy=$(ratio "${WALL[lib_copy6]}" "${WALL[cli_copy6]}")
  r_cut=$(ratio "${WALL[lib_cut6]}" "${WALL[cli_cut6]}")
  local r_copy_np r_cut_np
  r_copy_np=$(ratio "${WALL[lib_copy6_noposter]}" "${WALL[cli_copy6]}")
  r_cut_np=$(ratio "${WALL[lib_cut6_noposter]}" "${WALL[cli_cut6]}")
  r_fade=$(ratio "${WALL[lib_fade6]}" "${WALL[cli_fade6]}")
  r_mixed=$(ratio "${WALL[lib_mixed]}" "${WALL[cli_mixed]}")
  r_old_med=$(ratio "${WALL[lib_fade6]}" "${WALL[old_fade6]}")
  r_old55=$(ratio "${WALL[lib_fade6]}" "$OLD_SERVICE_SECONDS")
  r_mem=$(ratio "${RSS[lib_fade10]}" "${RSS[lib_fade2]}")
  local rss_fade6_mib; rss_fade6_mib=$(mib "${RSS[lib_fade6]}")
  mb() { awk -v b="${1:-}" 'BEGIN { if (b > 0) printf "%.2f", b / 1e6; else print "n/a" }'; }
  local r_bal_time r_bal_size
  r_bal_time=$(ratio "${WALL[lib_fade6_balanced]:-0}" "${WALL[old_fade6]:-0}")
  r_bal_size=$(ratio "${BYTES[lib_fade6_balanced]:-0}" "${BYTES[old_fade6]:-0}")

  {
    cat <<MD
# videomerge against the ffmpeg CLI

Written by \`benchmarks/compare.sh\` — do not edit by hand (edit \`benchmarks/NOTES.md\` and run
\`RENDER_ONLY=1 benchmarks/compare.sh\` to refresh the notes without measuring again).

- Measured: $RUN_DATE, $RUN_SECONDS s for the whole run (sections measured: $RUN_SECTIONS; any other section's
  figures are from an earlier run).
- Machine: $MACHINE.
- CLI: $CLI_VERSION, a fresh process per run; median of $RUNS run(s).
- Library: videomerge $LIB_COMMIT on FFmpeg 8.1.2 natives via JavaCV 1.5.14, GPL build (H.264 encoder in use:
  \`$LIB_ENCODER\`), $JAVA_VERSION, JVM options \`$JAVA_OPTS\`. One JVM per case: $WARMUPS warm-up merge(s), then
  the median of $RUNS timed merge(s). Each merge is the whole of \`MergeService.merge\`: downloading the inputs over
  loopback HTTP, probing, merging, probing the output, the poster frame (a JPEG of the frame at 1 s, on by default;
  the \`--no-poster\` rows leave it out) and "uploading" both (a copy into a folder).
- Encoder settings: libx264 preset $X264_PRESET CRF $X264_CRF on both sides (what the engine uses for Quality 720
  at its default speed, fast), AAC 128k stereo, \`+faststart\`; the old service's graph ran at preset
  $OLD_PRESET CRF $OLD_CRF; the speeds' own rows say theirs.
- Peak RSS: the largest resident set of the whole process (\`/usr/bin/time -f %M\`), the JVM's own included, over
  all of its merges (warm-up included).
- Corpus (made by the CLI): \`same\` = one 10 s 1280x720 30 fps testsrc2 clip (H.264 yuv420p, AAC stereo 48 kHz)
  under 10 names; \`mono\` = the same picture with mono audio (one difference that rules the stream copy out, so
  the library re-encodes a hard-cut merge); \`mixed\` = 5 s each of 1920x1080 30 fps, 720x1280 24 fps, 640x480
  25 fps without audio, 640x360 VP9/Opus WebM, 1280x720 with 90° rotation, 1280x720 with mono 22.05 kHz audio.

## Wall time

| case | library (s) | CLI (s) | ratio | target | result |
|---|---|---|---|---|---|
| stream copy, 6 × \`same\`, cut (CLI: concat demuxer \`-c copy\`; medians of $COPY_RUNS, library after 3 warm-ups) | ${WALL[lib_copy6]} | ${WALL[cli_copy6]} | $r_copy | ≤ 1.3 | $(verdict "$r_copy" 1.3) |
| re-encode, 6 × \`mono\`, cut (CLI: scale/pad/fps + concat filter) | ${WALL[lib_cut6]} | ${WALL[cli_cut6]} | $r_cut | ≤ 1.0 | $(verdict "$r_cut" 1.0) |
| stream copy as above, the library without its poster frame (\`--no-poster\`: the CLI makes none) | ${WALL[lib_copy6_noposter]} | ${WALL[cli_copy6]} | $r_copy_np | ≤ 1.3 | $(verdict "$r_copy_np" 1.3) |
| re-encode with cuts as above, the library without its poster frame | ${WALL[lib_cut6_noposter]} | ${WALL[cli_cut6]} | $r_cut_np | ≤ 1.0 | $(verdict "$r_cut_np" 1.0) |
| re-encode, 6 × \`same\`, 0.5 s fades (CLI: the old service's xfade + acrossfade graph), equal encoder settings | ${WALL[lib_fade6]} | ${WALL[cli_fade6]} | $r_fade | ≤ 1.05; and ≤ 1.0 ("at least as fast as the old graph at equal settings") | $(verdict "$r_fade" 1.05); $(verdict "$r_fade" 1.0) |
| re-encode, \`mixed\` (6 clips), 0.5 s fades (CLI: old graph, same settings) | ${WALL[lib_mixed]} | ${WALL[cli_mixed]} | $r_mixed | ≤ 1.05 | $(verdict "$r_mixed" 1.05) |
| library fades ($X264_PRESET) vs the old graph as the old service ran it ($OLD_PRESET CRF $OLD_CRF), 6 × \`same\` — **not equal settings** | ${WALL[lib_fade6]} | ${WALL[old_fade6]} | $r_old_med | (none: settings differ) | for information |
| library fades vs the old service's own figure on this machine ($OLD_SERVICE_SECONDS s, issue 8) | ${WALL[lib_fade6]} | $OLD_SERVICE_SECONDS | $r_old55 | (none: settings differ) | for information |

The row marked "equal encoder settings" runs the old service's graph at the library's default settings (speed
fast: preset $X264_PRESET CRF $X264_CRF); the rows below it compare against the old graph at its own settings
(preset $OLD_PRESET CRF $OLD_CRF), which measures the preset as much as the pipeline. The library's \`speed\`
setting trades encoding time for file size; the table below times each speed on the same merge.

## Speeds

6 × \`same\`, 0.5 s fades, libx264 (fast: preset veryfast CRF 23; balanced: preset faster CRF 24; small: preset
slow CRF 25), one JVM per speed as above.

| speed | wall (s) | peak RSS (MiB) | output (MB) |
|---|---|---|---|
| fast (the media section's fade merge: the default speed) | ${WALL[lib_fade6]:-n/a} | $(mib "${RSS[lib_fade6]:-0}") | $(mb "${BYTES[lib_fade6]:-}") |
| balanced | ${WALL[lib_fade6_balanced]:-n/a} | $(mib "${RSS[lib_fade6_balanced]:-0}") | $(mb "${BYTES[lib_fade6_balanced]:-}") |
| small | ${WALL[lib_fade6_small]:-n/a} | $(mib "${RSS[lib_fade6_small]:-0}") | $(mb "${BYTES[lib_fade6_small]:-}") |
| old service's graph, CLI, preset $OLD_PRESET CRF $OLD_CRF | ${WALL[old_fade6]:-n/a} | $(mib "${RSS[old_fade6]:-0}") | $(mb "${BYTES[old_fade6]:-}") |

| case | library | old graph (CLI) | ratio | target | result |
|---|---|---|---|---|---|
| fades at \`balanced\` vs the old graph at $OLD_PRESET CRF $OLD_CRF, 6 × \`same\`: wall time (s) | ${WALL[lib_fade6_balanced]:-n/a} | ${WALL[old_fade6]:-n/a} | $r_bal_time | ≤ 0.8 | $(verdict "$r_bal_time" 0.8) |
| the same: file size (MB) | $(mb "${BYTES[lib_fade6_balanced]:-}") | $(mb "${BYTES[old_fade6]:-}") | $r_bal_size | ≤ 1.1 | $(verdict "$r_bal_size" 1.1) |

## Peak memory

| case | library RSS (MiB) | CLI RSS (MiB) | target | result |
|---|---|---|---|---|
| stream copy, 6 × \`same\` | $(mib "${RSS[lib_copy6]}") ($(mib "${RSS[lib_copy6_noposter]}") without the poster) | $(mib "${RSS[cli_copy6]}") | | |
| re-encode, 6 × \`mono\`, cut | $(mib "${RSS[lib_cut6]}") | $(mib "${RSS[cli_cut6]}") | | |
| re-encode, 6 × \`same\`, fades, in-process, plain JVM | $rss_fade6_mib | $(mib "${RSS[cli_fade6]}") (old graph at $X264_PRESET), $(mib "${RSS[old_fade6]}") (at $OLD_PRESET) | (merge-server merges in a child: see the child's row below) | for information |
| the same, the JVM started with \`$MALLOC_SETTINGS\` (README, "Memory") | $(mib "${RSS[lib_fade6_malloc]}") | | < 300 MiB (old service: $OLD_SERVICE_RSS_MIB MiB) | $(verdict "$(mib "${RSS[lib_fade6_malloc]}")" 300 " MiB") |
| re-encode, \`mixed\`, fades | $(mib "${RSS[lib_mixed]}") | $(mib "${RSS[cli_mixed]}") | | |
| re-encode, 2 × \`same\`, fades ($MEM_WARMUPS warm-up + $MEM_RUNS merge(s), ${WALL[lib_fade2]} s) | $(mib "${RSS[lib_fade2]}") | | | |
| re-encode, 10 × \`same\`, fades ($MEM_WARMUPS warm-up + $MEM_RUNS merge(s), ${WALL[lib_fade10]} s) | $(mib "${RSS[lib_fade10]}") | | 10 clips ≤ 1.2 × 2 clips | ratio $r_mem: $(verdict "$r_mem" 1.2) |


Merge to merge, one JVM (\`MemoryGrowth\`: $(kv growth merges) in-process 2-clip fade merges after $(kv growth warmup)
warm-up merges, the JVM options above), and one isolated merge (\`ChildPeak\`: the 6 × \`same\` fade merge in
merge-server's default child process, its peak \`VmHWM\`):

| figure | value | target | result |
|---|---|---|---|
| RSS after the warm-up → after the last merge | $(kv growth rss_first_mib) → $(kv growth rss_last_mib) MiB | | |
| RSS slope (least squares) | $(kv growth slope_mib_per_100) MiB per 100 merges | ≤ 10 MiB per 100 merges | $(verdict "$(kv growth slope_mib_per_100)" 10 " MiB") |
| JavaCPP's live native bytes after the warm-up → after the last merge | $(kv growth javacpp_bytes_first) → $(kv growth javacpp_bytes_last) B | equal | $( [ "$(kv growth javacpp_bytes_first)" = "$(kv growth javacpp_bytes_last)" ] && [ "$(kv growth javacpp_bytes_first)" != n/a ] && echo met || echo "see the figures") |
| isolated child's peak RSS, 6 × \`same\` fades, merge-server's defaults (the child's environment has \`$MALLOC_SETTINGS\`) | $(kv child child_peak_mib_max) MiB | < 300 MiB | $(verdict "$(kv child child_peak_mib_max)" 300 " MiB") |

Library merges checked by the script: $CHECKS

## PostgreSQL commits

\`benchmarks/pg-commits.sh\` in the same run ($(kv postgres rounds) round(s)): \`JdbcJobStore\` round trips (create →
claim → complete, JMH, 8 threads) against pgbench running the store's own three statements with 8 clients.

| figure | jobs/s |
|---|---|
| the store (claim and heartbeats asynchronous, create and outcome durable) | $(kv postgres store_jobs_per_s) |
| pgbench, the three statements as three durable commits (the ceiling before) | $(kv postgres pgbench_durable_jobs_per_s) |
| pgbench, the claim as the store now sends it (the ceiling now) | $(kv postgres pgbench_claim_async_jobs_per_s) |

| case | ratio | target | result |
|---|---|---|---|
| the store against three durable commits (median of the rounds' ratios) | $(kv postgres ratio) | ≥ 1.3 | $(at_least "$(kv postgres ratio)" 1.3) |

## Soak

\`Soak\`: $(kv soak completed) merges completed, $(kv soak failed) failed, through one merge-server (isolated merges, in-memory
store, 2 workers) in $(kv soak seconds) s; the server's RSS after every tenth merge, counted after $(kv soak warmup) warm-up merges.

| figure | value | target | result |
|---|---|---|---|
| RSS first → last | $(kv soak rss_first_mib) → $(kv soak rss_last_mib) MiB | | |
| RSS min / max (spread) | $(kv soak rss_min_mib) / $(kv soak rss_max_mib) MiB ($(kv soak rss_spread_mib) MiB) | spread ≤ 30 MiB | $(verdict "$(kv soak rss_spread_mib)" 30 " MiB") |
| RSS slope (least squares) | $(kv soak slope_mib_per_100) MiB per 100 merges | ≤ 10 MiB per 100 merges | $(verdict "$(kv soak slope_mib_per_100)" 10 " MiB") |

## What the numbers mean

A ratio is library time over CLI time for the same files and the same output: below 1 the library is faster.
The CLI pays its process start and reads local files; the library's time includes the HTTP download of every
input and probing each input and the output, which the CLI does not do. The CLI figures are the fairest
reference there is for "as fast as FFmpeg itself": both sides run the same libx264 at the same settings, so the
difference is the decode, filter and mux work around the encoder and the library's own stages.

<details><summary>Commands</summary>

\`\`\`sh
$(for c in $ALL_SECTIONS; do [ -f "$WORK/commands-$c.txt" ] && cat "$WORK/commands-$c.txt"; done)
\`\`\`
</details>
MD
    if [ -f "$NOTES" ]; then
      printf '\n'
      cat "$NOTES"
    fi
  } > "$RESULTS"
  echo "== wrote $RESULTS"
}

if [ "${RENDER_ONLY:-0}" = 1 ]; then
  render
  exit 0
fi

# ---------------------------------------------------------------------------------------------------------
# Measuring.

started=$(date +%s)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
command -v ffmpeg >/dev/null || { apt-get update -qq && apt-get install -y -qq ffmpeg >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

if [ "${SKIP_BUILD:-0}" != 1 ]; then
  echo "== building the benchmarks jar with the GPL natives (libx264)"
  # merge-server's jar too: the soak and the isolated child's peak run it.
  mvn -q -B -ntp ${MVN_FLAGS:-} -Pgpl -pl benchmarks,merge-server -am package -DskipTests
fi
unzip -l "$JAR" 'org/bytedeco/ffmpeg/*-gpl/*' >/dev/null \
  || { echo "$JAR lacks the GPL natives: build it with -Pgpl (or drop SKIP_BUILD)" >&2; exit 1; }

mkdir -p "$corpus" "$WORK/out"
if [ "$SECTIONS" = "$ALL_SECTIONS" ]; then
  rm -f "$MEASURED" "$SIZES" "$WORK"/commands-*.txt "$WORK"/kv-*.txt
fi
touch "$MEASURED" "$SIZES"
want() { [[ " $SECTIONS " == *" $1 "* ]]; }
# section NAME: the commands from here on are recorded for NAME (replacing its last run's).
section() { COMMANDS=$WORK/commands-$1.txt; rm -f "$COMMANDS"; }
# forget NAME: drops NAME's figures of an earlier run before new ones are written.
forget() {
  local f
  for f in "$MEASURED" "$SIZES"; do
    awk -F'\t' -v n="$1" '$1 != n' "$f" > "$f.tmp" && mv "$f.tmp" "$f"
  done
}
# keep_kv SECTION CMD...: runs CMD, shows its output, and keeps its KEY=VALUE lines for the render.
keep_kv() {
  local name=$1 out; shift
  record "$name" "$@"
  out=$("$@") || { echo "$name failed: $*" >&2; exit 1; }
  printf '%s\n' "$out"
  grep -E '^[a-z_0-9]+=' <<<"$out" > "$WORK/kv-$name.txt"
}
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

echo "== corpus"
if [ ! -f "$corpus/same_10.mp4" ] || [ ! -f "$corpus/mono_6.mp4" ]; then
  ff -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=10" -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=10" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 60 -c:a aac -b:a 128k -ac 2 -shortest "$corpus/same_1.mp4"
  ff -i "$corpus/same_1.mp4" -c:v copy -c:a aac -b:a 96k -ac 1 "$corpus/mono_1.mp4"
  for i in 2 3 4 5 6 7 8 9 10; do cp "$corpus/same_1.mp4" "$corpus/same_$i.mp4"; done
  for i in 2 3 4 5 6; do cp "$corpus/mono_1.mp4" "$corpus/mono_$i.mp4"; done
fi
if [ ! -f "$corpus/mixed_6.mp4" ]; then
  ff -f lavfi -i "testsrc2=size=1920x1080:rate=30:duration=5" -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=5" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 -shortest "$corpus/mixed_1.mp4"
  ff -f lavfi -i "testsrc2=size=720x1280:rate=24:duration=5" -f lavfi -i "sine=frequency=550:sample_rate=44100:duration=5" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 -shortest "$corpus/mixed_2.mp4"
  ff -f lavfi -i "testsrc2=size=640x480:rate=25:duration=5" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p "$corpus/mixed_3.mp4"
  ff -f lavfi -i "testsrc2=size=640x360:rate=30:duration=5" -f lavfi -i "sine=frequency=660:sample_rate=48000:duration=5" \
     -c:v libvpx-vp9 -deadline realtime -cpu-used 8 -b:v 1M -c:a libopus -b:a 96k -shortest "$corpus/mixed_4.webm"
  # Coded 1280x720 with a display matrix turning it 90°: ffmpeg 5.1 writes the matrix from the rotate tag only
  # when it copies the stream (an encode drops the tag), hence the remux.
  ff -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=5" -f lavfi -i "sine=frequency=770:sample_rate=48000:duration=5" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 -shortest "$corpus/upright_5.mp4"
  ff -i "$corpus/upright_5.mp4" -c copy -metadata:s:v:0 rotate=90 "$corpus/mixed_5.mp4"
  rm "$corpus/upright_5.mp4"
  [ -n "$(ffprobe -v error -select_streams v -show_entries stream_side_data=rotation -of csv=p=0 "$corpus/mixed_5.mp4")" ] \
    || { echo "mixed_5.mp4 has no display matrix" >&2; exit 1; }
  ff -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=5" -f lavfi -i "sine=frequency=880:sample_rate=22050:duration=5" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 64k -ac 1 -shortest "$corpus/mixed_6.mp4"
fi
same2=(same_1.mp4 same_2.mp4)
same6=(same_1.mp4 same_2.mp4 same_3.mp4 same_4.mp4 same_5.mp4 same_6.mp4)
same10=(same_1.mp4 same_2.mp4 same_3.mp4 same_4.mp4 same_5.mp4 same_6.mp4 same_7.mp4 same_8.mp4 same_9.mp4 same_10.mp4)
mono6=(mono_1.mp4 mono_2.mp4 mono_3.mp4 mono_4.mp4 mono_5.mp4 mono_6.mp4)
mixed=(mixed_1.mp4 mixed_2.mp4 mixed_3.mp4 mixed_4.webm mixed_5.mp4 mixed_6.mp4)

dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$corpus/$1"; }
has_audio() { [ -n "$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 "$corpus/$1")" ]; }

# Per clip as the old service did: scale to fit, pad, square pixels; plus constant 30 fps and one pixel format
# and audio layout, which xfade/acrossfade and concat need; silence for a clip without audio.
normalise() {
  local i=$1 file=$2
  printf '[%d:v]scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p[v%d];' "$i" "$i"
  if has_audio "$file"; then
    printf '[%d:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a%d];' "$i" "$i"
  else
    printf 'anullsrc=r=48000:cl=stereo,atrim=duration=%s,aformat=sample_fmts=fltp:channel_layouts=stereo[a%d];' "$(dur "$file")" "$i"
  fi
}

# The filter graph of the service this library replaces: a 0.5 s xfade chain and an acrossfade chain.
old_graph() {
  local -a files=("$@"); local n=${#files[@]} g="" offset=0 i d prev=v0 preva=a0
  for ((i = 0; i < n; i++)); do g+=$(normalise "$i" "${files[$i]}"); done
  for ((i = 1; i < n; i++)); do
    d=$(dur "${files[$((i - 1))]}")
    offset=$(awk -v o="$offset" -v d="$d" 'BEGIN { printf "%.3f", o + d - 0.5 }')
    g+="[$prev][v$i]xfade=transition=fade:duration=0.5:offset=$offset[x$i];[$preva][a$i]acrossfade=d=0.5[y$i];"
    prev=x$i; preva=y$i
  done
  printf '%s' "${g}[$prev]null[v];[$preva]anull[a]"
}

# The same normalisation, then the concat filter (hard cuts).
concat_graph() {
  local -a files=("$@"); local n=${#files[@]} g="" ins="" i
  for ((i = 0; i < n; i++)); do g+=$(normalise "$i" "${files[$i]}"); ins+="[v$i][a$i]"; done
  printf '%s' "${g}${ins}concat=n=$n:v=1:a=1[v][a]"
}

inputs() { local f; for f in "$@"; do printf -- '-i\n%s\n' "$corpus/$f"; done; }

median() { sort -n | awk '{ a[NR] = $1 } END { if (NR % 2) printf "%.2f", a[(NR + 1) / 2]; else printf "%.2f", (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# record NAME CMD...: the command as run, corpus paths shortened, for RESULTS.md.
record() {
  local name=$1 arg line=""; shift
  for arg in "$@"; do
    if [[ $arg =~ ^[A-Za-z0-9_./:=+,@%-]+$ ]]; then line+="$arg "; else line+="'$arg' "; fi
  done
  printf '# %s\n%s\n' "$name" "$(sed "s#$WORK/##g; s#$root/##g" <<<"$line")" >> "$COMMANDS"
}

# time_cmd NAME CMD...: runs CMD RUNS times; records the median wall seconds and the largest peak RSS.
time_cmd() {
  local name=$1; shift
  local walls=() peak=0 i wall rss
  record "$name (CLI, $RUNS run(s))" "$@"
  for ((i = 0; i < RUNS; i++)); do
    /usr/bin/time -o "$WORK/time.txt" -f "%e %M" "$@" >/dev/null \
      || { echo "$name failed (run $((i + 1))): $*" >&2; exit 1; }
    read -r wall rss < <(tail -n 1 "$WORK/time.txt")
    walls+=("$wall")
    (( rss > peak )) && peak=$rss
  done
  wall=$(printf '%s\n' "${walls[@]}" | median)
  forget "$name"
  printf '%s\t%s\t%s\t%s\n' "$name" "$wall" "$peak" "runs ${walls[*]}" >> "$MEASURED"
  # The output file is the command's last argument.
  [ -f "${!#}" ] && printf '%s\t%s\n' "$name" "$(stat -c %s "${!#}")" >> "$SIZES"
  echo "   $name: median $wall s (runs ${walls[*]}), peak RSS $((peak / 1024)) MiB"
}

# lib_cmd NAME none|fade EXPECT_COPY FILES...: one JVM, WARMUPS + RUNS merges; median of the timed ones. With
# SPEED=fast|balanced|small set, the merges ask for that speed; the merged file's size goes to $SIZES.
lib_cmd() {
  local name=$1 transition=$2 expect=$3; shift 3
  # shellcheck disable=SC2206 # LIB_ENV is a list of NAME=VALUE words
  local -a cmd=(${LIB_ENV:+env $LIB_ENV} java $JAVA_OPTS -cp "$JAR" io.videomerge.benchmarks.Compare "$corpus" "$WORK/out/$name"
                "$transition" "$WARMUPS" "$RUNS" "$@")
  [ -n "${SPEED:-}" ] && cmd+=("--speed=$SPEED")
  local out ms rss copied encoder
  record "$name (library, one JVM)" "${cmd[@]}"
  out=$(/usr/bin/time -o "$WORK/time.txt" -f "%M" "${cmd[@]}" 2>"$WORK/out/$name.log") \
    || { echo "$name failed; see $WORK/out/$name.log" >&2; tail -n 20 "$WORK/out/$name.log" >&2; exit 1; }
  ms=$(sed -n 's/^median_ms=//p' <<<"$out")
  copied=$(sed -n 's/^stream_copied=//p' <<<"$out")
  encoder=$(sed -n 's/^h264_encoder=//p' <<<"$out")
  rss=$(tail -n 1 "$WORK/time.txt")
  local wall; wall=$(awk -v m="$ms" 'BEGIN { printf "%.2f", m / 1000 }')
  forget "$name"
  printf '%s\t%s\t%s\t%s\n' "$name" "$wall" "$rss" \
    "runs_ms $(sed -n 's/^runs_ms=//p' <<<"$out"), stream_copied=$copied, duration_s=$(sed -n 's/^duration_s=//p' <<<"$out")" >> "$MEASURED"
  echo "   $name: median $wall s ($(sed -n 's/^runs_ms=//p' <<<"$out") ms), peak RSS $((rss / 1024)) MiB, stream_copied=$copied"
  LIB_ENCODER=$encoder
  printf '%s\t%s\n' "$name" "$(sed -n 's/^output_bytes=//p' <<<"$out")" >> "$SIZES"
  if [ "$copied" != "$expect" ]; then
    CHECKS+=" **$name: stream_copied=$copied, expected $expect.**"
  else
    CHECKS+=" $name stream_copied=$copied as expected;"
  fi
}
CHECKS=""
LIB_ENCODER=unknown

x264=(-c:v libx264 -preset "$X264_PRESET" -crf "$X264_CRF" -c:a aac -b:a 128k -ac 2 -movflags +faststart)
old=(-c:v libx264 -preset "$OLD_PRESET" -crf "$OLD_CRF" -c:a aac -b:a 128k -ac 2 -movflags +faststart)
cli=(ffmpeg -hide_banner -loglevel error -y)

if want media; then
  section media
  echo "== stream copy, 6 identical 10 s 720p clips"
  printf "file '%s'\n" "${same6[@]/#/$corpus/}" > "$WORK/list6.txt"
  RUNS=$COPY_RUNS time_cmd cli_copy6 "${cli[@]}" -f concat -safe 0 -i "$WORK/list6.txt" -c copy -movflags +faststart "$WORK/out/cli_copy6.mp4"
  RUNS=$COPY_RUNS WARMUPS=3 lib_cmd lib_copy6 none true "${same6[@]}"
  RUNS=$COPY_RUNS WARMUPS=3 lib_cmd lib_copy6_noposter none true "${same6[@]}" --no-poster

  echo "== re-encode with cuts, 6 identical clips with mono audio (libx264 $X264_PRESET crf $X264_CRF)"
  mapfile -t inmono < <(inputs "${mono6[@]}")
  time_cmd cli_cut6 "${cli[@]}" "${inmono[@]}" -filter_complex "$(concat_graph "${mono6[@]}")" -map "[v]" -map "[a]" "${x264[@]}" "$WORK/out/cli_cut6.mp4"
  lib_cmd lib_cut6 none false "${mono6[@]}"
  lib_cmd lib_cut6_noposter none false "${mono6[@]}" --no-poster

  echo "== re-encode with 0.5 s fades, 6 identical clips (same settings)"
  mapfile -t in6 < <(inputs "${same6[@]}")
  time_cmd cli_fade6 "${cli[@]}" "${in6[@]}" -filter_complex "$(old_graph "${same6[@]}")" -map "[v]" -map "[a]" "${x264[@]}" "$WORK/out/cli_fade6.mp4"
  lib_cmd lib_fade6 fade false "${same6[@]}"

  echo "== the old service's graph at its settings (libx264 $OLD_PRESET crf $OLD_CRF), 6 identical clips"
  time_cmd old_fade6 "${cli[@]}" "${in6[@]}" -filter_complex "$(old_graph "${same6[@]}")" -map "[v]" -map "[a]" "${old[@]}" "$WORK/out/old_fade6.mp4"

  echo "== mixed set with fades"
  mapfile -t inm < <(inputs "${mixed[@]}")
  time_cmd cli_mixed "${cli[@]}" "${inm[@]}" -filter_complex "$(old_graph "${mixed[@]}")" -map "[v]" -map "[a]" "${x264[@]}" "$WORK/out/cli_mixed.mp4"
  lib_cmd lib_mixed fade false "${mixed[@]}"
fi

if want speeds; then
  section speeds
  echo "== re-encode with 0.5 s fades, 6 identical clips, at each speed (libx264: fast = veryfast CRF 23,"
  echo "   balanced = faster CRF 24, small = slow CRF 25)"
  # fast is the default speed: the media section's lib_fade6 is its row, and the old graph's row is old_fade6.
  for speed in balanced small; do
    SPEED=$speed lib_cmd "lib_fade6_$speed" fade false "${same6[@]}"
  done
fi

MEM_RUNS=${MEM_RUNS:-1}
MEM_WARMUPS=${MEM_WARMUPS:-0}
if want memory; then
  section memory
  # One merge in a fresh JVM each: whether memory grows with the number of clips, nothing else. (Memory that
  # creeps from merge to merge would show here as noise; NOTES.md says what was seen.)
  echo "== memory: 2 vs 10 clips with fades (one merge in a fresh JVM each: the peak is what counts)"
  RUNS=$MEM_RUNS WARMUPS=$MEM_WARMUPS lib_cmd lib_fade2 fade false "${same2[@]}"
  RUNS=$MEM_RUNS WARMUPS=$MEM_WARMUPS lib_cmd lib_fade10 fade false "${same10[@]}"
  echo "== memory: the 6-clip fade merge in-process, the JVM started with the README's malloc settings"
  LIB_ENV="$MALLOC_SETTINGS" lib_cmd lib_fade6_malloc fade false "${same6[@]}"
  echo "== memory: $GROWTH_MERGES in-process 2-clip fade merges in one JVM (RSS after each, slope)"
  keep_kv growth java $JAVA_OPTS -cp "$JAR" io.videomerge.benchmarks.MemoryGrowth "$GROWTH_MERGES" 5 fade
  echo "== memory: the 6-clip fade merge in merge-server's default child process (its peak RSS)"
  keep_kv child java $JAVA_OPTS -cp "$JAR" io.videomerge.benchmarks.ChildPeak "$corpus" 3 fade "${same6[@]}"
fi

if want postgres; then
  section postgres
  echo "== PostgreSQL: the store's round trips against pgbench on its own statements"
  PG_ROUNDS=${PG_ROUNDS:-3}
  keep_kv postgres env SKIP_BUILD=1 ROUNDS="$PG_ROUNDS" "$root/benchmarks/pg-commits.sh"
  echo "rounds=$PG_ROUNDS" >> "$WORK/kv-postgres.txt"
fi

if want soak; then
  section soak
  echo "== soak: $SOAK_MERGES merges through merge-server (RSS after every tenth)"
  keep_kv soak java -cp "$JAR" io.videomerge.benchmarks.Soak "$root/merge-server/target/merge-server.jar" \
    "$SOAK_MERGES" 2 40 "${SOAK_WARMUP:-50}"
fi

{
  echo "RUN_DATE='$(date -u '+%Y-%m-%d %H:%M UTC')'"
  echo "RUN_SECONDS=$(( $(date +%s) - started ))"
  echo "RUN_SECTIONS='$SECTIONS'"
  echo "MACHINE='$(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr), load average before the run $LOAD_BEFORE'"
  echo "CLI_VERSION='$(ffmpeg -version | head -n 1 | cut -d' ' -f1-3)'"
  echo "JAVA_VERSION='$(java -version 2>&1 | head -n 1)'"
  echo "LIB_COMMIT='$(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- merge-core benchmarks/src || echo ' (with uncommitted changes)')'"
  echo "LIB_ENCODER='$LIB_ENCODER'"
  echo "RUNS=$RUNS WARMUPS=$WARMUPS MEM_RUNS=$MEM_RUNS MEM_WARMUPS=$MEM_WARMUPS COPY_RUNS=$COPY_RUNS"
  printf 'JAVA_OPTS=%q\n' "$JAVA_OPTS"
  printf 'CHECKS=%q\n' "${CHECKS# }"
} > "$WORK/run.env"
render
cat "$RESULTS"
