#!/usr/bin/env bash
# Pix tasks for POSIX shells; build.ps1 is the same for PowerShell. Usage: ./build.sh [build|test|bench|gate|run] [args...]
set -euo pipefail
cd "$(dirname "$0")"
task="${1:-build}"
shift || true
case "$task" in
  build) dotnet build Pix.sln -c Release "$@" ;;
  test)  dotnet test Pix.sln -c Release --logger "console;verbosity=normal" "$@" ;;
  bench) dotnet run -c Release --project Pix.Bench -- bench "$@" ;;
  gate)  dotnet run -c Release --project Pix.Bench -- gate "$@" ;;
  run)   dotnet run -c Release --project Pix.Server -- "$@" ;;
  *) echo "usage: ./build.sh [build|test|bench|gate|run] [args...]" >&2; exit 64 ;;
esac
