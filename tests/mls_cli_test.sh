#!/usr/bin/env bash
# Three members driven through `mpsec mls`, each command a separate process (so the state
# must survive every restart): create, add two by key packages, exchange application
# messages, update, remove one; the removed member cannot read what follows.
set -euo pipefail
MPSEC=${1:?usage: mls_cli_test.sh MPSEC_BINARY}
SUITE=${2:-1}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
m() { "$MPSEC" mls "$@"; }
expect_fail() { if "$@" >/dev/null 2>&1; then echo "FAIL: expected failure: $*"; exit 1; fi; }

for who in alice bob carol; do m identity --suite "$SUITE" --name "$who" --state "$who"; done
m key-package --state bob --out bob.kp
m key-package --state carol --out carol.kp
m create --state alice --group-id cli-group
m add --state alice --key-package bob.kp carol.kp --commit-out c1 --welcome-out w1
m join --state bob --welcome w1
m join --state carol --welcome w1

printf 'hello from alice' > p1
m protect --state alice --in p1 --out m1
m unprotect --state bob --in m1 --out bob.p1
m unprotect --state carol --in m1 --out carol.p1
cmp p1 bob.p1 && cmp p1 carol.p1
expect_fail m unprotect --state bob --in m1 --out again  # a replay

m update --state bob --commit-out c2
m process --state alice --in c2
m process --state carol --in c2
printf 'hello from carol' > p2
m protect --state carol --in p2 --out m2
m unprotect --state alice --in m2 --out alice.p2 && cmp p2 alice.p2

m remove --state alice --member carol --commit-out c3
m process --state bob --in c3
m process --state carol --in c3 | grep -q "this member was removed"
printf 'after carol left' > p3
m protect --state alice --in p3 --out m3
m unprotect --state bob --in m3 --out bob.p3 && cmp p3 bob.p3
expect_fail m unprotect --state carol --in m3 --out carol.p3

# Alice and Bob agree on the epoch, the tree and the exporter; Carol is out.
a=$(m status --state alice --json); b=$(m status --state bob --json)
[ "$(echo "$a" | grep -o '"epoch_authenticator":"[0-9a-f]*"')" = "$(echo "$b" | grep -o '"epoch_authenticator":"[0-9a-f]*"')" ]
echo "$a" | grep -q '"epoch":3'
[ "$(m export --state alice --label test --context x)" = "$(m export --state bob --label test --context x)" ]
m status --state carol --json | grep -q '"active":false'

# A fourth member joins by external commit from a GroupInfo.
m identity --suite "$SUITE" --name dave --state dave
m group-info --state alice --out gi
m external-join --state dave --group-info gi --commit-out c4
m process --state alice --in c4
m process --state bob --in c4
printf 'hello dave' > p4
m protect --state bob --in p4 --out m4
m unprotect --state dave --in m4 --out dave.p4 && cmp p4 dave.p4
echo "mls cli: three members, update, removal, external join: ok (suite $SUITE)"
