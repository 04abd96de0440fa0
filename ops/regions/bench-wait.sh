#!/usr/bin/env bash
# What holding every write in both regions costs: on one region cluster (ops/regions/start.sh: per shard one replica
# at home and two in the other region), closed-loop ingest through the two region nodes (writes wait for WAIT 2) and
# through two nodes without Pix:Region on the same cluster (WAIT 1: any one replica, maybe the local one), rounds
# alternating. All on loopback: the figures measure the extra replica and the scheduling it costs on a busy machine,
# not a network round trip between regions (docs/regions.md adds that). About 2 minutes a round.
# Usage: ops/regions/bench-wait.sh [ROUNDS=3]
set -uo pipefail
cd "$(dirname "$0")/../.."
dotnet build Pix.sln -c Release -v quiet -nologo >/dev/null
export STATE=/tmp/pix-regions-bench REDIS_PORT=17300 PIX_PORT=18391
B="dotnet Pix.Bench/bin/Release/net10.0/Pix.Bench.dll"
LIMITS=(--Pix:RateLimit:Capacity 100000000 --Pix:RateLimit:RefillPerSecond 100000000 --Pix:Limits:MaxBacklog 10000000
  --Pix:Streams:IdleTimeoutSeconds 10 --Logging:LogLevel:Default Warning)
INGEST=(load --scenario soak --rate 0 --duration 10 --psps 20 --producers 16 --drain 20 --quiet)
ops/regions/stop.sh --wipe >/dev/null
ops/regions/start.sh "${LIMITS[@]}" >/tmp/pix-regions-bench.log 2>&1 || { cat /tmp/pix-regions-bench.log; exit 1; }
env="$STATE/regions.env"
value() { sed -n "s/^$1=//p" "$env"; }
configuration="$(value redis.sp),$(value redis.us)"
# Two nodes without regions on the same cluster: their writes wait for one replica.
plain=()
for i in 0 1; do
  port=$((PIX_PORT + 2 + i)); dir="$STATE/plain-$i"; mkdir -p "$dir"
  dotnet "$(value dll)" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$((port + 1000))" --data "$dir" --storage redis \
    --Pix:Redis:Configuration "$configuration" --Pix:Tokens:KeyPath "$STATE/token.keys" --Pix:Tls:Mode off \
    --Pix:Xml:RequireSignature false "${LIMITS[@]}" >"$dir/pix.log" 2>&1 &
  plain+=("$!")
done
for i in 0 1; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$((PIX_PORT + 1002 + i))/readyz" >/dev/null && break; sleep 0.3; done
done
uptime
for round in $(seq 1 "${1:-3}"); do
  echo "######## round $round"
  echo "== regions (WAIT 2)"; $B "${INGEST[@]}" --regions-state "$STATE" --out "/tmp/bench-wait2-$round" | tail -2 | head -1
  echo "== no regions (WAIT 1)"; $B "${INGEST[@]}" --targets "http://127.0.0.1:$((PIX_PORT + 2)),http://127.0.0.1:$((PIX_PORT + 3))" \
    --admin "http://127.0.0.1:$((PIX_PORT + 1002))" --out "/tmp/bench-wait1-$round" | tail -2 | head -1
done
uptime
kill "${plain[@]}" 2>/dev/null
ops/regions/stop.sh --wipe >/dev/null
