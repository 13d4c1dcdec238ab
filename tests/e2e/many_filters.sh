#!/usr/bin/env bash
# --include / --exclude (fnmatch on the name below the prefix: '*' crosses '/', '?' is one UTF-8 character, [[] and
# [*] literal, exclude wins whatever the order), --dry-run (`cp SOURCE DEST` lines on stdout, quoted so that
# `s3fcp run` reads them back; no GET, no PUT, no directory made) and --skip-existing (same size and the same MD5
# as the object's MD5 ETag: no request for it; the same size with other bytes, or another size: copied again; from a
# key list or a run line, where the size is not known, a HEAD first; s5cmd's -s on a run line is the same),
# downloads and uploads.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

KEYS=('logs/2024/a.log' 'logs/2024/b.log' 'logs/c.txt' 'a.log' 'é.log' 'data/x.csv' 'data/.hidden' 'img/p.png'
  'weird [x].txt' 'star*.txt' 'q?.txt' 'README')
for k in "${KEYS[@]}"; do
  mkdir -p "$(dirname "$FAULT_DATA/flt/p/$k")"
  echo "$k" >"$FAULT_DATA/flt/p/$k"
done
# Beside q/logs/: keys that only begin with "logs" (not below the folder s3://flt/q/logs names).
for k in q/logs/a.log q/logs/2024/b.log q/logsheet.txt q/logs.old/c.log; do
  mkdir -p "$(dirname "$FAULT_DATA/flt/$k")"
  echo "$k" >"$FAULT_DATA/flt/$k"
done
start_fault_server ""

