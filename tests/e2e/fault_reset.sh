#!/usr/bin/env bash
# A connection reset mid-body is resumed from the first missing byte: after a reset at N body bytes of a middle part
# the next request asks Range bytes=(start+N)-end with the same If-Match, and nothing is written twice (sha-exact).
# Three resets in a row on one part resume at start+N, start+2N, start+3N; a reset on the probe resumes it too.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 5)) N=10000
fault_obj rst k.bin "$SIZE"
ETAG=$(etag_of "$OBJ")
read -r S E < <(part_range 21 $CHUNK "$SIZE")
read -r T F < <(part_range 40 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "reset_after": '"$N"'},
  {"match": {"range_start": '"$T"', "has_if_match": true}, "reset_after": '"$N"'},
  {"match": {"range_start": '"$((T + N))"', "has_if_match": true}, "reset_after": '"$N"'},
  {"match": {"range_start": '"$((T + 2 * N))"', "has_if_match": true}, "reset_after": '"$N"'},
  {"match": {"range_start": 0, "has_if_match": false}, "reset_after": 3000}
]}'
fetch_ok rst k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
# The faulted request really sent N bytes, then the resume asked for exactly the rest, with the same If-Match.
assert_requests -eq 1 "start == $S and end == $E and fault == 'reset_after' and bytes_sent == $N"
assert_requests -eq 1 "start == $((S + N)) and end == $E and if_match == '$ETAG' and status == 206"
assert_requests -eq 0 "start == $S and fault is None" # no whole-part re-request
assert_requests -eq 2 "end == $E"
for k in 1 2 3; do
  assert_requests -eq 1 "start == $((T + k * N)) and end == $F and if_match == '$ETAG'"
done
assert_requests -eq 4 "end == $F"
# The probe (no If-Match yet) resumes at byte 3000; by then the ETag is known, so the resume carries it.
assert_requests -eq 1 "start == 0 and fault == 'reset_after'"
assert_requests -eq 1 "start == 3000 and end == $((CHUNK - 1)) and if_match == '$ETAG' and status == 206"
say "ok"
