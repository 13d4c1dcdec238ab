#!/usr/bin/env bash
# A 206 whose Content-Range does not match the range asked for (start/end moved by one byte, or a different total)
# is never written: once, the part is asked again and the copy is sha-exact; forever with --max-attempts 3, the
# range is tried exactly 3 times, then exit 6 with one stderr line and a correct prefix on stdout. Without the
# Content-Range check the body (right bytes, wrong label) would be accepted silently; with the shift the check must
# compare start and end, with the total it must compare the total. A first answer that lied about the total (every
# later answer disagrees with it): each range is asked at most twice, then exit 1 naming the malformed Content-Range,
# not ten attempts per range; so too when the one range past the real end is refused with 416.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 4321))
fault_obj wcr k.bin "$SIZE"
read -r S E < <(part_range 19 $CHUNK "$SIZE")
read -r T F < <(part_range 33 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "wrong_content_range": true, "shift": 1},
  {"match": {"range_start": '"$T"', "has_if_match": true}, "wrong_content_range": true, "total": '"$((SIZE + 1))"'},
  {"match": {"nth": 1}, "wrong_content_range": true, "shift": -1}
]}'
fetch_ok wcr k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_requests -eq 2 "start == $S"
assert_requests -eq 1 "start == $S and end == $E and fault is None and status == 206"
assert_requests -eq 2 "start == $T"
assert_requests -eq 1 "start == $T and end == $F and fault is None and status == 206"
assert_requests -eq 2 "start == 0"

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "wrong_content_range": true, "shift": 1, "times": -1}
]}'
expect_exit 6 s3fcp s3://wcr/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --max-attempts 3
assert_one_line "$STDERR"
assert_short_prefix "$STDOUT" "$OBJ"
assert_requests -eq 3 "start == $S"
first_error=$(cat "$STDERR")

start_fault_server '{"rules": [
  {"match": {"nth": 1}, "wrong_content_range": true, "total": '"$((SIZE - 1))"'}
]}'
expect_exit 1 s3fcp s3://wcr/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --max-attempts 10
assert_one_line "$STDERR"
assert_contains "$STDERR" "malformed Content-Range"
assert_short_prefix "$STDOUT" "$OBJ"
assert_requests -le 2 "start == $CHUNK"
second_error=$(cat "$STDERR")

# The same lie, one byte too many, about an object of one whole chunk: the only other range, planned for that byte,
# is refused with 416, asked once more, then exit 1 naming the malformed first answer (not "range not satisfiable").
EVEN=$CHUNK
fault_obj wcr even.bin "$EVEN"
start_fault_server '{"rules": [
  {"match": {"nth": 1}, "wrong_content_range": true, "total": '"$((EVEN + 1))"'}
]}'
expect_exit 1 s3fcp s3://wcr/even.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --max-attempts 10
assert_one_line "$STDERR"
assert_contains "$STDERR" "malformed Content-Range in the first answer"
assert_prefix "$STDOUT" "$OBJ"  # all the object's real bytes, but not the size promised: never exit 0
assert_requests -eq 2 "start == $EVEN and status == 416"
say "ok ($first_error; $second_error; $(cat "$STDERR"))"
