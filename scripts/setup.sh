#!/usr/bin/env bash
# Installs the Debian packages mpsec needs to build and test, with apt-get only.
# Idempotent: when every package is present it installs nothing.
set -euo pipefail

packages=(
  cmake ninja-build g++ ccache pkg-config
  clang-14 libclang-rt-14-dev clang-format
  libssl-dev libexpected-dev libasio-dev libsqlite3-dev libcli11-dev
  libspdlog-dev libfmt-dev nlohmann-json3-dev libtomlplusplus-dev libzstd-dev
  libgtest-dev libgmock-dev libbenchmark-dev python3
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi

sudo=()
if [ "$(id -u)" -ne 0 ]; then sudo=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
echo "setup: installing ${missing[*]}"
# Try the cached package lists first; refresh them only if that fails.
if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
