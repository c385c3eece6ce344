#!/usr/bin/env bash
# Configures and builds one CMake preset: scripts/build.sh <preset> [targets...]
set -euo pipefail
cd "$(dirname "$0")/.."
preset=${1:?usage: scripts/build.sh <preset> [targets...]}
shift
cmake --preset "$preset" >/dev/null
if [ $# -gt 0 ]; then
  cmake --build --preset "$preset" --target "$@"
else
  cmake --build --preset "$preset"
fi
