#!/usr/bin/env bash
# The object changes between an interrupted file download and its --continue: both with new content of the same
# size (only the ETag can tell) and with bytes appended. The resumed requests carry If-Match with the journal's
# ETag, so the server answers 412: exit 5 (the Changed code) with one line saying the object changed since the
# interrupted download and resuming is refused; no byte of the new object is fetched, and nothing is left behind
# (no file, no temporary, no journal). A fresh run then downloads the new object.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
# Until main.cpp routes a file DEST to download_to_file (see docs/file-destination.md), there is nothing to test.
CHUNK=65536 SIZE=$((2 * 1024 * 1024 + 10))
fault_obj chg k.bin "$SIZE"
SERVED=$FAULT_DATA/chg/k.bin
OUT=$TMP/out
DEST=$OUT/k.bin
read -r STALLED _ < <(part_range 3 $CHUNK "$SIZE")
ARGS=(--chunk-size 64KiB -c 4 "${NO_HEDGE[@]}")

for how in same-size appended; do
  restore_obj chg k.bin
  rm -rf "$OUT"
  mkdir -p "$OUT"
  start_fault_server '{"rules": [{"match": {"range_start": '"$STALLED"', "has_if_match": true}, "fault": "stall",
    "after": 1000, "seconds": 60, "times": -1}]}'
  start_bg "$STDOUT" "$STDERR" s3://chg/k.bin "$DEST" "${ARGS[@]}" --read-timeout 60
  wait_for_log 1 "fault == 'stall'"
  wait_for_log 8 "status == 206 and fault is None"
  signal_and_reap INT 130
  [[ -f $OUT/.k.bin.s3fcp-journal ]] || { say "no journal after SIGINT"; false; }

  if [[ $how == same-size ]]; then
    head -c "$SIZE" /dev/urandom >"$SERVED.new" && mv -f "$SERVED.new" "$SERVED"
  else
    printf 'MORE' >>"$SERVED"
  fi
  start_fault_server ""
  expect_exit 5 s3fcp s3://chg/k.bin "$DEST" "${ARGS[@]}" --continue
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "changed since the interrupted download"
  assert_contains "$STDERR" "resuming is refused"
  assert_requests -ge 1 "status == 412"
  assert_requests -eq 0 "status == 206"
  [[ -z $(ls -A "$OUT") ]] || { say "left behind after a refused resume: $(ls -A "$OUT")"; false; }
  say "$how: $(cat "$STDERR")"

  expect_exit 0 s3fcp s3://chg/k.bin "$DEST" "${ARGS[@]}"
  assert_sha "$DEST" "$SERVED"
done
say "ok"
