#!/usr/bin/env bash
# The object changes mid-download (the server rewrites it while a middle part is requested, so that request's
# If-Match gets 412): exit 5 with one stderr line saying the object changed, no retry of the 412, and stdout a
# correct prefix of the ORIGINAL object, strictly shorter than it. Both for a change of size (bytes appended) and
# for new content of the same size (only If-Match/ETag can tell). Hedging is off here (fault_hedge.sh covers a 412
# on a hedge).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 10))
fault_obj chg k.bin "$SIZE"
read -r S _ < <(part_range 30 $CHUNK "$SIZE")

for how in '"append": "MORE"' '"content_seed": 7'; do
  restore_obj chg k.bin
  start_fault_server '{"rules": [
    {"match": {"range_start": '"$S"', "has_if_match": true}, "change_object": true, '"$how"'}
  ]}'
  expect_exit 5 s3fcp s3://chg/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "changed"
  assert_short_prefix "$STDOUT" "$OBJ"
  assert_requests -eq 1 "start == $S and status == 412"
  assert_requests -eq 1 "start == $S" # a 412 is never retried
  say "$how: $(stat -c %s "$STDOUT") bytes written; $(cat "$STDERR")"
done
say "ok"
