#!/usr/bin/env bash
# Dependencies between the folders of src/ point one way (DESIGN.md section 3): a folder may
# include its own headers and those of folders ranked below it, never above or beside it.
set -euo pipefail
src=${1:?usage: layering_test.sh SRC_DIR}
declare -A rank=([base]=0 [codec]=1 [crypto]=2 [tree]=3 [schedule]=4 [record]=5
                 [mls]=6 [central]=6 [blind]=6 [conference]=7 [store]=8 [net]=9)
bad=0
for dir in "$src"/*/; do
  mod=$(basename "$dir")
  [[ -n "${rank[$mod]+x}" ]] || { echo "unranked folder src/$mod: add it to $0"; bad=1; continue; }
  while IFS= read -r line; do
    file=${line%%:*}
    inc=$(sed -E 's/.*#include "([a-z_]+)\/.*/\1/' <<<"$line")
    [[ "$inc" == "$mod" || "$inc" == "mpsec" ]] && continue
    if [[ -z "${rank[$inc]+x}" ]] || (( rank[$inc] >= rank[$mod] )); then
      echo "src/$mod may not include \"$inc/...\": $file"
      bad=1
    fi
  done < <(grep -rHE '^#include "[a-z_]+/' "$dir" || true)
done
exit $bad
