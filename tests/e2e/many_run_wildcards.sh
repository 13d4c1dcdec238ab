#!/usr/bin/env bash
# s3fcp run's wildcards, as s5cmd reads them, so that its batch files work: in an S3 SOURCE, '*' (any run of
# characters, '/' included) and '?' (one character) select the keys listed below the part before the first wildcard
# ('[' is literal: `data/[b]/*` copies data/[b]/q.csv as q.csv), each copied beneath DEST by its path from the last
# '/' before the wildcard (--flatten: by its last part); a local SOURCE with wildcards, or a directory (`dir/`: its
# files as named below it; `dir`: below dir/), uploads each file below DEST's prefix. --raw takes '*' and '?'
# literally; a dry run writes --raw where a name holds one, so that run reads it back. A line that matches nothing,
# a wildcard with --version-id, a key that would leave DEST, or many files to one key: that line fails, the others
# run. --shard splits by key.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

for key in data/x.csv data/y.csv data/sub/z.csv data/sub/n.txt database.csv 'data/[b]/q.csv' 'lit/a*b' lit/aXb; do
  fault_obj wc "$key" 100
done
odd_key wc 'bad/../../escape.csv' 'escaped!'
start_fault_server ""
D=$TMP/d
names() { (cd "$1" 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ') || true; }
same() { cmp -s "$FAULT_DATA/wc/$1" "$2" || soft_fail "$2 is not s3://wc/$1"; }

printf '%s\n' "cp 's3://wc/data/*' $D/all/" "cp 's3://wc/data/*.csv' $D/csv" \
  "cp --flatten 's3://wc/data/*.csv' $D/flat/" "cp 's3://wc/data/su?/*' $D/q/" "cp 's3://wc/data*' $D/top/" \
  "cp 's3://wc/data/[b]/*' $D/bracket/" "cp --raw 's3://wc/lit/a*b' $D/raw/" "cp 's3://wc/lit/a*b' $D/lit/" \
  "cp 's3://wc/none/*' $D/none/" "cp --version-id v1 's3://wc/data/*' $D/ver/" "cp 's3://wc/bad/*' $D/bad/" \
  "cp -f 's3://wc/data/*.csv' $D/flat-f/" >"$TMP/ops"
expect_exit 11 s3fcp run "$TMP/ops" --stats json
[[ $(names "$D/all") == '[b]/q.csv sub/n.txt sub/z.csv x.csv y.csv ' ]] || soft_fail "all: $(names "$D/all")"
[[ $(names "$D/csv") == '[b]/q.csv sub/z.csv x.csv y.csv ' ]] || soft_fail "csv: $(names "$D/csv")"
[[ $(names "$D/flat") == 'q.csv x.csv y.csv z.csv ' ]] || soft_fail "flat: $(names "$D/flat")"
[[ $(names "$D/flat-f") == 'q.csv x.csv y.csv z.csv ' ]] || soft_fail "-f (s5cmd's --flatten): $(names "$D/flat-f")"
[[ $(names "$D/q") == 'sub/n.txt sub/z.csv ' ]] || soft_fail "su?: $(names "$D/q")"
[[ $(names "$D/top") == 'data/[b]/q.csv data/sub/n.txt data/sub/z.csv data/x.csv data/y.csv database.csv ' ]] ||
  soft_fail "top: $(names "$D/top")"
[[ $(names "$D/bracket") == 'q.csv ' ]] || soft_fail "bracket: $(names "$D/bracket")"
[[ $(names "$D/raw") == 'a*b ' ]] || soft_fail "raw: $(names "$D/raw")"
[[ $(names "$D/lit") == 'a*b aXb ' ]] || soft_fail "lit: $(names "$D/lit")"
same data/sub/z.csv "$D/all/sub/z.csv"
same data/sub/z.csv "$D/flat/z.csv"
same 'lit/a*b' "$D/raw/a*b"
assert_failures 3
assert_contains "$TMP/failures" "line 9: no object matches s3://wc/none/*"
assert_contains "$TMP/failures" "line 10: --version-id names one object, not a wildcard's"
assert_contains "$TMP/failures" "line 11: refused: key has a '..' segment (it would not stay inside the directory)"
[[ ! -e $D/none && ! -e $D/ver && -z $(find "$TMP" -name escape.csv) ]] || soft_fail "a failed line wrote something"
assert_items "summary['copied'] == 5 + 4 + 4 + 2 + 6 + 1 + 1 + 2 + 4 and summary['failed'] == 3"

# A dry run writes each copy as a line that run reads back to the same copy: --raw where a name holds '*' or '?'.
echo "cp 's3://wc/lit/*' $D/dry/" >"$TMP/dry-ops"
expect_exit 0 s3fcp --dry-run run "$TMP/dry-ops"
printf '%s\n' "cp --raw 's3://wc/lit/a*b' '$D/dry/a*b'" "cp s3://wc/lit/aXb $D/dry/aXb" >"$TMP/want"
cmp -s "$STDOUT" "$TMP/want" || { say "dry run:"; diff "$TMP/want" "$STDOUT" >&9 || true; exit 1; }
cp "$STDOUT" "$TMP/back"
: >"$REQUEST_LOG"
expect_exit 0 s3fcp run "$TMP/back" -q
[[ $(log_eval key "op == 'get'" | LC_ALL=C sort | tr '\n' ' ') == 'lit/a*b lit/aXb ' ]] || { log_dump >&9; exit 1; }
[[ $(names "$D/dry") == 'a*b aXb ' ]] || soft_fail "read back: $(names "$D/dry")"

# Uploads: a local wildcard, a directory with and without its '/', --flatten, into a prefix or the bucket's top.
L=$TMP/l
mkdir -p "$L/src/sub"
echo 1 >"$L/src/a.bin"
echo 2 >"$L/src/sub/b.bin"
echo 3 >"$L/src/c.txt"
printf '%s\n' "cp '$L/src/*.bin' s3://wc/up1/" "cp $L/src/ s3://wc/up2/" "cp $L/src s3://wc/up3/" \
  "cp --flatten '$L/src/*' s3://wc/up4/" "cp '$L/src/c*' s3://wc" "cp '$L/src/*.none' s3://wc/up5/" \
  "cp '$L/src/*' s3://wc/one-key" >"$TMP/up"
: >"$REQUEST_LOG"
expect_exit 11 s3fcp run "$TMP/up"
puts=$(log_eval key "op == 'put'" | LC_ALL=C sort | tr '\n' ' ')
want='c.txt up1/a.bin up1/sub/b.bin up2/a.bin up2/c.txt up2/sub/b.bin up3/src/a.bin up3/src/c.txt '
want+='up3/src/sub/b.bin up4/a.bin up4/b.bin up4/c.txt '
[[ $puts == "$want" ]] || soft_fail "PUTs: $puts"
cmp -s "$FAULT_DATA/wc/up3/src/sub/b.bin" "$L/src/sub/b.bin" || soft_fail "up3/src/sub/b.bin"
assert_failures 2
assert_contains "$TMP/failures" "line 6: no file matches $L/src/*.none"
assert_contains "$TMP/failures" "line 7: $L/src/* names many files: DEST must be s3://bucket/ or a prefix ending in '/'"

# --shard splits a wildcard's copies by key: the shards' union is the line's copies, each once.
echo "cp 's3://wc/data/*' $D/shard/" >"$TMP/shard-ops"
for k in 0 1; do
  : >"$REQUEST_LOG"
  expect_exit 0 s3fcp --shard $k/2 run "$TMP/shard-ops" -q
  log_eval key "op == 'get'" >"$TMP/got$k"
  mapfile -t keys <"$TMP/got$k"
  [[ -z $(many_tool shard 2 "${keys[@]}" | grep -v "^$k\$") ]] || { say "shard $k copied another's key"; exit 1; }
done
got=$(cat "$TMP/got0" "$TMP/got1" | LC_ALL=C sort | tr '\n' ' ')
[[ $got == 'data/[b]/q.csv data/sub/n.txt data/sub/z.csv data/x.csv data/y.csv ' ]] || { say "shards: $got"; exit 1; }
finish
