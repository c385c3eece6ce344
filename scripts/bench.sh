#!/usr/bin/env bash
# Runs the benchmarks behind docs/performance.md and writes Google Benchmark JSON:
#
#   scripts/bench.sh <out.json>
#
# A long run by hand (about an hour on a 2-core machine), not CI. Environment:
#   BUILD_DIR  the CMake build directory holding bench/mpsec_bench (default build/default);
#              built first (RelWithDebInfo, the default preset) unless NO_BUILD=1
#   FILTER     benchmark name regex (default: every figure of docs/performance.md)
#   MIN_TIME   --benchmark_min_time in seconds per repetition (default 0.5)
#   REPS       repetitions; aggregates only, the doc reads the medians (default 3)
#   MPSEC_BENCH_DIR  where central/store_commit and sqlite/raw_commit put their database
#              files (default $TMPDIR or /tmp): a directory on the disk whose fsync counts
# Next to <out.json>, <out>.machine.txt records the machine (CPU, cores, RAM, kernel,
# compiler, OpenSSL). scripts/plot_rekey.py <out.json> docs/rekey_cost.svg draws the plot.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/bench.sh <out.json>}
build=${BUILD_DIR:-build/default}
min_time=${MIN_TIME:-0.5}
reps=${REPS:-3}
default_filter='^(crypto/|record/|schedule/secret_tree_first_key/|lkh/|flat/|central/|sqlite/|mls/)'
filter=${FILTER:-$default_filter}

if [ "${NO_BUILD:-0}" != 1 ]; then
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake --preset default -B "$build" >/dev/null
  fi
  cmake --build "$build" --target mpsec_bench
fi
bench="$build/bench/mpsec_bench"

machine="${out%.json}.machine.txt"
{
  echo "date: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')"
  echo "cores: $(nproc)"
  echo "ram: $(awk '/MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)"
  echo "kernel: $(uname -sr)"
  echo "compiler: $(g++ --version | head -1)"
  echo "openssl: $(openssl version)"
  echo "sqlite: $(sqlite3 --version 2>/dev/null | cut -d' ' -f1 || echo unknown)"
  echo "build: $(grep -m1 CMAKE_BUILD_TYPE: "$build/CMakeCache.txt" | cut -d= -f2)"
  echo "filesystem of the store benchmarks: $(df -T "${MPSEC_BENCH_DIR:-${TMPDIR:-/tmp}}" | awk 'NR == 2 {print $2, $1}')"
  echo "load before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "filter: $filter"
  echo "min_time: $min_time s, repetitions: $reps (aggregates only)"
} | tee "$machine" >&2

"$bench" --benchmark_filter="$filter" \
  --benchmark_min_time="$min_time" \
  --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true \
  --benchmark_out="$out" --benchmark_out_format=json
echo "load after the run: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$machine" >&2
echo "wrote $out and $machine" >&2
