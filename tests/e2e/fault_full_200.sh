#!/usr/bin/env bash
# A 200 with the whole object where a range was asked for. On the FIRST request it is the whole object: s3fcp
# streams it as the copy, sha-exact, with no other request (also through a 2-chunk window of 64 KiB, so the stream
# must pass the bounded window many times over). On a LATER part it is never used as the part: once, that range
# is asked again (exit 0, sha-exact); forever with --max-attempts 3, the range is tried exactly 3 times, then exit 6
# with one stderr line and a correct prefix of the object on stdout. A server that ignores Range on EVERY request
# (some emulators do) still gives a sha-exact copy.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((6 * 1024 * 1024 + 17))
fault_obj f200 k.bin "$SIZE"
read -r S E < <(part_range 25 $CHUNK "$SIZE")

for args in "-c 8" "-c 4 --window 2" "-c 1 --window 1"; do
  start_fault_server '{"rules": [{"match": {"nth": 1}, "full_200": true}]}'
  # shellcheck disable=SC2086 # word splitting of $args is intended
  fetch_ok f200 k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" $args
  soft assert_requests -eq 1
  assert_requests -eq 1 "status == 200 and fault == 'full_200' and bytes_sent == $SIZE"
done

start_fault_server '{"rules": [{"full_200": true, "times": -1}]}'
fetch_ok f200 k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_requests -eq 0 'status != 200'

start_fault_server '{"rules": [{"match": {"range_start": '"$S"', "has_if_match": true}, "full_200": true}]}'
fetch_ok f200 k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_requests -eq 1 "start == $S and status == 200"
assert_requests -eq 1 "start == $S and end == $E and status == 206"

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "full_200": true, "times": -1}
]}'
expect_exit 6 s3fcp s3://f200/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --max-attempts 3
assert_one_line "$STDERR"
assert_short_prefix "$STDOUT" "$OBJ"
assert_requests -eq 3 "start == $S"
finish "$(cat "$STDERR")"
