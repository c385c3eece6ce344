#!/usr/bin/env bash
# The daemon killed with SIGKILL at random points of bursts of joins and leaves, and
# restarted each time. Afterwards: every running member is admitted and on the current epoch
# and reads the group's traffic; every acknowledged departure stays departed; the store never
# restored a sequence number below one already sent; no rekey sequence number was ever sent
# with two different contents; no member saw a forged rekey.
# Usage: crash_test.sh BIN_DIR [ROUNDS] [SEED]
source "$(dirname "$0")/fixture.sh" "${1:?usage: crash_test.sh BIN_DIR [ROUNDS] [SEED]}"
rounds=${2:-6}
seed=${3:-$$}
RANDOM=$seed
echo "crash test: $rounds rounds, seed $seed (rerun: crash_test.sh BIN_DIR $rounds $seed)"

all=(m1 m2 m3 m4 m5 m6 m7 m8 m9 m10)
fx_keys "${all[@]}"
fx_config lkh "${all[@]}"
fx_start_daemon
declare -A running
for m in m1 m2 m3; do fx_member "$m"; running[$m]=1; done
for m in m1 m2 m3; do fx_wait "$m.log" "joined group g"; done

rand_sleep() { sleep "0.$((RANDOM % 9 + 1))"; }

# One burst: a few joins and leaves at random moments; the daemon dies somewhere inside it.
burst() {
  local kill_after=$((RANDOM % 6))
  for step in 0 1 2 3 4 5; do
    [ "$step" = "$kill_after" ] && { fx_kill_daemon; echo "  daemon killed (step $step)"; }
    local m=${all[$((RANDOM % ${#all[@]}))]}
    if [ -n "${running[$m]:-}" ]; then
      fx_leave "$m"
      unset "running[$m]"
      echo "  $m leaves"
    else
      fx_member "$m"
      running[$m]=1
      echo "  $m joins"
    fi
    rand_sleep
  done
}

for r in $(seq "$rounds"); do
  echo "round $r"
  burst
  if ! kill -0 "$gcksd_pid" 2>/dev/null; then :; else fx_kill_daemon; echo "  daemon killed (end)"; fi
  sent_before=$(grep -o 'rekey [0-9]* digest' gcksd.log | awk '{print $2}' | sort -n | tail -1)
  fx_start_daemon
  restored=$(grep -o 'restored from the store at rekey [0-9]*' gcksd.log | tail -1 | awk '{print $NF}')
  [ "${restored:-0}" -ge "${sent_before:-0}" ] ||
    fail "restored at rekey $restored but rekey $sent_before was already sent"
done
pass "every restart resumed at or after the last rekey sent"

# Convergence: every running member admitted and on the daemon's epoch.
deadline=$((SECONDS + 40))
while :; do
  seq=$(fx_json 's["groups"][0]["seq"]')
  names=$(fx_json '" ".join(sorted(m["name"] for m in s["groups"][0]["members"]))')
  behind=()
  for m in "${!running[@]}"; do
    grep -qw "$m" <<<"$names" || { behind+=("$m:not-admitted"); continue; }
    last=$(grep -oE '(joined group g in slot [0-9]+ \(epoch|new epoch|restored by the GCKS \(epoch) [0-9]+' "$m.log" |
      tail -1 | grep -oE '[0-9]+$' || echo 0)
    [ "$last" = "$seq" ] || behind+=("$m:$last/$seq")
  done
  [ ${#behind[@]} -eq 0 ] && break
  [ $SECONDS -lt $deadline ] || fail "not converged: ${behind[*]}"
  sleep 0.5
done
pass "all ${#running[@]} running members admitted and on epoch $seq"

for m in "${all[@]}"; do
  [ -n "${running[$m]:-}" ] && continue
  # A departure the daemon acknowledged stays acknowledged (the member said so before exiting,
  # unless it registered again later).
  last_left=$(grep -n "left the group" "$m.log" 2>/dev/null | tail -1 | cut -d: -f1 || true)
  last_join=$(grep -n "joined group g" "$m.log" 2>/dev/null | tail -1 | cut -d: -f1 || true)
  if [ -n "$last_left" ] && [ "${last_join:-0}" -lt "$last_left" ] && grep -qw "$m" <<<"$names"; then
    fail "$m's acknowledged departure was lost"
  fi
done
pass "no acknowledged departure was lost"

sender=$(printf '%s\n' "${!running[@]}" | sort | head -1)
fx_send "$sender" "final word"
for m in "${!running[@]}"; do [ "$m" = "$sender" ] || fx_wait "$m.log" "final word"; done
pass "every running member reads the group's traffic"

dups=$(grep -o 'rekey [0-9]* digest [0-9a-f]*' gcksd.log | sort -u | awk '{print $2}' | uniq -d)
[ -z "$dups" ] || fail "rekey sequence numbers sent with different contents: $dups"
pass "no rekey sequence number reused ($(grep -c 'digest' gcksd.log) rekeys sent)"
for m in "${all[@]}"; do
  [ -f "$m.log" ] || continue
  grep -qE 'forged [1-9]' "$m.log" && fail "$m saw a forged rekey"
  epochs=$(grep -oE 'new epoch [0-9]+' "$m.log" | awk '{print $3}' || true)
  [ "$epochs" = "$(sort -n <<<"$epochs")" ] || fail "$m's epochs went backwards"
done
pass "no member saw a forged rekey or an epoch going back"
echo "crash test: all passed"
