#!/usr/bin/env bash
# Pix tasks for POSIX shells; build.ps1 is the same for PowerShell.
# Usage: ./build.sh [build|test|test-long|bench|gate|run|simulate] [args...]      DRY_RUN=1 prints the command instead of running it.
# simulate: the embedded store's power-cut simulation over many seeds (PIX_SIMULATION_SEEDS, default 50000;
# PIX_SIMULATION_FIRST_SEED to start elsewhere or replay one; PIX_SIMULATION_SKIP_FLUSH=Method to drop an fsync).
set -euo pipefail
cd "$(dirname "$0")"
task="${1:-build}"
shift || true
case "$task" in
  build) cmd=(build Pix.sln -c Release) ;;
  test)  cmd=(test Pix.sln -c Release --logger "console;verbosity=normal") ;;
  # The failure drills for a minute each instead of seconds (PIX_LONG_DRILLS, README), with their figures printed.
  test-long) cmd=(test Pix.sln -c Release --filter "Category=Drill" --environment PIX_LONG_DRILLS=1 --logger "console;verbosity=detailed") ;;
  bench) cmd=(run -c Release --project Pix.Bench -- bench) ;;
  gate)  cmd=(run -c Release --project Pix.Bench -- gate) ;;
  run)   cmd=(run -c Release --project Pix.Server --) ;;
  simulate)
    export PIX_SIMULATION_SEEDS="${PIX_SIMULATION_SEEDS:-50000}"
    cmd=(test Pix.Tests -c Release --filter "FullyQualifiedName~EmbeddedStoreSimulationTests" --logger "console;verbosity=detailed") ;;
  *) echo "usage: ./build.sh [build|test|test-long|bench|gate|run|simulate] [args...]" >&2; exit 64 ;;
esac
cmd+=("$@")
echo "> dotnet ${cmd[*]}"
[ "${DRY_RUN:-0}" = "1" ] && exit 0
exec dotnet "${cmd[@]}"
