#!/usr/bin/env bash
# The main job: sets up, builds, and runs the live demo on the embedded defaults.
# (Until a group mode lands, the demo is the cipher-suite self-test.)
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh default mpsec
exec build/default/apps/mpsec/mpsec suites
