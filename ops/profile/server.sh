# Sourced by record.sh and per-message.sh: the Pix server they measure, started one way.
#
#   start_server STORAGE [LOG] [extra Pix options...]     (LOG "" or absent: $data/server.log)
#
# A Release build (PIX_SERVER_DLL for another, e.g. a "before") pinned to CPU 0: plain HTTP, signatures off, rate
# limits and backlog opened (the load is the point), logging at Warning, DOTNET_TC_CallCountingDelayMs=0 (tiered
# compilation starts at once rather than after 100 ms without new methods; the optimized code is the same). Settings
# in the array server_env (e.g. DOTNET_PerfMapEnabled=1), and those listed in PIX_SERVER_ENV ("A=1 B=2"), go to its
# environment alone (not the load generator's). Sets port (ICOM), admin (operator),
# data (a new temporary folder) and pid; removes the folder and stops the server on exit; returns once it listens.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
bench=${PIX_BENCH_DLL:-"$root/Pix.Bench/bin/Release/net10.0/Pix.Bench.dll"}
server=${PIX_SERVER_DLL:-"$root/Pix.Server/bin/Release/net10.0/Pix.Server.dll"}
server_env=(${server_env[@]+"${server_env[@]}"} ${PIX_SERVER_ENV:-})

start_server() {
  local storage=$1 log=${2:-}
  shift $(( $# >= 2 ? 2 : 1 ))
  data=$(mktemp -d /tmp/pix-profile-XXXXXX)
  log=${log:-$data/server.log}
  port=$((20000 + RANDOM % 20000)); admin=$((port + 1))
  env DOTNET_TC_CallCountingDelayMs=0 ${server_env[@]+"${server_env[@]}"} taskset -c 0 dotnet "$server" \
    --listen 127.0.0.1:$port --admin-listen 127.0.0.1:$admin --data "$data" --storage "$storage" \
    --Pix:Xml:RequireSignature false --Pix:Tls:Mode off --Logging:LogLevel:Default Warning \
    --Pix:RateLimit:Capacity 1000000000 --Pix:RateLimit:RefillPerSecond 1000000000 --Pix:Limits:MaxBacklog 1000000000 \
    "$@" > "$log" 2>&1 &
  pid=$!
  trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$data"' EXIT
  for _ in $(seq 100); do grep -q "listening" "$log" && return 0; sleep 0.2; done
  echo "the server did not start; its log ($log):" >&2
  tail -5 "$log" >&2
  return 1
}

# The server's CPU time so far, in clock ticks (1/100 s): user + system, read after the command name, which may hold spaces.
server_cpu_ticks() { sed 's/.*) //' /proc/$pid/stat | awk '{print $12 + $13}'; }
