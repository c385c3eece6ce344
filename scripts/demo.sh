#!/usr/bin/env bash
# The main job: sets up, builds, prints the live self-test of every cipher suite, and runs the
# live group demo of the centralized mode on loopback (scripts/central_demo.sh), on the
# embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
./scripts/build.sh default mpsec mpsec-gcksd
echo "== The cipher suites mpsec offers, each self-tested live (AEAD, signature, HPKE)"
build/default/apps/mpsec/mpsec suites
exec ./scripts/central_demo.sh build/default/apps/mpsec
