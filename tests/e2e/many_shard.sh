#!/usr/bin/env bash
# --shard K/N: the shards of a copy are disjoint and together are the whole copy, each key where batch/shard.h's
# contract puts it (the first 8 bytes of SHA-256, big-endian, mod N, computed here independently): downloads by the
# full key (so listing the bucket or the prefix puts a key in the same shard), uploads by the path relative to DIR
# (the same shards whatever the destination prefix), run files by the object's key. Bad K/N: exit 2, no request.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

fault_tree shd p/ 150 21
ALL=$FAULT_DATA/shd/p
start_fault_server ""

# Downloads, three shards, then the same keys listed from the bucket's root.
for k in 0 1 2; do
  expect_exit 0 s3fcp -r s3://shd/p/ "$TMP/down$k" --shard $k/3 --stats json
  assert_items "summary['failed'] == 0 and summary['copied'] > 20"
done
many_tool shard-check 3 p/ "$ALL" "$TMP/down0" "$TMP/down1" "$TMP/down2" 2>&9
expect_exit 0 s3fcp -r s3://shd/ "$TMP/root1" --shard 1/3 -q
assert_same_tree "$TMP/down1" "$TMP/root1/p"
gets=$(request_count "op == 'get'")
((gets == 150 + $(file_count "$TMP/down1"))) || { say "$gets GETs"; exit 1; }

# A dry run's shards: the same split, without a GET.
: >"$REQUEST_LOG"
for k in 0 1 2; do
  expect_exit 0 s3fcp -r s3://shd/p/ "$TMP/down$k" --shard $k/3 --dry-run
  lines=$(wc -l <"$STDOUT")
  ((lines == $(file_count "$TMP/down$k"))) || { say "dry run of shard $k: $lines lines"; exit 1; }
done
assert_requests -eq 0 "op == 'get'"

for bad in 3/3 1/0 x 0/2/3 -1/2 1 ' 0/2' 0/1000001; do
  expect_exit 2 s3fcp -r s3://shd/p/ "$TMP/bad" --shard "$bad"
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "--shard"
done
assert_requests -eq 0 "op == 'get'"

# Uploads: by the relative path, so two destinations split the same way.
SRC=$TMP/src
make_tree "$SRC" 60 22
for k in 0 1; do
  expect_exit 0 s3fcp -r "$SRC/" s3://shd/up/ --shard $k/2 -q
  expect_exit 0 s3fcp -r "$SRC/" s3://shd/elsewhere/deeper/ --shard $k/2 -q
  mkdir -p "$TMP/up$k"
  mv "$FAULT_DATA/shd/up" "$TMP/up$k/" && mv "$FAULT_DATA/shd/elsewhere" "$TMP/up$k/"
done
many_tool shard-check 2 "" "$SRC" "$TMP/up0/up" "$TMP/up1/up" 2>&9
assert_same_tree "$TMP/up0/up" "$TMP/up0/elsewhere/deeper"
assert_same_tree "$TMP/up1/up" "$TMP/up1/elsewhere/deeper"

# run: its lines split by the object's key; a line that cannot run is reported by every shard.
start_fault_server ""
# Names that need no escaping in single quotes and hold no control character.
(cd "$ALL" && find . -type f -name '[a-z]*' ! -name '*[[:cntrl:]]*' ! -name "*[\"'\\\\]*" -printf '%P\n' |
  head -n 40) >"$TMP/names"
: >"$TMP/ops"
# --raw: a name's '*' and '?' are its own, not wildcards.
while IFS= read -r name; do echo "cp --raw 's3://shd/p/$name' '$TMP/run/$name'" >>"$TMP/ops"; done <"$TMP/names"
echo "cp s3://shd/p/x" >>"$TMP/ops"  # no DEST: fails in both shards
total=0
for k in 0 1; do
  : >"$REQUEST_LOG"
  expect_exit 11 s3fcp --shard $k/2 run "$TMP/ops" -q
  assert_failures 1
  log_eval key "op == 'get'" >"$TMP/got$k"
  total=$((total + $(wc -l <"$TMP/got$k")))
  mapfile -t keys <"$TMP/got$k"
  [[ -z $(many_tool shard 2 "${keys[@]}" | grep -v "^$k\$") ]] || { say "shard $k copied another's key"; exit 1; }
done
((total == $(wc -l <"$TMP/names"))) || { say "$total GETs for $(wc -l <"$TMP/names") lines"; exit 1; }
[[ $(cat "$TMP/got0" "$TMP/got1" | sort -u | wc -l) == "$total" ]]
while IFS= read -r name; do cmp "$ALL/$name" "$TMP/run/$name"; done <"$TMP/names"
(($(file_count "$TMP/run") == total))
say "ok"
