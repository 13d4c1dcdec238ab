#!/usr/bin/env bash
# Errors that no retry can fix fail at once, on a middle part just as on the probe: 403 AccessDenied -> exit 4,
# 404 NoSuchKey -> exit 3, 400 InvalidArgument -> exit 1; each with one stderr line naming the S3 code, the range
# requested exactly once (the log shows no retry), and stdout a correct prefix. A 403 on the probe exits 4 with
# nothing written; a 403 InvalidObjectState (an archived object) exits 1 and names restore-object.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 10))
fault_obj deny k.bin "$SIZE"
read -r S _ < <(part_range 30 $CHUNK "$SIZE")

for case in "403 AccessDenied 4" "404 NoSuchKey 3" "400 InvalidArgument 1"; do
  read -r status code want <<<"$case"
  start_fault_server '{"rules": [
    {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "status", "status": '"$status"',
     "code": "'"$code"'", "times": -1}
  ]}'
  soft expect_exit "$want" s3fcp s3://deny/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
  soft assert_one_line "$STDERR"
  soft assert_contains "$STDERR" "$code"
  soft assert_short_prefix "$STDOUT" "$OBJ"
  soft assert_requests -eq 1 "start == $S"
  say "$status $code: exit $want; $(head -n 1 "$STDERR")"
done

start_fault_server '{"rules": [{"match": {"nth": 1}, "fault": "status", "status": 403, "code": "AccessDenied"}]}'
expect_exit 4 s3fcp s3://deny/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_one_line "$STDERR"
assert_empty "$STDOUT"
assert_requests -eq 1

# An archived object (403 InvalidObjectState) is not an access problem: exit 1, with the way out named.
start_fault_server '{"rules": [{"match": {"nth": 1}, "fault": "status", "status": 403, "code": "InvalidObjectState"}]}'
expect_exit 1 s3fcp s3://deny/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_one_line "$STDERR"
assert_contains "$STDERR" "InvalidObjectState"
assert_contains "$STDERR" "restore-object"
finish "all cases"
