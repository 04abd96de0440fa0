#!/usr/bin/env bash
# The scale-out figures of docs/benchmarks.md: one node embedded, one and two nodes on a Redis Cluster (3+3), and
# one node under each Pix:Redis:Durability; stream reads/s (pix-bench reads) and closed-loop ingest (pix-bench load
# --rate 0), with the Redis commands each run cost (INFO commandstats over the primaries, reset before each run).
# Unpinned: the Redis processes need the cores too. About 15 minutes a round. Usage: ops/cluster/bench.sh [ROUNDS=2]
set -uo pipefail
cd "$(dirname "$0")/../.."
dotnet build Pix.sln -c Release -v quiet -nologo >/dev/null
B="dotnet Pix.Bench/bin/Release/net10.0/Pix.Bench.dll"
S="dotnet Pix.Server/bin/Release/net10.0/Pix.Server.dll"
COMMON="--Pix:Tls:Mode off --Pix:Xml:RequireSignature false --Pix:RateLimit:Capacity 100000000 --Pix:RateLimit:RefillPerSecond 100000000 --Pix:Limits:MaxBacklog 10000000 --Pix:Streams:IdleTimeoutSeconds 10 --Logging:LogLevel:Default Warning"
READS="reads --psps 4 --streams 3 --per-psp 15000 --duration 10"
INGEST="load --scenario soak --rate 0 --duration 10 --psps 20 --producers 16 --drain 20 --quiet"
export STATE=/tmp/pix-cluster-bench REDIS_PORT=17100 PIX_PORT=18181 PROXY_PORT=18180
primaries() { for p in $(seq "$REDIS_PORT" $((REDIS_PORT + 5))); do redis-cli -p "$p" info replication | grep -q role:master && echo "$p"; done; }
resetstats() { for p in $(seq "$REDIS_PORT" $((REDIS_PORT + 5))); do redis-cli -p "$p" config resetstat >/dev/null; done; }
stats() { for p in $(primaries); do redis-cli -p "$p" info commandstats; done | sed -n 's/^cmdstat_\([a-z|]*\):calls=\([0-9]*\),.*/\1 \2/p' | awk '{s[$1]+=$2} END {for (k in s) print "  " k, s[k]}' | sort; }
run_embedded() {
  rm -rf /tmp/pix-emb
  $S --listen 127.0.0.1:18281 --admin-listen 127.0.0.1:19281 --data /tmp/pix-emb --storage embedded $COMMON >/tmp/pix-emb.log 2>&1 &
  local pid=$!
  sleep 6
  echo "== embedded, 1 node: reads"; $B $READS --target http://127.0.0.1:18281 | tail -1
  echo "== embedded, 1 node: ingest"; $B $INGEST --target http://127.0.0.1:18281 --admin http://127.0.0.1:19281 --out /tmp/bench-emb | tail -2 | head -1
  kill "$pid"; wait "$pid" 2>/dev/null
}
run_redis() { # $1 nodes, $2 durability
  ops/cluster/stop.sh --wipe >/dev/null
  ops/cluster/start.sh "$1" $COMMON --Pix:Redis:Durability "$2" >/tmp/cluster-start.log 2>&1 || { cat /tmp/cluster-start.log; return; }
  sleep 6
  local targets; targets=$(seq -s, -f "http://127.0.0.1:%g" "$PIX_PORT" $((PIX_PORT + $1 - 1)))
  resetstats
  echo "== redis $2, $1 node(s): reads (the commands include the preload: 10-message POSTs)"; $B $READS --targets "$targets" | tail -1; stats
  resetstats
  echo "== redis $2, $1 node(s): ingest"; $B $INGEST --targets "$targets" --admin "http://127.0.0.1:$((PIX_PORT + 1000))" --out "/tmp/bench-redis-$1-$2" | tail -2 | head -1; stats
  ops/cluster/stop.sh --wipe >/dev/null
}
uptime
for round in $(seq 1 "${1:-2}"); do
  echo "######## round $round"
  run_embedded
  run_redis 1 replica
  run_redis 2 replica
  run_redis 1 aof
  run_redis 1 none
done
uptime
