#!/usr/bin/env bash
# Sets up, builds and runs every test: the whole suite in the default preset, again under
# AddressSanitizer + UndefinedBehaviorSanitizer, then a smoke run of every fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
# Each stage says how long it took, so the CI log shows where the time goes.
stage() { echo "== $1 (at ${SECONDS}s)"; }
for preset in default asan; do
  stage "$preset: build"
  ./scripts/build.sh "$preset"
  stage "$preset: test"
  ctest --preset "$preset"
done
stage "fuzz: build"
./scripts/build.sh fuzz
stage "fuzz: smoke run"
./scripts/fuzz-smoke.sh 20
stage "all tests passed"
