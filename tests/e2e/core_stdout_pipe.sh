#!/usr/bin/env bash
# Streaming into a pipe: in order into sha256sum; into `head -c 100` it stops quietly with 141 (broken pipe).
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
start_moto
mkbucket pipe
mkobj pipe stream.bin $((24 * 1024 * 1024 + 11))
want=$(sha256sum <"$OBJ")

# The pipelines run on the left of `||` so that errexit and the ERR trap leave their statuses to PIPESTATUS.
{ s3fcp s3://pipe/stream.bin --chunk-size 1MiB -c 16 2>"$STDERR" | sha256sum >"$TMP/sum"; st=("${PIPESTATUS[@]}"); } || true
[[ ${st[*]} == "0 0" ]] || { say "s3fcp | sha256sum exited ${st[*]}: $(cat "$STDERR")"; false; }
[[ $(cat "$TMP/sum") == "$want" ]] || { say "sha256 through the pipe differs"; false; }
assert_empty "$STDERR"

for args in "--chunk-size 1MiB -c 16" "-c 1"; do
  # shellcheck disable=SC2086 # word splitting of $args is intended
  { s3fcp s3://pipe/stream.bin $args 2>"$STDERR" | head -c 100 >"$TMP/head"; st=("${PIPESTATUS[@]}"); } || true
  [[ ${st[*]} == "141 0" ]] || { say "s3fcp $args | head -c 100 exited ${st[*]}, want '141 0': $(cat "$STDERR")"; false; }
  assert_empty "$STDERR"
  cmp -s "$TMP/head" <(head -c 100 "$OBJ") || { say "first 100 bytes differ"; false; }
done
say "ok"
