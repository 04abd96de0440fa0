#!/usr/bin/env bash
# Starts, on this machine (loopback only): a Redis Cluster of 3 primaries x REPLICAS replicas, N Pix nodes on it, and
# HAProxy (TCP, round-robin) in front. Everything lives under $STATE (pid files, logs, data); ./stop.sh ends it.
# Usage: ops/cluster/start.sh [NODES=2]   env: REPLICAS=1 REDIS_PORT=7100 PIX_PORT=8081 PROXY_PORT=8080 STATE=./cluster-state
set -euo pipefail
nodes="${1:-2}"
replicas="${REPLICAS:-1}"
redis_port="${REDIS_PORT:-7100}"
pix_port="${PIX_PORT:-8081}"
proxy_port="${PROXY_PORT:-8080}"
state="$(realpath -m "${STATE:-./cluster-state}")"
root="$(cd "$(dirname "$0")/../.." && pwd)"
mkdir -p "$state"

# 1. Redis: AOF fsync'd at every write, a 3 s node timeout (no flapping on busy cores, failover in seconds).
seeds=()
for i in $(seq 0 $((3 * (1 + replicas) - 1))); do
  port=$((redis_port + i)); dir="$state/redis-$port"; mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize yes --pidfile "$dir/redis.pid" \
    --logfile "$dir/redis.log" --save "" --appendonly yes --appendfsync always --protected-mode no \
    --cluster-enabled yes --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 3000 \
    --cluster-replica-validity-factor 0
  seeds+=("127.0.0.1:$port")
done
sleep 0.5
if ! redis-cli -p "$redis_port" cluster info | grep -q cluster_state:ok; then
  redis-cli --cluster create "${seeds[@]}" --cluster-replicas "$replicas" --cluster-yes >"$state/cluster-create.log"
fi
# Ready when every node says ok and every replica's link is up (WAIT 1 answers 0 until a fresh replica synced).
for _ in $(seq 1 100); do
  ok=1
  for seed in "${seeds[@]}"; do
    port="${seed#*:}"
    redis-cli -p "$port" cluster info | grep -q cluster_state:ok || ok=0
    info="$(redis-cli -p "$port" info replication)"
    if grep -q role:slave <<<"$info" && ! grep -q master_link_status:up <<<"$info"; then ok=0; fi
  done
  [ "$ok" = 1 ] && break
  sleep 0.2
done
[ "$ok" = 1 ] || { echo "the Redis Cluster did not become healthy; see $state/redis-*/redis.log" >&2; exit 1; }
configuration="$(IFS=,; echo "${seeds[*]}")"
echo "Redis Cluster: $configuration"

# 2. Pix nodes, all alike: the same cluster, the same token key (shared through Redis when no key file is given), and
#    the same certificates (one set for all: each node would otherwise make development certificates of its own CA).
#    Mutual TLS passes through HAProxy; give --Pix:Tls:Mode off after the node count for plain HTTP.
dotnet build "$root/Pix.Bench" -c Release -v quiet -nologo >/dev/null
certs="$state/certs"
[ -f "$certs/ca.pem" ] || dotnet "$root/Pix.Bench/bin/Release/net10.0/Pix.Bench.dll" certs --out "$certs" --psps 2 >/dev/null
tls=(--Pix:Tls:CertificatePath "$certs/server.pem" --Pix:Tls:KeyPath "$certs/server.key" --Pix:Tls:ClientCaPath "$certs/ca.pem")
backends=""
for i in $(seq 0 $((nodes - 1))); do
  port=$((pix_port + i)); admin=$((pix_port + 1000 + i)); dir="$state/pix-$port"; mkdir -p "$dir"
  nohup dotnet "$root/Pix.Server/bin/Release/net10.0/Pix.Server.dll" --listen "127.0.0.1:$port" --admin-listen "127.0.0.1:$admin" \
    --data "$dir" --storage redis --Pix:Redis:Configuration "$configuration" "${tls[@]}" "${@:2}" >"$dir/pix.log" 2>&1 &
  echo $! >"$dir/pix.pid"
  backends+="  server pix$i 127.0.0.1:$port check inter 250ms fall 2 rise 2"$'\n'
  echo "Pix node $i: ICOM 127.0.0.1:$port, operator 127.0.0.1:$admin"
done

# 3. HAProxy: TCP mode (TLS passes through to the nodes), round-robin over connections, redispatch on a dead node.
cat >"$state/haproxy.cfg" <<CFG
global
  pidfile $state/haproxy.pid
  maxconn 4000
defaults
  mode tcp
  timeout connect 1s
  timeout client 120s
  timeout server 120s
  retries 2
  option redispatch
frontend icom
  bind 127.0.0.1:$proxy_port
  default_backend pix
backend pix
  balance roundrobin
$backends
CFG
haproxy -D -f "$state/haproxy.cfg"
echo "HAProxy: 127.0.0.1:$proxy_port -> $nodes Pix nodes (config $state/haproxy.cfg); client certificates in $certs"
