#!/usr/bin/env bash
# A body that ends early with a clean FIN (Content-Length promised more) is resumed from the first missing byte:
# the next request for that part asks bytes=(start+received)-end with the same If-Match; sha-exact.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((3 * 1024 * 1024 + 3)) MISSING=5000
fault_obj short k.bin "$SIZE"
ETAG=$(etag_of "$OBJ")
read -r S E < <(part_range 13 $CHUNK "$SIZE")
# The last, short part too: 3 bytes long, so it gets a short body of 1 byte missing.
read -r L LE < <(part_range $((SIZE / CHUNK)) $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "short_body": '"$MISSING"'},
  {"match": {"range_start": '"$L"', "has_if_match": true}, "short_body": 1}
]}'
fetch_ok short k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
got=$((CHUNK - MISSING))
assert_requests -eq 1 "start == $S and fault == 'short_body' and bytes_sent == $got"
assert_requests -eq 1 "start == $((S + got)) and end == $E and if_match == '$ETAG' and status == 206"
assert_requests -eq 1 "start == $((LE)) and end == $LE and if_match == '$ETAG' and status == 206"
say "ok"
