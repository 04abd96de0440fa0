#!/usr/bin/env bash
# Ends what ops/cluster/start.sh started (by the pid files under $STATE); add --wipe to delete the data too.
set -uo pipefail
state="$(realpath -m "${STATE:-./cluster-state}")"
[ -d "$state" ] || { echo "nothing under $state" >&2; exit 0; }
for pidfile in "$state"/haproxy.pid "$state"/pix-*/pix.pid "$state"/redis-*/redis.pid; do
  [ -f "$pidfile" ] || continue
  kill "$(cat "$pidfile")" 2>/dev/null && echo "stopped $(basename "$(dirname "$pidfile")")/$(basename "$pidfile" .pid)"
  rm -f "$pidfile"
done
[ "${1:-}" = "--wipe" ] && rm -rf "$state" && echo "deleted $state"
exit 0
