#!/usr/bin/env bash
# The real daemon and real member processes on loopback: members join, talk, one is ejected
# and cannot read what follows, one deregisters, a revoked key is refused, a group created at
# run time by the administrator admits a member, and the daemon stops cleanly on SIGTERM.
# Usage: integration_test.sh BIN_DIR lkh|flat
source "$(dirname "$0")/fixture.sh" "${1:?usage: integration_test.sh BIN_DIR GRAPH}"
graph=${2:-lkh}

fx_keys alice bob carol dave erin
fx_config "$graph" alice bob carol dave
fx_start_daemon
for m in alice bob carol; do fx_member "$m"; done
for m in alice bob carol; do fx_wait "$m.log" "joined group g"; done
pass "three members registered"

fx_send alice "one from alice"
for m in bob carol; do fx_wait "$m.log" "<alice@[0-9]*> one from alice"; done
pass "a message from alice reached bob and carol"

fx_send alice "before dave"
for m in bob carol; do fx_wait "$m.log" "before dave"; done
fx_member dave
fx_wait dave.log "joined group g"
fx_send bob "hello dave"
for m in alice carol dave; do fx_wait "$m.log" "hello dave"; done
grep -q "before dave" dave.log && fail "dave read a message sent before he joined"
pass "dave joined later, reads what follows and nothing before"

[ "$(fx_json 'len(s["groups"][0]["members"])')" = 4 ] || fail "status does not list 4 members"
pass "status lists four members"

mark=$(lines carol.log)
"$mpsec" gcks eject --group g --name carol >/dev/null
fx_wait carol.log "removed from the group" "$mark"
fx_send alice "after carol"
for m in bob dave; do fx_wait "$m.log" "after carol"; done
fx_wait carol.log "cannot read a group message" "$mark"
grep -q "after carol" carol.log && fail "carol read a message sent after her ejection"
pass "carol was ejected and cannot read what followed"

fx_leave bob
fx_wait gcksd.log "bob left"
[ "$(fx_json 'sorted(m["name"] for m in s["groups"][0]["members"])')" = "['alice', 'dave']" ] ||
  fail "status after bob left: $(fx_json 's["groups"][0]["members"]')"
pass "bob deregistered (SIGTERM) and was removed"

"$mpsec" gcks revoke --group g --pub carol.pub >/dev/null
mark=$(lines carol.log)
fx_leave carol
fx_member carol
fx_wait carol.log "refused by the GCKS" "$mark"
pass "carol's revoked key is refused"

"$mpsec" gcks create --group g2 --multicast "239.255.77.$((RANDOM % 250 + 1)):$((20000 + RANDOM % 30000))" \
  --graph "$graph" >/dev/null
"$mpsec" gcks allow --group g2 --pub erin.pub --role sender >/dev/null
FX_GROUP=g2 FX_MADDR=$(fx_json '[g["multicast"] for g in s["groups"] if g["id"]=="g2"][0]') fx_member erin
fx_wait erin.log "joined group g2"
pass "a group created at run time admits erin"

[ "$(fx_json 's["server"]["rejected"]')" -ge 0 ] || fail "no counters"
kill -TERM "$gcksd_pid"
wait "$gcksd_pid" && rc=0 || rc=$?
[ "$rc" = 0 ] || fail "daemon exit code $rc on SIGTERM"
grep -q "stopped" gcksd.log || fail "no clean stop in the log"
pass "the daemon stopped cleanly on SIGTERM"
echo "integration ($graph): all passed"
