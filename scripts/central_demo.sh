#!/usr/bin/env bash
# The live demo of the centralized mode on loopback: scripts/central_demo.sh BIN_DIR
# (BIN_DIR holds mpsec and mpsec-gcksd). It starts the key server on an embedded SQLite store,
# five members join, talk, one is ejected, the daemon is killed and restarted, and the others
# go on. Everything it does is printed in plain words.
set -euo pipefail
bin=$(cd "${1:?usage: central_demo.sh BIN_DIR}" && pwd)
mpsec=$bin/mpsec
gcksd=$bin/mpsec-gcksd
work=$(mktemp -d /tmp/mpsec-demo.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
cd "$work"

say() { printf '\n== %s\n' "$*"; }
show() { sed 's/^/   /' "$@"; }
# Waits until a file holds a line matching a pattern (up to ~10 s), after line $3 if given.
wait_for() {
  local file=$1 pattern=$2 after=${3:-0}
  for _ in $(seq 100); do
    tail -n +$((after + 1)) "$file" 2>/dev/null | grep -q -- "$pattern" && return 0
    sleep 0.1
  done
  echo "timed out waiting for \"$pattern\" in $file" >&2
  show "$file" >&2
  exit 1
}

members=(alice bob carol dave erin)
say "Keys: the key server's identity, its storage master key, and one identity per member"
"$mpsec" keygen --out gcks --name gcks >/dev/null
"$mpsec" keygen --storage-key --out storage.key >/dev/null
for m in "${members[@]}"; do "$mpsec" keygen --out "$m" --name "$m" >/dev/null; done
ls -1 ./*.key ./*.pub | sed 's|^\./|   |'

mport=$((20000 + RANDOM % 30000))
maddr="239.255.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1)):$mport"
{
  cat <<TOML
# mpsec-gcksd configuration for the demo
[server]
listen = "127.0.0.1:0"
admin_socket = "gcksd.sock"
store = "gcksd.db"
master_key_file = "storage.key"
signing_key_file = "gcks.key"
multicast_interface = "127.0.0.1"

[[groups]]
id = "demo"
cipher_suite = 1
key_graph = "lkh"
degree = 4
multicast = "$maddr"
heartbeat_ms = 500
rekey_interval_s = 3600
sign = true
TOML
  for m in "${members[@]}"; do
    printf '\n[[groups.allow]]\npublic_key_file = "%s.pub"\nrole = "sender"\n' "$m"
  done
} >gcksd.toml
export MPSEC_ADMIN_SOCKET=$work/gcksd.sock

start_daemon() {
  local from
  from=$(wc -l <gcksd.log 2>/dev/null || echo 0)
  "$gcksd" --config gcksd.toml >>gcksd.log 2>&1 &
  gcksd_pid=$!
  pids+=("$gcksd_pid")
  wait_for gcksd.log "mpsec-gcksd ready" "$from"
  port=$(grep -o 'listening for members on 127.0.0.1:[0-9]*' gcksd.log | tail -1 | sed 's/.*://')
  # The members reconnect to the same address after a restart: keep the port the kernel gave.
  sed -i "s/^listen = .*/listen = \"127.0.0.1:$port\"/" gcksd.toml
}

say "Start the key server (mpsec-gcksd): group \"demo\", LKH key tree of degree 4, multicast $maddr"
start_daemon
show gcksd.log

say "Five members join: each registers over TCP (cookie, ephemeral DH, mutual signatures), receives its keys, and follows rekeys on multicast"
for m in "${members[@]}"; do
  mkfifo "$m.in"
  "$mpsec" join --gcks "127.0.0.1:$port" --group demo --key "$m.key" --gcks-pub gcks.pub \
    --multicast "$maddr" --name "$m" <"$m.in" >"$m.log" 2>&1 &
  pids+=("$!")
  eval "exec {fd_$m}>$m.in"
  wait_for "$m.log" "joined group demo"
done
sleep 1
for m in "${members[@]}"; do show "$m.log"; done

send() { local m=$1; shift; local fd="fd_$m"; echo "$*" >&"${!fd}"; }

say "Everyone talks: each message is encrypted and signed under the group's current epoch"
send alice "Hello everyone, this is Alice."
sleep 0.3
send erin "Erin here, hi!"
for m in alice bob carol dave; do wait_for "$m.log" "Erin here"; done
for m in bob erin; do echo "   -- what $m saw:"; grep '<' "$m.log" | show; done

say "The administrator ejects erin: the key server replaces every key erin knew and multicasts one signed rekey"
"$mpsec" gcks eject --group demo --name erin | show
wait_for erin.log "removed from the group"
sleep 0.5
grep "rekey" gcksd.log | tail -1 | show
echo "   -- erin's view:"
tail -1 erin.log | show

say "Alice sends after the ejection: the others read it, erin cannot"
send alice "Erin is gone; this is for the four of us."
for m in bob carol dave; do wait_for "$m.log" "four of us"; done
wait_for erin.log "cannot read a group message"
for m in bob erin; do echo "   -- $m:"; tail -1 "$m.log" | show; done

say "The key server is killed (SIGKILL) and restarted: it continues from its store"
"$mpsec" gcks status | show
kill -9 "$gcksd_pid"
wait "$gcksd_pid" 2>/dev/null || true
echo "   (killed)"
start_daemon
grep "restored" gcksd.log | show
"$mpsec" gcks status | show

say "After the restart the key server refreshes the group key; the remaining members follow"
declare -A mark
for m in alice bob carol dave; do mark[$m]=$(wc -l <"$m.log"); done
"$mpsec" gcks rekey --group demo | show
for m in alice bob carol dave; do wait_for "$m.log" "new epoch" "${mark[$m]}"; done
sleep 0.5
send bob "Still here after the restart."
for m in alice carol dave; do wait_for "$m.log" "after the restart"; done
for m in alice bob carol dave; do echo "   -- $m:"; tail -2 "$m.log" | show; done
echo "   -- erin:"
tail -1 erin.log | show

say "Done: five members joined, exchanged signed and encrypted messages, erin was ejected and could not read what followed, and the key server survived a SIGKILL without the members noticing more than a new epoch."
