#!/usr/bin/env bash
# A middle part whose first request waits 3 s for its headers becomes the chunk the writer waits for; s3fcp may
# send a second request for it (a hedge). Whatever answers those extra requests get, the usual rules hold:
# (1) a 412 (the object changed: the first extra request rewrites the object) fails the download with exit 5 at
#     once, one stderr line, a correct prefix -- it is never answered with yet another request for the range;
# (2) 503 SlowDown on every extra request is backed off like any 503: at most --max-attempts (10) requests for the
#     range in all, never a storm; the download ends with exit 0 (sha-exact, the slow first request delivers) or 6.
# A binary that does not hedge at all passes both trivially (one request for the range, exit 0, sha-exact).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 10))
fault_obj hedge k.bin "$SIZE"
read -r S _ < <(part_range 30 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "delay": 3},
  {"match": {"range_start": '"$S"', "has_if_match": true}, "change_object": true, "append": "MORE"}
]}'
code=0
s3fcp s3://hedge/k.bin --chunk-size 64KiB -c 8 >"$STDOUT" 2>"$STDERR" || code=$?
n=$(request_count "start == $S")
say "412 on the extra request: exit $code, $n requests for range $S: $(head -c 300 "$STDERR")"
# Only a second request for the range can change the object (the delayed first one is aborted when s3fcp stops,
# so the server may never log it): exit 0 means no hedge happened, anything else must be the 412's exit 5.
if ((code == 0)); then
  soft assert_sha "$STDOUT" "$OBJ"
else
  ((code == 5)) || soft_fail "an extra request for $S got 412, yet exit $code (want 5)"
  soft assert_one_line "$STDERR"
  soft assert_short_prefix "$STDOUT" "$OBJ"
  soft assert_requests -le 2 "start == $S" # the first request and one hedge; none after the 412
fi

restore_obj hedge k.bin
start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "delay": 3},
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "status", "status": 503, "code": "SlowDown",
   "times": -1}
]}'
code=0
s3fcp s3://hedge/k.bin --chunk-size 64KiB -c 8 >"$STDOUT" 2>"$STDERR" || code=$?
n=$(request_count "start == $S")
say "503 on every extra request: exit $code, $n requests for range $S"
soft assert_requests -le 10 "start == $S"
case $code in
  0) soft assert_sha "$STDOUT" "$OBJ" ;;
  6) soft assert_one_line "$STDERR"; soft assert_short_prefix "$STDOUT" "$OBJ" ;;
  *) soft_fail "exit $code, want 0 or 6: $(head -c 300 "$STDERR")" ;;
esac
finish "both cases"
