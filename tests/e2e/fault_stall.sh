#!/usr/bin/env bash
# A stalled transfer (headers and 1000 body bytes, then 30 s of silence) is abandoned after --read-timeout 2 and
# resumed from byte start+1000 with the same If-Match; the copy is sha-exact. (No timing assertion: the log proves
# that the resume happened while the stalled response was still open.) With hedging off, only the read timeout can
# rescue it; with the defaults (hedging on) it is rescued one way or the other, also from start+1000. When the part stalls again on every
# resume (no byte after the first 1000), --read-timeout 1 --max-attempts 2 ends in exit 6 with one stderr line
# that names the range and the timeout, and a correct prefix on stdout.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((2 * 1024 * 1024 + 999))
fault_obj stall k.bin "$SIZE"
ETAG=$(etag_of "$OBJ")
read -r S E < <(part_range 9 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "stall", "after": 1000, "seconds": 30}
]}'
fetch_ok stall k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --read-timeout 2
assert_requests -eq 1 "start == $S and fault == 'stall' and bytes_sent == 1000"
assert_requests -eq 1 "start == $((S + 1000)) and end == $E and if_match == '$ETAG' and status == 206"

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "stall", "after": 1000, "seconds": 30}
]}'
fetch_ok stall k.bin --chunk-size 64KiB -c 8 --read-timeout 2
# A hedge may start before the stalled response's 1000 bytes are in, so the rescue asks from S or from S+1000.
assert_requests -ge 1 "$S <= start <= $((S + 1000)) and end == $E and if_match == '$ETAG' and fault is None"

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "stall", "after": 1000, "seconds": 30, "times": -1},
  {"match": {"range_start": '"$((S + 1000))"'}, "fault": "stall", "after": 0, "seconds": 30, "times": -1}
]}'
run_timed 6 s3fcp s3://stall/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8 --read-timeout 1 --max-attempts 2
assert_one_line "$STDERR"
assert_short_prefix "$STDOUT" "$OBJ"
assert_contains "$STDERR" "$((S + 1000))-$E"
assert_grep "$STDERR" 'stall|time|no data|no byte|slow'
say "ok (stalled forever: exit 6 after $ELAPSED_MS ms: $(cat "$STDERR"))"
