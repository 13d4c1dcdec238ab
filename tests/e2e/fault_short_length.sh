#!/usr/bin/env bash
# A complete, valid HTTP response whose body is shorter than the Content-Range it claims (Content-Length 100 bytes
# short) is not taken as the part: the missing bytes are asked for again (the whole part, or just its tail), and the
# copy is sha-exact. Without the byte-count check the output would be 100 bytes short or shifted.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((3 * 1024 * 1024 + 3))
fault_obj shortlen k.bin "$SIZE"
ETAG=$(etag_of "$OBJ")
read -r S E < <(part_range 11 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "short_length": 100},
  {"match": {"range_start": 0, "has_if_match": false}, "short_length": 100}
]}'
fetch_ok shortlen k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_requests -eq 1 "start == $S and fault == 'short_length'"
assert_requests -eq 1 \
  "start in ($S, $((E - 99))) and end == $E and if_match == '$ETAG' and fault is None and status == 206"
assert_requests -eq 1 "start in (0, $((CHUNK - 100))) and end == $((CHUNK - 1)) and fault is None and status == 206"
say "ok"
