#!/usr/bin/env bash
# Profiles the Pix server's CPU under one benchmark workload with perf (software cpu-clock: this VM has no hardware
# counters) and writes a flame graph (SVG) and the top frames.
#
#   ops/profile/record.sh reads|ingest1|ingest10 memory|embedded OUT_DIR [extra Pix options...]
#
# The server runs pinned to CPU 0 with DOTNET_PerfMapEnabled=1 (JIT'd frames get names in /tmp/perf-PID.map), without
# W^X double mapping (its code pages show as memfd:doublemapper, which the map does not name) and without ReadyToRun
# code (the framework's precompiled methods are not in the map; JIT'd at tier 1 they are), the load generator on CPU 1.
# perf samples only the server's process (-p), at 1,999 Hz with frame-pointer stacks, for the middle of the load's
# window (ingest: after WARMUP_SECONDS, default 10, as everything is JIT'd first). Needs a Release build
# (dotnet build Pix.sln -c Release) and perf; PIX_SERVER_DLL and PIX_BENCH_DLL point at another build (a "before").
set -euo pipefail
workload=${1:?reads, ingest1 or ingest10}
storage=${2:?memory or embedded}
out=${3:?output folder}
shift 3
mkdir -p "$out"
server_env=(DOTNET_PerfMapEnabled=1 DOTNET_EnableWriteXorExecute=0 DOTNET_ReadyToRun=0)
source "$(dirname "$0")/server.sh"
start_server "$storage" "$out/server.log" --Pix:Streams:LongPollSeconds 1 "$@"

case $workload in
  reads) load=(reads --target "http://127.0.0.1:$port" --psps 12 --streams 3 --per-psp "${PER_PSP:-60000}" --duration "${DURATION:-20}" --warmup 1) ;;
  ingest1) load=(ingest --parts 1 --connections 64 --target "http://127.0.0.1:$port" --duration 25 --warmup 1) ;;
  ingest10) load=(ingest --parts 10 --connections 64 --target "http://127.0.0.1:$port" --duration 25 --warmup 1) ;;
  *) echo "unknown workload $workload" >&2; exit 2 ;;
esac
taskset -c 1 dotnet "$bench" "${load[@]}" > "$out/load.log" 2>&1 &
loader=$!
# Reads: wait for the preload to finish, then sample the reads; ingest: skip the first seconds (JIT, warm-up).
if [ "$workload" = reads ]; then
  for _ in $(seq 600); do grep -q "^preloaded" "$out/load.log" && break; sleep 0.5; done
  sleep "${READ_WARMUP_SECONDS:-1.5}"
else
  sleep "${WARMUP_SECONDS:-10}"
fi
cpu_before=$(server_cpu_ticks)
perf record -F 1999 -g -p $pid -o "$out/perf.data" -- sleep "${SECONDS_TO_SAMPLE:-4}" 2> "$out/perf-record.log"
cpu_after=$(server_cpu_ticks)
wait $loader || true
perf script -i "$out/perf.data" -F comm,pid,tid,time,period,event,ip,sym,dso > "$out/perf.txt" 2> /dev/null
echo "server CPU while sampled: $(( (cpu_after - cpu_before) * 10 )) ms" | tee "$out/cpu.txt"
tail -3 "$out/load.log"
