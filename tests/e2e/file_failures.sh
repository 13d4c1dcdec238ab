#!/usr/bin/env bash
# How a file download ends when it fails. Permanent failures leave nothing behind, neither the target nor the
# temporary file nor the journal: not found (3), access denied mid-download (4), the object changed mid-download
# (5), a checksum mismatch (7). Retries exhausted (6) keep the partial download and its journal and say so in the
# one error line; --continue then finishes it sha-exact without fetching the finished chunks again. Directories
# made for the file (aws s3 cp makes them too) go again with a permanent failure.
# The checksum HEAD stays on (FAULT_CHECKSUM) for the mismatch case.
source "$(dirname "$0")/common.sh"
FAULT_CHECKSUM=on
source "$(dirname "$0")/fault_common.sh"
# Until main.cpp routes a file DEST to download_to_file (see docs/file-destination.md), there is nothing to test.
CHUNK=65536 SIZE=$((2 * 1024 * 1024 + 10))
fault_obj flt k.bin "$SIZE"
OUT=$TMP/out
DEST=$OUT/k.bin
read -r MIDDLE MIDDLE_END < <(part_range 20 $CHUNK "$SIZE")
ARGS=(--chunk-size 64KiB -c 4 "${NO_HEDGE[@]}")

# permanent CODE PLAN KEY [ARGS...]: the download fails with CODE and nothing is left in $OUT.
permanent() {
  local code=$1 plan=$2 key=$3
  shift 3
  restore_obj flt k.bin
  rm -rf "$OUT"
  mkdir -p "$OUT"
  start_fault_server "$plan"
  expect_exit "$code" s3fcp "s3://flt/$key" "$DEST" "${ARGS[@]}" "$@"
  assert_one_line "$STDERR"
  assert_not_contains "$STDERR" "--continue"
  [[ -z $(ls -A "$OUT") ]] || { say "exit $code left behind: $(ls -A "$OUT")"; return 1; }
  say "exit $code: $(cat "$STDERR")"
}

permanent 3 "" missing.bin
permanent 4 '{"rules": [{"match": {"range_start": '"$MIDDLE"', "has_if_match": true}, "fault": "status",
  "status": 403, "code": "AccessDenied"}]}' k.bin
permanent 5 '{"rules": [{"match": {"range_start": '"$MIDDLE"', "has_if_match": true}, "change_object": true,
  "content_seed": 7}]}' k.bin
permanent 7 '{"rules": [{"match": {"method": "HEAD"}, "headers": {"x-amz-checksum-crc64nvme": "AAAAAAAAAAA="},
  "times": -1}]}' k.bin
assert_contains "$STDERR" "checksum mismatch"
# Directories that did not exist are made for the file, and taken back when it fails for good...
DEST=$OUT/made/for/k.bin permanent 3 "" missing.bin
# ...and kept with it when it is in place. A file where a directory must go is a write error (8).
expect_exit 0 s3fcp s3://flt/k.bin "$OUT/made/here/" "${ARGS[@]}"
assert_sha "$OUT/made/here/k.bin" "$(local_path flt k.bin)"
expect_exit 8 s3fcp s3://flt/k.bin "$OUT/made/here/k.bin/x" "${ARGS[@]}"
assert_one_line "$STDERR"
assert_contains "$STDERR" "$OUT/made/here/k.bin is not a directory"

# Retries exhausted: kept, and finished by --continue.
restore_obj flt k.bin
rm -rf "$OUT"
mkdir -p "$OUT"
start_fault_server '{"rules": [{"match": {"range_start": '"$MIDDLE"', "has_if_match": true}, "fault": "status",
  "status": 503, "code": "SlowDown", "times": -1}]}'
expect_exit 6 s3fcp s3://flt/k.bin "$DEST" "${ARGS[@]}" --max-attempts 2
assert_one_line "$STDERR"
assert_contains "$STDERR" "$MIDDLE-$MIDDLE_END"
assert_contains "$STDERR" "partial download kept"
assert_contains "$STDERR" "rerun with --continue"
[[ ! -e $DEST && -f $OUT/.k.bin.s3fcp-partial && -f $OUT/.k.bin.s3fcp-journal ]] ||
  { say "after exit 6 want the partial file and journal only, have: $(ls -A "$OUT")"; false; }
say "exit 6: $(cat "$STDERR")"
start_fault_server ""
expect_exit 0 s3fcp s3://flt/k.bin "$DEST" "${ARGS[@]}" --continue
assert_sha "$DEST" "$(local_path flt k.bin)"
[[ $(ls -A "$OUT") == k.bin ]] || { say "left behind after --continue: $(ls -A "$OUT")"; false; }
assert_requests -eq 0 "start == 0"  # the probe's chunk was journaled before the 503s
sent=$(log_eval bytes_sent | awk '{ s += $1 } END { print s + 0 }')
((sent < SIZE)) || { say "--continue fetched $sent bytes, the whole object again"; false; }
say "ok"
