#!/usr/bin/env bash
# `s3fcp | head -c 100`: when the reader goes away, s3fcp stops quietly with exit 141 (nothing on stderr) and head
# got the object's first 100 bytes. Also with transfers in flight when the pipe breaks: a 64 MiB object in 1 MiB
# chunks whose later parts are delayed 1 s (the first chunk alone overflows the pipe, so the break comes while 16
# requests wait for headers), and one whose later parts stall mid-body for 60 s (exit must not wait for them: the
# 20 s hang guard would turn that into 124). Fewer requests than parts are made: the transfers are stopped.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
export S3FCP_TIMEOUT=20

pipe_head() { # ARGS...: s3fcp ARGS | head -c 100, checks exit 141/0, empty stderr, the right 100 bytes
  local st
  # The pipeline runs on the left of `||` so that errexit and the ERR trap leave its statuses to PIPESTATUS.
  { s3fcp "$@" 2>"$STDERR" | head -c 100 >"$TMP/head"; st=("${PIPESTATUS[@]}"); } || true
  if [[ ${st[*]} != "141 0" ]]; then
    say "s3fcp $* | head -c 100 exited ${st[*]}, want '141 0': $(head -c 500 "$STDERR")"
    return 1
  fi
  assert_empty "$STDERR"
  cmp -s "$TMP/head" <(head -c 100 "$OBJ") || { say "the first 100 bytes differ"; return 1; }
}

fault_obj pipe small.bin $((8 * 1024 * 1024 + 3))
start_fault_server ""
pipe_head s3://pipe/small.bin --chunk-size 64KiB -c 8
pipe_head s3://pipe/small.bin --chunk-size 64KiB -c 1

BIG=$((64 * 1024 * 1024))
fault_obj pipe big.bin $BIG
start_fault_server '{"rules": [{"match": {"has_if_match": true}, "delay": 1, "times": -1}]}'
pipe_head s3://pipe/big.bin --chunk-size 1MiB -c 16
assert_requests -lt 64

start_fault_server '{"rules": [{"match": {"has_if_match": true}, "fault": "stall", "after": 1000, "seconds": 60,
  "times": -1}]}'
t0=$(ms_now)
pipe_head s3://pipe/big.bin --chunk-size 1MiB -c 16
say "stalled transfers: exit 141 after $(($(ms_now) - t0)) ms"
assert_requests -lt 64
say "ok"
