#!/usr/bin/env bash
# Ends what start.sh started (thawing any frozen process first); --wipe also deletes the state folder.
set -uo pipefail
state="$(realpath -m "${STATE:-./regions-state}")"
for pidfile in "$state"/pix-*/pix.pid "$state"/redis-*/redis.pid; do
  [ -f "$pidfile" ] || continue
  pid="$(cat "$pidfile")"
  kill -CONT "$pid" 2>/dev/null; kill "$pid" 2>/dev/null
done
sleep 1
[ "${1:-}" = "--wipe" ] && rm -rf "$state"
echo "stopped"
