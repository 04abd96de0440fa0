#!/usr/bin/env bash
# Server CPU per delivered message on the peer workload (issue 11): single-message POSTs from 32 senders and PSP
# streams reading as messages arrive (the load generator's soak shape with --batch-max 1), server pinned to CPU 0
# (embedded store, plain HTTP, signatures off), load generator on CPU 1. Prints the load's summary, the server's
# CPU over the producer's window divided by the messages delivered in it, and the log's fsyncs over that window.
#
#   ops/profile/per-message.sh RATE [SECONDS] [extra load options, e.g. --psps 1 --streams-min 4 --streams-max 4]
#
# Needs a Release build (dotnet build Pix.sln -c Release). The server gets a 20 s warm-up at a tenth of the rate
# first (a fresh server runs unoptimized code for its first seconds), then the measured run.
set -euo pipefail
rate=${1:?messages per second offered}
seconds=${2:-20}
shift $(( $# >= 2 ? 2 : 1 ))
source "$(dirname "$0")/server.sh"
start_server embedded "" --Pix:Streams:IdleTimeoutSeconds 10
load=(load --scenario soak --batch-max 1 --target "http://127.0.0.1:$port" --admin "http://127.0.0.1:$admin" --quiet --drain 30)
echo "warm-up: $((rate / 10)) messages/s for 20 s"
taskset -c 1 dotnet "$bench" "${load[@]}" --rate $((rate / 10)) --duration 20 --out "$data/warmup" "$@" > "$data/warmup.log" 2>&1 || { tail -5 "$data/warmup.log"; exit 1; }
echo "measured: $rate messages/s offered for $seconds s"
taskset -c 1 dotnet "$bench" "${load[@]}" --rate "$rate" --duration "$seconds" --out "$data/run" "$@" > "$data/run.log" 2>&1 &
loader=$!
disk() { curl -s "http://127.0.0.1:$admin/metrics" | grep -E '^pix_storage_(fsyncs_total|committed_entries_total|fsync_duration_seconds_sum)' > "$1"; }
sleep 2; before=$(server_cpu_ticks); t0=$(date +%s.%N); disk "$data/disk0"
sleep $((seconds - 4)); after=$(server_cpu_ticks); t1=$(date +%s.%N); disk "$data/disk1"

wait $loader && status=passed || status=FAILED
python3 - "$data/run/summary.json" "$before" "$after" "$t0" "$t1" "$status" "$data/disk0" "$data/disk1" <<'PY'
import json, sys
s = json.load(open(sys.argv[1])); before, after, t0, t1 = (float(x) for x in sys.argv[2:6])
cpu = (after - before) / 100; secs = t1 - t0
delivered = s['messagesDeliveredPerSecond']; accepted = s['messagesAcceptedPerSecond']
print(f"ledger {sys.argv[6]}: accepted {accepted:,.0f} msg/s, delivered {delivered:,.0f} msg/s, requests {s['requestsPerSecond']:,.0f}/s, streams {s['streams']}")
print(f"server core share {cpu / secs:.2f} over {secs:.1f} s of the producer's window")
print(f"server CPU per delivered message: {cpu / secs / delivered * 1e6:.1f} us (per accepted message {cpu / secs / accepted * 1e6:.1f} us)")
def counters(path):
    return {line.split('{')[0].split()[0]: float(line.split()[-1]) for line in open(path) if line.strip()}
d0, d1 = counters(sys.argv[7]), counters(sys.argv[8])
fsyncs = d1['pix_storage_fsyncs_total'] - d0['pix_storage_fsyncs_total']
if fsyncs > 0:
    entries = d1['pix_storage_committed_entries_total'] - d0['pix_storage_committed_entries_total']
    busy = d1['pix_storage_fsync_duration_seconds_sum'] - d0['pix_storage_fsync_duration_seconds_sum']
    print(f"disk: {fsyncs / secs:,.0f} fsyncs/s, {entries / fsyncs:.1f} log entries each, group write + fsync {busy / fsyncs * 1000:.2f} ms mean (the writer busy {busy / secs:.2f} of each second)")
p = s.get('producerCorrected') or {}
print('POST latency (corrected) ' + ', '.join(f"{k} {v}" for k, v in p.items() if k in ('p50', 'p99', 'p999', 'max')))
PY
