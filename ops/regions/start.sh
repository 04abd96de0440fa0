#!/usr/bin/env bash
# Starts, on this machine (loopback only), two regions as docs/regions.md lays them out: one Redis Cluster of 8 nodes
# (per region one shard: its primary and a replica in the region, two replicas in the other region; slots 0-8191 are
# sp's, 8192-16383 us's) and one Pix node per region. Writes $STATE/regions.env, which `pix-bench load --scenario
# failover --regions-state $STATE` and the dr commands below read. ./stop.sh ends it all.
# Usage: ops/regions/start.sh [extra --Pix:... switches for both nodes]   env: REDIS_PORT=7200 PIX_PORT=8091 STATE=./regions-state
set -euo pipefail
redis_port="${REDIS_PORT:-7200}"
pix_port="${PIX_PORT:-8091}"
state="$(realpath -m "${STATE:-./regions-state}")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$state"
regions=(sp us)

# 1. Eight Redis nodes: AOF fsync'd at every write, a 3 s node timeout, replicas stay where they are put.
ports=()
for i in $(seq 0 7); do
  port=$((redis_port + i)); dir="$state/redis-$port"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save "" --appendonly yes --appendfsync always --protected-mode no \
    --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 3000 \
    --cluster-replica-validity-factor 0 --cluster-allow-replica-migration no
  ports+=("$port")
done
sleep 0.5
cli() { redis-cli -p "$1" "${@:2}"; }
# Shard of sp: ports 0-1 in sp, 2-3 in us. Shard of us: ports 4-5 in us, 6-7 in sp.
if ! cli "${ports[0]}" cluster info | grep -q cluster_state:ok; then
  cli "${ports[0]}" cluster addslotsrange 0 8191 >/dev/null
  cli "${ports[4]}" cluster addslotsrange 8192 16383 >/dev/null
  for p in "${ports[@]:1}"; do cli "$p" cluster meet 127.0.0.1 "${ports[0]}" >/dev/null; done
  sleep 2
  sp_id="$(cli "${ports[0]}" cluster myid)"; us_id="$(cli "${ports[4]}" cluster myid)"
  for p in "${ports[1]}" "${ports[2]}" "${ports[3]}"; do cli "$p" cluster replicate "$sp_id" >/dev/null; done
  for p in "${ports[5]}" "${ports[6]}" "${ports[7]}"; do cli "$p" cluster replicate "$us_id" >/dev/null; done
fi
for _ in $(seq 1 150); do
  ok=1
  for p in "${ports[@]}"; do
    cli "$p" cluster info | grep -q cluster_state:ok || ok=0
    info="$(cli "$p" info replication)"
    if grep -q role:slave <<<"$info" && ! grep -q master_link_status:up <<<"$info"; then ok=0; fi
  done
  [ "$ok" = 1 ] && break
  sleep 0.2
done
[ "$ok" = 1 ] || { echo "the region cluster did not become healthy; see $state/redis-*/redis.log" >&2; exit 1; }
ep() { echo "127.0.0.1:$1"; }
redis_sp="$(ep "${ports[0]}"),$(ep "${ports[1]}"),$(ep "${ports[6]}"),$(ep "${ports[7]}")"
redis_us="$(ep "${ports[4]}"),$(ep "${ports[5]}"),$(ep "${ports[2]}"),$(ep "${ports[3]}")"
configuration="$redis_sp,$redis_us"
echo "Redis: sp $redis_sp; us $redis_us"

# 2. One Pix node per region, sharing a token key file; each knows both regions' URLs (named in its 421s). Plain HTTP
#    without signatures: the drill is about regions (later switches win: give --Pix:Tls:Mode mtls and certificates).
dotnet build "$root/Pix.Server" -c Release -v quiet -nologo >/dev/null
dll="$root/Pix.Server/bin/Release/net10.0/Pix.Server.dll"
[ -f "$state/token.keys" ] || echo "1:$(head -c 32 /dev/urandom | base64)" >"$state/token.keys"
url_sp="http://127.0.0.1:$pix_port"; url_us="http://127.0.0.1:$((pix_port + 1))"
env="$state/regions.env"
{
  echo "regions=sp,us"
  echo "dll=$dll"
  echo "data=$state/dr"
  echo "redis.sp=$redis_sp"
  echo "redis.us=$redis_us"
} >"$env"
for i in 0 1; do
  region="${regions[$i]}"; port=$((pix_port + i)); admin=$((pix_port + 1000 + i)); dir="$state/pix-$region"; mkdir -p "$dir"
  nohup dotnet "$dll" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" --data "$dir" --storage redis \
    --Pix:Redis:Configuration "$configuration,connectTimeout=1000,asyncTimeout=3000" --Pix:Region "$region" --Pix:Regions sp,us \
    --Pix:RegionUrls:sp "$url_sp" --Pix:RegionUrls:us "$url_us" --Pix:Tokens:KeyPath "$state/token.keys" \
    --Pix:Tls:Mode off --Pix:Xml:RequireSignature false "$@" >"$dir/pix.log" 2>&1 &
  echo $! >"$dir/pix.pid"
  echo "url.$region=http://127.0.0.1:$port" >>"$env"
  echo "admin.$region=http://127.0.0.1:$admin" >>"$env"
  echo "Pix node of $region: ICOM 127.0.0.1:$port, operator 127.0.0.1:$admin"
done
# Every process of a region, for the drill's SIGSTOP: its 4 Redis nodes and its Pix node.
pids_sp="$(cat "$state/redis-${ports[0]}/redis.pid" "$state/redis-${ports[1]}/redis.pid" "$state/redis-${ports[6]}/redis.pid" "$state/redis-${ports[7]}/redis.pid" "$state/pix-sp/pix.pid" | tr '\n' ' ')"
pids_us="$(cat "$state/redis-${ports[4]}/redis.pid" "$state/redis-${ports[5]}/redis.pid" "$state/redis-${ports[2]}/redis.pid" "$state/redis-${ports[3]}/redis.pid" "$state/pix-us/pix.pid" | tr '\n' ' ')"
echo "pids.sp=$pids_sp" >>"$env"
echo "pids.us=$pids_us" >>"$env"
for i in 0 1; do
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$((pix_port + 1000 + i))/readyz" >/dev/null && break; sleep 0.3; done
done
echo "State: $env"
echo "Controller: dotnet $dll dr status --Pix:Regions sp,us --Pix:RegionRedis:sp $redis_sp --Pix:RegionRedis:us $redis_us --data $state/dr"
