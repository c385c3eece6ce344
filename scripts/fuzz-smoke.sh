#!/usr/bin/env bash
# Runs every libFuzzer target of the fuzz preset for a short smoke run (default 20 s each),
# two at a time (one per core of the CI machine). Exits non-zero if any target failed.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
jobs=${FUZZ_JOBS:-2}
bin=build/fuzz/fuzz

run_one() {
  local target=$1 seconds=$2
  local name corpus seeds
  name=$(basename "$target")
  corpus=$(mktemp -d)
  seeds=fuzz/corpus/$name
  local dirs=("$corpus")
  [ -d "$seeds" ] && dirs+=("$seeds")
  if ! "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$corpus/" "${dirs[@]}" >"$corpus/log" 2>&1; then
    echo "fuzz: $name FAILED"
    tail -50 "$corpus/log"
    rm -rf "$corpus"
    return 1
  fi
  echo "fuzz: $name for ${seconds}s: $(grep -oE 'stat::number_of_executed_units: [0-9]+' "$corpus/log" | awk '{print $2}') runs"
  rm -rf "$corpus"
}
export -f run_one

ls "$bin"/*_fuzz | xargs -P "$jobs" -I{} bash -c 'run_one "$1" "$2"' _ {} "$seconds"
