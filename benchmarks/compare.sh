#!/usr/bin/env bash
# Times videomerge against the ffmpeg CLI on the same files, in one run, and writes RESULTS.md.
#
#   benchmarks/compare.sh            # full run (about 20 minutes on 2 cores)
#   RUNS=1 benchmarks/compare.sh     # one timed run per case (quick look)
#
# The corpus is made with the Debian ffmpeg CLI (installed if missing). The library is built with
# the GPL natives (-Pgpl) so that both sides encode with libx264 at the same settings; the library
# runs in a warm JVM (WARMUPS merges first), the CLI as a fresh process per run, as it is used.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

RUNS=${RUNS:-3}
WARMUPS=${WARMUPS:-1}
WORK=${WORK:-$root/benchmarks/target/compare}
JAVA_OPTS=${JAVA_OPTS:--Xms64m -Xmx512m -XX:+UseSerialGC}
# The encoder settings the library uses for Quality 720 with libx264 (see README, "Encoding").
X264_PRESET=${X264_PRESET:-veryfast}
X264_CRF=${X264_CRF:-23}
OLD_PRESET=medium
OLD_CRF=23

command -v ffmpeg >/dev/null || { apt-get update -qq && apt-get install -y -qq ffmpeg >/dev/null; }
[ -x /usr/bin/time ] || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }

echo "== building the benchmarks jar with the GPL natives (libx264)"
mvn -q -B -ntp -Pgpl -pl benchmarks -am package -DskipTests
JAR=$root/benchmarks/target/benchmarks.jar

corpus=$WORK/corpus
mkdir -p "$corpus" "$WORK/out"
ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }

echo "== corpus"
if [ ! -f "$corpus/same_10.mp4" ]; then
  ff -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=10" -f lavfi -i "sine=frequency=440:sample_rate=48000:duration=10" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -g 60 -c:a aac -b:a 128k -ac 2 -shortest "$corpus/same_1.mp4"
  for i in 2 3 4 5 6 7 8 9 10; do cp "$corpus/same_1.mp4" "$corpus/same_$i.mp4"; done
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
  ff -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=5" -f lavfi -i "sine=frequency=770:sample_rate=48000:duration=5" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 128k -ac 2 -shortest -metadata:s:v:0 rotate=90 "$corpus/mixed_5.mp4"
  ff -f lavfi -i "testsrc2=size=1280x720:rate=30:duration=5" -f lavfi -i "sine=frequency=880:sample_rate=22050:duration=5" \
     -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -b:a 64k -ac 1 -shortest "$corpus/mixed_6.mp4"
fi
same6=(same_1.mp4 same_2.mp4 same_3.mp4 same_4.mp4 same_5.mp4 same_6.mp4)
same2=(same_1.mp4 same_2.mp4)
same10=(same_1.mp4 same_2.mp4 same_3.mp4 same_4.mp4 same_5.mp4 same_6.mp4 same_7.mp4 same_8.mp4 same_9.mp4 same_10.mp4)
mixed=(mixed_1.mp4 mixed_2.mp4 mixed_3.mp4 mixed_4.webm mixed_5.mp4 mixed_6.mp4)

dur() { ffprobe -v error -show_entries format=duration -of csv=p=0 "$corpus/$1"; }
has_audio() { [ -n "$(ffprobe -v error -select_streams a -show_entries stream=index -of csv=p=0 "$corpus/$1")" ]; }

