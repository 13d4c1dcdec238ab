#!/usr/bin/env bash
# Retries are bounded: 503 SlowDown forever on a middle part with --max-attempts 3 -> exactly 3 requests for that
# range, exit 6, and one stderr line naming the range, the status, the S3 code, the request id and the attempt
# count; stdout is a correct prefix. Connection resets before any body byte forever -> exit 6 the same way.
# Only requests WITHOUT progress count: resets after 5000 bytes forever on one 64 KiB part, with --max-attempts 3,
# still complete it (each resume moves on), sha-exact.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 10))
fault_obj exh k.bin "$SIZE"
read -r S E < <(part_range 30 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "status", "status": 503, "code": "SlowDown",
   "times": -1}
]}'
expect_exit 6 s3fcp s3://exh/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --max-attempts 3
assert_one_line "$STDERR"
assert_short_prefix "$STDOUT" "$OBJ"
assert_requests -eq 3 "start == $S"
assert_contains "$STDERR" "$S-$E"
assert_contains "$STDERR" "503"
assert_contains "$STDERR" "SlowDown"
assert_contains "$STDERR" "request id"
assert_contains "$STDERR" "3 attempts"
ids=$(log_eval request_id "start == $S")
found=""
for id in $ids; do grep -qF "$id" "$STDERR" && found=$id; done
[[ -n $found ]] || { say "stderr names none of the request ids of range $S ($ids)"; false; }
say "503 forever: $(cat "$STDERR")"

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "reset_after": 0, "times": -1}
]}'
expect_exit 6 s3fcp s3://exh/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --max-attempts 3
assert_one_line "$STDERR"
assert_short_prefix "$STDOUT" "$OBJ"
assert_requests -eq 3 "start == $S"
assert_contains "$STDERR" "$S-$E"
assert_contains "$STDERR" "3 attempts"
say "reset forever: $(cat "$STDERR")"

start_fault_server '{"rules": [
  {"match": {"has_if_match": true, "path_contains": "k.bin"}, "reset_after": 5000, "times": 14}
]}'
fetch_ok exh k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 1 --max-attempts 3
assert_requests -eq 14 "fault == 'reset_after'"
say "ok"