# selects WANT ARGS...: -r with ARGS copies exactly the keys WANT (space-separated names below p/, sorted).
selects() {
  local want=$1 out=$TMP/sel-$RANDOM got
  shift
  : >"$REQUEST_LOG"
  expect_exit 0 s3fcp -r s3://flt/p/ "$out" "$@" -q
  got=$( (cd "$out" 2>/dev/null && find . -type f | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ') || true)
  [[ -z $want ]] || want+=" "
  if [[ $got != "$want" ]]; then
    say "with $*: copied [$got], want [$want]"
    return 1
  fi
  [[ $(get_keys | sed 's|^p/||' | LC_ALL=C sort | tr '\n' ' ') == "$want" ]] || { say "GETs: $(get_keys)"; return 1; }
}
soft selects 'a.log logs/2024/a.log logs/2024/b.log é.log' --include '*.log'
soft selects 'a.log é.log' --include '*.log' --exclude 'logs/*'
soft selects 'a.log é.log' --exclude 'logs/*' --include '*.log'
soft selects 'a.log logs/2024/a.log logs/2024/b.log logs/c.txt é.log' --include '*.log' --include 'logs/*'
soft selects 'a.log é.log' --include '?.log'
soft selects 'logs/2024/a.log logs/2024/b.log' --include 'logs/20??/?.log'
soft selects 'weird [x].txt' --include '*[[]x]*'
soft selects 'star*.txt' --include '*[*]*'
soft selects 'q?.txt' --include '*[?]*'
soft selects 'data/.hidden data/x.csv' --include 'data/*'
soft selects 'README a.log data/.hidden data/x.csv img/p.png q?.txt star*.txt weird [x].txt é.log' --exclude 'logs/*'
soft selects '' --exclude '*'
[[ -z $(find "$TMP" -maxdepth 1 -name 'sel-*' -empty) ]] || soft_fail "a copy of nothing made its directory"
# Below another prefix the names are shorter: 2024/a.log.
out=$TMP/sub
expect_exit 0 s3fcp -r s3://flt/p/logs "$out" --include '2024/*' -q
[[ $(cd "$out" && find . -type f | LC_ALL=C sort | tr '\n' ' ') == "./2024/a.log ./2024/b.log " ]] ||
  soft_fail "p/logs: $(find "$out")"
# A prefix without its slash names the folder, as with aws s3 cp --recursive: q/logsheet.txt is not "sheet.txt".
out=$TMP/folder
expect_exit 0 s3fcp -r s3://flt/q/logs "$out" -q
[[ $(cd "$out" && find . -type f | LC_ALL=C sort | tr '\n' ' ') == "./2024/b.log ./a.log " ]] ||
  soft_fail "q/logs: $(find "$out")"
expect_exit 0 s3fcp -r s3://flt/q/logs "$TMP/folder-dry" --dry-run
printf '%s\n' "cp s3://flt/q/logs/2024/b.log $TMP/folder-dry/2024/b.log" "cp s3://flt/q/logs/a.log $TMP/folder-dry/a.log" \
  >"$TMP/want-folder-dry"
cmp -s "$STDOUT" "$TMP/want-folder-dry" || { diff "$TMP/want-folder-dry" "$STDOUT" >&9 || true; soft_fail "q/logs dry run"; }
expect_exit 2 s3fcp -r s3://flt/p/ "$TMP/x" --include ''
assert_contains "$STDERR" "--include: the pattern is empty"
# The AWS CLI's "only these" idiom would copy nothing here (exclude wins): refused before any request, saying so.
: >"$REQUEST_LOG"
expect_exit 2 s3fcp -r s3://flt/p/ "$TMP/x" --exclude '*' --include '*.log'
assert_contains "$STDERR" "the AWS CLI's --exclude '*' --include '*.log' is --include '*.log' alone"
assert_requests -eq 0

# --dry-run: one cp line per selected object, nothing fetched, nothing made.
: >"$REQUEST_LOG"
expect_exit 0 s3fcp -r s3://flt/p/ "$TMP/dry" --dry-run --exclude 'logs/*' --stats json
printf '%s\n' "cp s3://flt/p/README $TMP/dry/README" "cp s3://flt/p/a.log $TMP/dry/a.log" \
  "cp s3://flt/p/data/.hidden $TMP/dry/data/.hidden" "cp s3://flt/p/data/x.csv $TMP/dry/data/x.csv" \
  "cp s3://flt/p/img/p.png $TMP/dry/img/p.png" "cp --raw 's3://flt/p/q?.txt' '$TMP/dry/q?.txt'" \
  "cp --raw 's3://flt/p/star*.txt' '$TMP/dry/star*.txt'" "cp 's3://flt/p/weird [x].txt' '$TMP/dry/weird [x].txt'" \
  "cp s3://flt/p/é.log $TMP/dry/é.log" >"$TMP/want-dry"
cmp -s "$STDOUT" "$TMP/want-dry" ||
  { say "dry run printed:"; diff "$TMP/want-dry" "$STDOUT" >&9 || true; soft_fail "dry run"; }
assert_requests -eq 0 "op != 'list'"
[[ ! -e $TMP/dry ]] || soft_fail "the dry run made $TMP/dry"
assert_items "len(items) == 9 and all(i['result'] == 'dry-run' for i in items) and summary['copied'] == 9"
assert_contains "$STDERR" "s3fcp: dry run: 9 copied, 0 skipped, 0 failed"
# The AWS CLI's spellings: --dryrun is --dry-run; --only-show-errors is -q (no summary), --no-progress keeps it.
expect_exit 0 s3fcp -r s3://flt/p/ "$TMP/dry" --dryrun --exclude 'logs/*' --only-show-errors
cmp -s "$STDOUT" "$TMP/want-dry" || soft_fail "--dryrun printed other lines"
assert_empty "$STDERR"
expect_exit 0 s3fcp -r s3://flt/p/ "$TMP/dry" --dryrun --exclude 'logs/*' --no-progress
assert_one_line "$STDERR"
assert_contains "$STDERR" "s3fcp: dry run: 9 copied, 0 skipped, 0 failed"

# A dry run's lines are a run file: hostile names read back by `s3fcp run` give the very tree.
fault_tree flt hostile/ 120 3 --safe-for-moto
expect_exit 0 s3fcp -r s3://flt/hostile/ "$TMP/via-run" --dry-run
[[ $(wc -l <"$STDOUT") == 120 ]] || soft_fail "the dry run printed $(wc -l <"$STDOUT") lines, not 120"
cp "$STDOUT" "$TMP/ops"
expect_exit 0 s3fcp run "$TMP/ops" --stats json
assert_items "summary['copied'] == 120"
soft assert_same_tree "$FAULT_DATA/flt/hostile" "$TMP/via-run"

# Uploads: the same filters on the relative path; a dry run sends nothing.
SRC=$TMP/src
make_tree "$SRC" 40 5
mkdir -p "$SRC/logs/deep"
echo one >"$SRC/logs/deep/one.log"
echo two >"$SRC/two.log"
start_fault_server ""
expect_exit 0 s3fcp -r "$SRC" s3://flt/up --include '*.log' --exclude 'logs/*' --dry-run
[[ $(cat "$STDOUT") == "cp $SRC/two.log s3://flt/up/two.log" ]] || soft_fail "upload dry run: $(cat "$STDOUT")"
assert_requests -eq 0
expect_exit 0 s3fcp -r "$SRC/" s3://flt/up/ --include '*.log'
[[ $(log_eval key "op == 'put'" | sort | tr '\n' ' ') == "up/logs/deep/one.log up/two.log " ]] ||
  soft_fail "PUTs: $(log_eval key)"

# --skip-existing, down: the same size and MD5 is skipped without a request; the same size with other bytes (the
# listing's ETag is the object's MD5) and another size are fetched again.
DEST=$TMP/skip
expect_exit 0 s3fcp -r s3://flt/p/ "$DEST" -q
echo "a.lOg" >"$DEST/a.log"            # the same size, other bytes
echo "longer than before" >"$DEST/README" # another size
: >"$REQUEST_LOG"
expect_exit 0 s3fcp -r s3://flt/p/ "$DEST" --skip-existing --stats json
assert_items "summary['copied'] == 2 and summary['skipped'] == ${#KEYS[@]} - 2"
assert_items "sorted(i['source'] for i in items if i['result'] == 'copied') == ['s3://flt/p/README', 's3://flt/p/a.log']"
[[ $(get_keys | sort | tr '\n' ' ') == "p/README p/a.log " && $(cat "$DEST/a.log") == a.log &&
  $(cat "$DEST/README") == README ]] || soft_fail "--skip-existing: GETs $(get_keys), a.log $(cat "$DEST/a.log")"
# The same from a key list and from run lines, where no listing tells the size and ETag: a HEAD for each key whose
# file exists, then a GET where it differs; a missing file is fetched without a HEAD.
printf '%s\n' "${KEYS[@]}" >"$TMP/keys.txt"
echo "A.log" >"$DEST/a.log"
echo "longer than before" >"$DEST/README"
rm "$DEST/img/p.png"
: >"$REQUEST_LOG"
expect_exit 0 s3fcp --files-from "$TMP/keys.txt" s3://flt/p/ "$DEST" --skip-existing --stats json
assert_items "summary['copied'] == 3 and summary['skipped'] == ${#KEYS[@]} - 3"
[[ $(get_keys | tr '\n' ' ') == "p/README p/a.log p/img/p.png " && $(cat "$DEST/a.log") == a.log ]] ||
  soft_fail "--files-from --skip-existing: GETs $(get_keys), a.log $(cat "$DEST/a.log")"
assert_requests -eq $((${#KEYS[@]} - 1)) "method == 'HEAD'"
assert_same_tree "$FAULT_DATA/flt/p" "$DEST"
echo "A.log" >"$DEST/a.log"
printf 'cp --skip-existing s3://flt/p/a.log %s/a.log\ncp -s s3://flt/p/README %s/README\n' "$DEST" "$DEST" \
  >"$TMP/skip-ops.txt"
: >"$REQUEST_LOG"
expect_exit 0 s3fcp run "$TMP/skip-ops.txt" --stats json
assert_items "[i['result'] for i in sorted(items, key=lambda i: i['line'])] == ['copied', 'skipped']"
[[ $(get_keys) == p/a.log && $(cat "$DEST/a.log") == a.log ]] || soft_fail "run -s: GETs $(get_keys)"
# --skip-existing, up: a HEAD per file, a PUT only where the size differs. The HEADs go out together (each 0.5 s
# late here: one after the other, 40 of them would take 20 s, and the hang guard is 60 s).
echo "changed size" >"$SRC/two.log"
expect_exit 0 s3fcp -r "$SRC/" s3://flt/up/ -q
start_fault_server '{"rules": [{"match": {"method": "HEAD"}, "delay": 0.5, "times": -1}]}'
S3FCP_TIMEOUT=15 expect_exit 0 s3fcp -r "$SRC/" s3://flt/up/ --skip-existing --stats json
assert_items "summary['copied'] == 0 and summary['skipped'] == 42"
assert_requests -eq 42 "method == 'HEAD'"
assert_requests -eq 0 "op == 'put'"
echo "changed size again" >"$SRC/two.log"
start_fault_server ""
expect_exit 0 s3fcp -r "$SRC/" s3://flt/up/ --include '*.log' --skip-existing --stats json
assert_items "summary['copied'] == 1 and summary['skipped'] == 1"
[[ $(log_eval key "op == 'put'") == up/two.log ]] || soft_fail "PUTs: $(log_eval key "op == 'put'")"
echo "changed size agaiN" >"$SRC/two.log"  # the same size, other bytes: the HEAD's ETag (an MD5) tells
start_fault_server ""
expect_exit 0 s3fcp -r "$SRC/" s3://flt/up/ --include '*.log' --skip-existing --stats json
assert_items "summary['copied'] == 1 and summary['skipped'] == 1"
[[ $(log_eval key "op == 'put'") == up/two.log ]] || soft_fail "PUTs: $(log_eval key "op == 'put'")"
finish
