#!/usr/bin/env bash
# A later part answers with an ETag header different from the one the probe pinned (the server still honours the
# If-Match, so only the response header tells): exit 5, one stderr line saying the object changed, stdout a correct
# prefix, strictly shorter than the object.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 10))
fault_obj etag k.bin "$SIZE"
read -r S _ < <(part_range 30 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "etag_header": "\"0123456789abcdef0123456789abcdef\""}
]}'
expect_exit 5 s3fcp s3://etag/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_one_line "$STDERR"
assert_contains "$STDERR" "changed"
assert_short_prefix "$STDOUT" "$OBJ"
assert_requests -eq 1 "start == $S and fault == 'etag_header'"
say "ok ($(stat -c %s "$STDOUT") bytes written; $(cat "$STDERR"))"