# The filter graph of the service this library replaces: scale + pad per clip, a 0.5 s xfade chain,
# acrossfade chain (silence for a clip without audio), 1280x720.
old_graph() {
  local -a files=("$@"); local n=${#files[@]} g="" offset=0 i
  for ((i = 0; i < n; i++)); do
    g+="[$i:v]scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p[v$i];"
    if has_audio "${files[$i]}"; then
      g+="[$i:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a$i];"
    else
      g+="anullsrc=r=48000:cl=stereo,atrim=duration=$(dur "${files[$i]}")[a$i];"
    fi
  done
  local prev=v0 preva=a0 d
  for ((i = 1; i < n; i++)); do
    d=$(dur "${files[$((i - 1))]}")
    offset=$(awk -v o="$offset" -v d="$d" 'BEGIN { printf "%.3f", o + d - 0.5 }')
    g+="[$prev][v$i]xfade=transition=fade:duration=0.5:offset=$offset[x$i];[$preva][a$i]acrossfade=d=0.5[y$i];"
    prev=x$i; preva=y$i
  done
  printf '%s' "${g}[$prev]null[v];[$preva]anull[a]"
}

# Normalise each clip as the library does, then the concat filter (a hard cut).
concat_graph() {
  local -a files=("$@"); local n=${#files[@]} g="" ins="" i
  for ((i = 0; i < n; i++)); do
    g+="[$i:v]scale=1280:720:force_original_aspect_ratio=decrease,pad=1280:720:(ow-iw)/2:(oh-ih)/2,setsar=1,fps=30,format=yuv420p[v$i];"
    g+="[$i:a]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo[a$i];"
    ins+="[v$i][a$i]"
  done
  printf '%s' "${g}${ins}concat=n=$n:v=1:a=1[v][a]"
}

inputs() { local f; for f in "$@"; do printf -- '-i\n%s\n' "$corpus/$f"; done; }

# time_cmd NAME CMD...: runs CMD RUNS times, records the median wall seconds and the largest peak RSS.
declare -A WALL RSS
time_cmd() {
  local name=$1; shift
  local walls=() peak=0 i line
  for ((i = 0; i < RUNS; i++)); do
    # -o: the command's own 2>/dev/null would otherwise swallow time's report too.
    /usr/bin/time -o "$WORK/time.txt" -f "%e %M" "$@" >/dev/null 2>/dev/null || true
    line=$(tail -n 1 "$WORK/time.txt")
    walls+=("${line% *}")
    (( ${line#* } > peak )) && peak=${line#* }
  done
  WALL[$name]=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }')
  RSS[$name]=$peak
  echo "   $name: median ${WALL[$name]} s, peak RSS $((peak / 1024)) MiB"
}

# lib_cmd NAME none|fade FILES...: one JVM, WARMUPS + RUNS merges; median of the timed ones.
lib_cmd() {
  local name=$1 transition=$2; shift 2
  local out line
  out=$( /usr/bin/time -o "$WORK/time.txt" -f "rss_kb=%M" java $JAVA_OPTS -cp "$JAR" io.videomerge.benchmarks.Compare \
           "$corpus" "$WORK/out/$name" "$transition" "$WARMUPS" "$RUNS" "$@" 2>/dev/null; cat "$WORK/time.txt" )
  line=$(grep '^median_ms=' <<<"$out" | cut -d= -f2)
  WALL[$name]=$(awk -v m="$line" 'BEGIN { printf "%.2f", m / 1000 }')
  RSS[$name]=$(grep '^rss_kb=' <<<"$out" | tail -n 1 | cut -d= -f2)
  echo "   $name: median ${WALL[$name]} s, peak RSS $((RSS[$name] / 1024)) MiB ($(grep -E '^stream_copied=' <<<"$out"))"
}

x264=(-c:v libx264 -preset "$X264_PRESET" -crf "$X264_CRF" -c:a aac -b:a 128k -ac 2 -movflags +faststart)
old=(-c:v libx264 -preset "$OLD_PRESET" -crf "$OLD_CRF" -c:a aac -b:a 128k -ac 2 -movflags +faststart)

echo "== stream copy, 6 identical 10 s 720p clips"
printf "file '%s'\n" "${same6[@]/#/$corpus/}" > "$WORK/list6.txt"
time_cmd cli_copy6 ffmpeg -hide_banner -loglevel error -y -f concat -safe 0 -i "$WORK/list6.txt" -c copy -movflags +faststart "$WORK/out/cli_copy6.mp4"
lib_cmd lib_copy6 none "${same6[@]}"

echo "== re-encode with cuts, 6 identical clips (library settings: libx264 $X264_PRESET crf $X264_CRF)"
mapfile -t in6 < <(inputs "${same6[@]}")
time_cmd cli_cut6 ffmpeg -hide_banner -loglevel error -y "${in6[@]}" -filter_complex "$(concat_graph "${same6[@]}")" -map "[v]" -map "[a]" "${x264[@]}" "$WORK/out/cli_cut6.mp4"
# The library takes the copy path for identical clips with a cut; a fade forces the re-encode.
echo "== re-encode with 0.5 s fades, 6 identical clips (same settings)"
time_cmd cli_fade6 ffmpeg -hide_banner -loglevel error -y "${in6[@]}" -filter_complex "$(old_graph "${same6[@]}")" -map "[v]" -map "[a]" "${x264[@]}" "$WORK/out/cli_fade6.mp4"
lib_cmd lib_fade6 fade "${same6[@]}"

echo "== the old service's graph (libx264 medium crf 23), 6 identical clips"
time_cmd old_fade6 ffmpeg -hide_banner -loglevel error -y "${in6[@]}" -filter_complex "$(old_graph "${same6[@]}")" -map "[v]" -map "[a]" "${old[@]}" "$WORK/out/old_fade6.mp4"

echo "== mixed set with fades"
mapfile -t inm < <(inputs "${mixed[@]}")
time_cmd cli_mixed ffmpeg -hide_banner -loglevel error -y "${inm[@]}" -filter_complex "$(old_graph "${mixed[@]}")" -map "[v]" -map "[a]" "${x264[@]}" "$WORK/out/cli_mixed.mp4"
lib_cmd lib_mixed fade "${mixed[@]}"

echo "== memory: 2 vs 10 clips with fades"
lib_cmd lib_fade2 fade "${same2[@]}"
lib_cmd lib_fade10 fade "${same10[@]}"

ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }'; }
mib() { echo $(( $1 / 1024 )); }
verdict() { awk -v r="$1" -v t="$2" 'BEGIN { print (r <= t) ? "met" : "missed" }'; }

r_copy=$(ratio "${WALL[lib_copy6]}" "${WALL[cli_copy6]}")
r_fade=$(ratio "${WALL[lib_fade6]}" "${WALL[cli_fade6]}")
r_old=$(ratio "${WALL[lib_fade6]}" "${WALL[old_fade6]}")
r_mixed=$(ratio "${WALL[lib_mixed]}" "${WALL[cli_mixed]}")
r_mem=$(ratio "${RSS[lib_fade10]}" "${RSS[lib_fade2]}")

cat > "$root/benchmarks/RESULTS.md" <<MD
# videomerge against the ffmpeg CLI

Written by \`benchmarks/compare.sh\` on $(date -u +%Y-%m-%d) — do not edit by hand.

Machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //').
CLI: $(ffmpeg -version | head -n 1 | cut -d' ' -f1-3). Library: FFmpeg 8.1.2 natives (GPL build, libx264) via JavaCV 1.5.14, $(java -version 2>&1 | head -n 1).
Library JVM options: \`$JAVA_OPTS\`; $WARMUPS warm-up merge(s), then the median of $RUNS timed merges in the same JVM
(each merge includes downloading the inputs over loopback HTTP, probing and writing the output). CLI: median of $RUNS runs.
Peak RSS: the largest resident set of the whole process (/usr/bin/time), the JVM's included.

| case | library (s) | CLI (s) | ratio | target | | library RSS (MiB) | CLI RSS (MiB) |
|---|---|---|---|---|---|---|---|
| stream copy, 6 × 10 s 720p, cut | ${WALL[lib_copy6]} | ${WALL[cli_copy6]} | $r_copy | ≤ 1.3 | $(verdict "$r_copy" 1.3) | $(mib "${RSS[lib_copy6]}") | $(mib "${RSS[cli_copy6]}") |
| re-encode, 6 × 10 s 720p, 0.5 s fades, libx264 $X264_PRESET crf $X264_CRF both | ${WALL[lib_fade6]} | ${WALL[cli_fade6]} | $r_fade | ≤ 1.05 | $(verdict "$r_fade" 1.05) | $(mib "${RSS[lib_fade6]}") | $(mib "${RSS[cli_fade6]}") |
| mixed set (1080p, portrait, no audio, VP9, rotated, mono 22 kHz), fades | ${WALL[lib_mixed]} | ${WALL[cli_mixed]} | $r_mixed | ≤ 1.05 | $(verdict "$r_mixed" 1.05) | $(mib "${RSS[lib_mixed]}") | $(mib "${RSS[cli_mixed]}") |
| library fades vs the old service's graph (xfade, libx264 medium crf 23), 6 × 10 s 720p | ${WALL[lib_fade6]} | ${WALL[old_fade6]} | $r_old | ≤ 1.0 | $(verdict "$r_old" 1.0) | $(mib "${RSS[lib_fade6]}") | $(mib "${RSS[old_fade6]}") |

CLI re-encode with hard cuts (concat filter, same settings), for reference: ${WALL[cli_cut6]} s, $(mib "${RSS[cli_cut6]}") MiB.

Memory: a 10-clip fade merge peaked at $(mib "${RSS[lib_fade10]}") MiB, a 2-clip one at $(mib "${RSS[lib_fade2]}") MiB:
ratio $r_mem (target ≤ 1.2: $(verdict "$r_mem" 1.2)). Target for the old-graph comparison: under 300 MiB peak RSS
(library: $(mib "${RSS[lib_fade6]}") MiB).
MD
echo "== wrote benchmarks/RESULTS.md"
cat "$root/benchmarks/RESULTS.md"
