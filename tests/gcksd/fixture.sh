# Shared by the multi-process tests of mpsec-gcksd: sourced, never run. Real processes on
# loopback: one daemon, member processes fed through FIFOs, everything under a temporary
# folder removed on exit. Usage: source fixture.sh BIN_DIR (holding mpsec and mpsec-gcksd).
set -euo pipefail
fx_bin=$(cd "${1:?usage: source fixture.sh BIN_DIR}" && pwd)
mpsec=$fx_bin/mpsec
gcksd=$fx_bin/mpsec-gcksd
work=$(mktemp -d /tmp/mpsec-gcksd-test.XXXXXX)
fx_pids=()
declare -A member_pid
fx_cleanup() {
  local rc=$?
  for p in "${fx_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  if [ "$rc" -ne 0 ]; then
    echo "--- FAILED (exit $rc); logs:" >&2
    for f in "$work"/*.log; do echo "--- $f" >&2; tail -40 "$f" >&2; done
  fi
  rm -rf "$work"
}
trap fx_cleanup EXIT
cd "$work"
export MPSEC_ADMIN_SOCKET=$work/gcksd.sock

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }

# fx_wait FILE PATTERN [AFTER_LINE] [SECONDS]: until FILE has a line matching PATTERN after
# line AFTER_LINE.
fx_wait() {
  local file=$1 pattern=$2 after=${3:-0} secs=${4:-15}
  local tries=$((secs * 10))
  for _ in $(seq "$tries"); do
    tail -n +$((after + 1)) "$file" 2>/dev/null | grep -q -- "$pattern" && return 0
    sleep 0.1
  done
  fail "timed out after ${secs}s waiting for \"$pattern\" in $file"
}

lines() { if [ -f "$1" ]; then wc -l <"$1"; else echo 0; fi; }

# fx_keys NAME...: the GCKS's key, the storage master key and one identity per member.
fx_keys() {
  "$mpsec" keygen --out gcks --name gcks >/dev/null
  "$mpsec" keygen --storage-key --out storage.key >/dev/null
  for m in "$@"; do "$mpsec" keygen --out "$m" --name "$m" >/dev/null; done
}

# fx_config GRAPH NAME...: a daemon configuration with group "g" on a random multicast group,
# allowing the named members as senders.
fx_config() {
  local graph=$1
  shift
  mport=$((20000 + RANDOM % 30000))
  maddr="239.255.$((RANDOM % 250 + 1)).$((RANDOM % 250 + 1)):$mport"
  {
    printf '[server]\nlisten = "127.0.0.1:0"\nadmin_socket = "gcksd.sock"\nstore = "gcksd.db"\n'
    printf 'master_key_file = "storage.key"\nsigning_key_file = "gcks.key"\n'
    printf 'multicast_interface = "127.0.0.1"\n\n'
    printf '[[groups]]\nid = "g"\ncipher_suite = 1\nkey_graph = "%s"\nmulticast = "%s"\n' \
      "$graph" "$maddr"
    printf 'heartbeat_ms = 300\nsign = true\n'
    for m in "$@"; do
      printf '\n[[groups.allow]]\npublic_key_file = "%s.pub"\nrole = "sender"\n' "$m"
    done
  } >gcksd.toml
}

# Starts the daemon and waits until it serves; the port the kernel gave is written back into
# the configuration, so a restarted daemon listens where the members reconnect.
fx_start_daemon() {
  local from
  from=$(lines gcksd.log)
  "$gcksd" --config gcksd.toml >>gcksd.log 2>&1 &
  gcksd_pid=$!
  fx_pids+=("$gcksd_pid")
  fx_wait gcksd.log "mpsec-gcksd ready" "$from"
  port=$(grep -o 'listening for members on 127.0.0.1:[0-9]*' gcksd.log | tail -1 | sed 's/.*://')
  sed -i "s/^listen = .*/listen = \"127.0.0.1:$port\"/" gcksd.toml
}

fx_kill_daemon() {
  kill -9 "$gcksd_pid" 2>/dev/null || true
  wait "$gcksd_pid" 2>/dev/null || true
}

# fx_member NAME [ARGS...]: starts `mpsec join` for NAME in the background, its standard input
# a FIFO (fd_NAME) and its output NAME.log.
fx_member() {
  local m=$1
  shift
  rm -f "$m.in"
  mkfifo "$m.in"
  "$mpsec" join --gcks "127.0.0.1:$port" --group "${FX_GROUP:-g}" --key "$m.key" --gcks-pub gcks.pub \
    --multicast "${FX_MADDR:-$maddr}" --name "$m" "$@" <"$m.in" >>"$m.log" 2>&1 &
  member_pid[$m]=$!
  fx_pids+=("$!")
  eval "exec {fd_$m}>$m.in"
}

fx_send() {
  local m=$1
  shift
  local fd="fd_$m"
  echo "$*" >&"${!fd}"
}

# Deregisters NAME (SIGTERM) and waits for its process.
fx_leave() {
  kill -TERM "${member_pid[$1]}" 2>/dev/null || true
  wait "${member_pid[$1]}" 2>/dev/null || true
}

# fx_json EXPR: evaluates a Python expression over `mpsec gcks status --json` (bound to s).
fx_json() {
  "$mpsec" gcks status --json | python3 -c "import json,sys; s=json.load(sys.stdin); print($1)"
}
