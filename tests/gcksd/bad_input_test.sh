#!/usr/bin/env bash
# Bad input at a high rate against the real daemon and real members: random framed messages,
# captured registration messages truncated, bit-flipped, extended and replayed, oversize
# frames and unframed garbage over TCP; random datagrams and captured rekeys, heartbeats and
# group data truncated, flipped and replayed on the multicast group. Nothing crashes, every
# message is counted, the daemon keeps serving its members, replayed and altered rekeys are
# refused, and a member admitted later cannot read the group data sent before it joined.
# Usage: bad_input_test.sh BIN_DIR [SECONDS]
here=$(cd "$(dirname "$0")" && pwd)
source "$here/fixture.sh" "${1:?usage: bad_input_test.sh BIN_DIR [SECONDS]}"
seconds=${2:-5}
flood="python3 $here/flood.py"

fx_keys alice bob carol late
fx_config lkh alice bob carol late
fx_start_daemon

# Capture real traffic: alice registers through a recording relay; the group's datagrams
# (heartbeats, rekeys, group data) are recorded while the group forms and talks.
mkdir cap
$flood capture "$maddr" 4 cap >capture.out &
capture_pid=$!
proxy_port=$((20000 + RANDOM % 30000))
$flood proxy "$proxy_port" "$port" cap &
fx_pids+=("$!")
sleep 0.5
real_port=$port
port=$proxy_port fx_member alice
port=$real_port
for m in bob carol; do fx_member "$m"; done
for m in alice bob carol; do fx_wait "$m.log" "joined group g"; done
fx_send alice "before late"
for m in bob carol; do fx_wait "$m.log" "before late"; done
"$mpsec" gcks rekey --group g >/dev/null
wait "$capture_pid"
echo "captured $(ls cap | grep -c tcp-) registration frames, $(cat capture.out) datagrams"
[ "$(ls cap | grep -c tcp-)" -ge 2 ] || fail "no registration frames captured"
fx_member late
fx_wait late.log "joined group g"

before=$(fx_json 's["server"]["messages"], s["server"]["tcp_oversize_frames"]')
read -r msg0 over0 < <(tr -d '(),' <<<"$before")
summary=$($flood attack "$port" "$maddr" cap "$seconds" "$RANDOM")
echo "sent: $summary"
get() { python3 -c "import json,sys; print(json.loads(sys.argv[1])['$1'])" "$summary"; }

kill -0 "$gcksd_pid" || fail "the daemon died"
# The daemon may still be working through what is queued: wait (bounded) for its counters.
for _ in $(seq 60); do
  after=$(fx_json 's["server"]["messages"], s["server"]["tcp_oversize_frames"], s["server"]["rejected"] + s["server"]["unknown_group"], s["groups"][0]["counters"]["malformed"]')
  read -r msg1 over1 rejected malformed < <(tr -d '(),' <<<"$after")
  [ $((msg1 - msg0)) -ge "$(get tcp_frames)" ] && break
  sleep 0.5
done
echo "daemon counted: $((msg1 - msg0)) messages, $((over1 - over0)) oversize frames, $rejected rejected, $malformed malformed"
[ $((msg1 - msg0)) -ge "$(get tcp_frames)" ] || fail "the daemon counted fewer messages than were sent"
[ $((over1 - over0)) -ge "$(get tcp_oversize_connections)" ] || fail "oversize frames not all counted"
[ "$rejected" -gt 0 ] && [ "$malformed" -gt 0 ] || fail "no rejection counted"
pass "the daemon survived $(get tcp_frames) bad frames on $(get tcp_connections) connections and counted each"

declare -A mark
for m in alice bob carol late; do mark[$m]=$(lines "$m.log"); done
"$mpsec" gcks rekey --group g >/dev/null
for m in alice bob carol late; do fx_wait "$m.log" "new epoch\|keys restored" "${mark[$m]}" 20; done
fx_send bob "after the flood"
for m in alice carol late; do fx_wait "$m.log" "after the flood" 0 20; done
pass "after $(get udp_datagrams) bad datagrams every member follows a rekey and reads the group"

grep -q "before late" late.log && fail "late read data sent before it joined"
grep -q "cannot read a group message" late.log ||
  fail "late did not report the replayed data from before it joined"
pass "a member admitted later cannot read the (replayed) data sent before it joined"

for m in alice bob carol late; do fx_leave "$m"; done
forged=0
dups=0
for m in alice bob carol late; do
  report=$(grep "refused" "$m.log" | tail -1)
  echo "$report"
  n=$(grep -oE 'refused [0-9]+' <<<"$report" | awk '{print $2}')
  [ "${n:-0}" -gt 0 ] || fail "$m counted no refused message"
  forged=$((forged + $(grep -oE 'forged [0-9]+' <<<"$report" | awk '{print $2}')))
  dups=$((dups + $(grep -oE 'duplicates [0-9]+' <<<"$report" | awk '{print $2}')))
  epochs=$(grep -oE 'new epoch [0-9]+' "$m.log" | awk '{print $3}' || true)
  [ "$epochs" = "$(sort -n <<<"$epochs")" ] || fail "$m's epoch went back"
done
[ "$forged" -gt 0 ] || fail "no altered rekey or heartbeat was refused as forged"
[ "$dups" -gt 0 ] || fail "no replayed rekey was refused as a duplicate"
pass "altered rekeys refused as forged ($forged), replayed ones as duplicates ($dups)"
echo "bad input: all passed"
