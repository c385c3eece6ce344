#!/usr/bin/env bash
# Runs every libFuzzer target of the fuzz preset for a short smoke run (default 20 s each).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
bin=build/fuzz/fuzz
status=0
for target in "$bin"/*_fuzz; do
  name=$(basename "$target")
  corpus=$(mktemp -d)
  seeds=fuzz/corpus/$name
  dirs=("$corpus")
  [ -d "$seeds" ] && dirs+=("$seeds")
  echo "fuzz: $name for ${seconds}s"
  if ! "$target" -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$corpus/" "${dirs[@]}" >"$corpus/log" 2>&1; then
    echo "fuzz: $name FAILED"; tail -50 "$corpus/log"; status=1
  else
    grep -E 'stat::number_of_executed_units' "$corpus/log" || true
  fi
  rm -rf "$corpus"
done
exit $status
