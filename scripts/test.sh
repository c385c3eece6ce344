#!/usr/bin/env bash
# Sets up, builds and runs every test: the whole suite in the default preset, again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a smoke run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
for preset in default asan; do
  echo "== $preset: build"
  ./scripts/build.sh "$preset"
  echo "== $preset: test"
  ctest --preset "$preset"
done
echo "== fuzz: build"
./scripts/build.sh fuzz
echo "== fuzz: smoke run"
./scripts/fuzz-smoke.sh 20
echo "== all tests passed"
