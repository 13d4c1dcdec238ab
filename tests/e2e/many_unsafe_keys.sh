#!/usr/bin/env bash
# Never outside DIR. A listing that holds keys with '..' or '.' or empty segments, a leading '/', NUL, backslashes,
# a key through a symlink planted in DIR (to a directory or a file outside), and the file/folder clash of `clash`
# and `clash/inner`: each unsafe key is refused before any request for it, on one line of its own (also a key with
# a newline in it), counted as failed (exit 11); the safe keys beside them are copied; folder markers are skipped
# silently; and `find` shows nothing new outside DIR, the symlinks' targets untouched, no temporary file left.
# Uploads: -r never follows a symlink (to a file or a directory) and does not hang on a FIFO; --files-from refuses
# '..', absolute and '//' paths, symlinks and the FIFO, one line each.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

WORK=$TMP/work
DIR=$WORK/dest
OUTSIDE=$WORK/outside
mkdir -p "$DIR" "$OUTSIDE/dir"
echo untouched >"$OUTSIDE/file"
ln -s "$OUTSIDE/dir" "$DIR/link"
ln -s "$OUTSIDE/file" "$DIR/flink"

# Safe keys, as files; the others where the fault server keeps keys without a faithful path.
mkdir -p "$FAULT_DATA/unsafe/p/dir" "$FAULT_DATA/unsafe/p/folder2"
echo ok >"$FAULT_DATA/unsafe/p/ok.txt"
echo ok2 >"$FAULT_DATA/unsafe/p/dir/ok2.txt"
echo child >"$FAULT_DATA/unsafe/p/folder2/child"
echo clash >"$FAULT_DATA/unsafe/p/clash"
printf 'safe\n' >"$FAULT_DATA/unsafe/p/nl"$'\n'"safe"
UNSAFE=('p/../escape1' 'p/a/../../escape2' 'p/..' 'p/x/..' 'p/./dot' 'p/a/./b' 'p/a/.' 'p/a//b' 'p//lead'
  'p/back\\slash' 'p/..\\..\\win' 'p/nul\x00byte' 'p/line1\nline2/../../x')
for key in "${UNSAFE[@]}"; do odd_key unsafe "$key" "escaped!"; done
odd_key unsafe 'p/link/pwned' 'through a symlink'
odd_key unsafe 'p/flink' 'over a symlink'
odd_key unsafe 'p/clash/inner' 'inner'
odd_key unsafe 'p/folder/' ''
odd_key unsafe 'p/folder2/' ''
REFUSED=$((${#UNSAFE[@]} + 2))
start_fault_server ""

snapshot() { (cd "$WORK" && find . -path ./dest -prune -o -printf '%p %y %s\n' | sort && md5sum outside/file); }
snapshot >"$TMP/before"

expect_exit 11 s3fcp -r s3://unsafe/p/ "$DIR" --stats json
snapshot >"$TMP/after"
cmp -s "$TMP/before" "$TMP/after" ||
  { say "something changed outside DIR:"; diff "$TMP/before" "$TMP/after" >&9 || true; exit 1; }
assert_no_temp "$WORK"
assert_empty "$STDOUT"
# One line per refused key (a key with a newline too) and one for the clash: whichever of `clash` and `clash/inner`
# lands second is reported, not half-written.
assert_failures $((REFUSED + 1))
assert_items "sum(i['result'] == 'failed' for i in items) == $REFUSED + 1 and summary['failed'] == $REFUSED + 1"
assert_items "summary['copied'] == 5 and summary['exit_code'] == 11"
assert_items "not any(i['source'].endswith('/') for i in items)"  # the folder markers: skipped, not items
assert_items "sum(i.get('error', '').startswith('refused: ') for i in items) == ${#UNSAFE[@]}"
for what in "'..' segment" "'.' segment" "empty segment" "leading '/'" "backslash" "NUL" \
  "$DIR/link is a symlink: refused" "$DIR/flink is a symlink: refused"; do
  assert_contains "$TMP/failures" "$what"
done
assert_contains "$TMP/failures" 'line1\nline2'  # the newline shown escaped, on the one line
assert_grep "$TMP/failures" "clash"
# Requests: the listing and the GETs of the safe keys (the side of the clash that comes second may be refused before
# its GET), none for a refused key.
SAFE="'p/dir/ok2.txt', 'p/folder2/child', 'p/nl\\nsafe', 'p/ok.txt', 'p/clash'"
assert_requests -eq 5 "op == 'get' and key in ($SAFE)"
assert_requests -eq 0 "op == 'get' and key not in ($SAFE, 'p/clash/inner')"
assert_requests -eq 0 "op != 'get' and op != 'list'"
# DIR: the safe keys, one side of the clash, the symlinks as they were, no folder for the markers.
cd "$DIR"
[[ $(cat ok.txt) == ok && $(cat dir/ok2.txt) == ok2 && $(cat folder2/child) == child ]]
[[ $(cat "nl"$'\n'"safe") == safe ]]
[[ -L link && -L flink && $(readlink link) == "$OUTSIDE/dir" && ! -e folder ]]
if [[ -f clash ]]; then
  [[ $(cat clash) == clash ]]
  assert_contains "$TMP/failures" "(s3://unsafe/p/clash/inner)"
else
  [[ -d clash && $(cat clash/inner) == inner && $(find clash | wc -l) == 2 ]]
  assert_contains "$TMP/failures" "(s3://unsafe/p/clash)"
fi
cd - >/dev/null
(($(find "$DIR" -type f | wc -l) == 6)) || { say "DIR holds: $(find "$DIR" | sort)"; exit 1; }

# --dry-run: the same refusals, and no cp line for them.
expect_exit 11 s3fcp -r s3://unsafe/p/ "$TMP/dry" --dry-run
assert_failures ${#UNSAFE[@]}  # into another directory: no symlink there, no clash on a dry run
(($(wc -l <"$STDOUT") == 8)) || { say "dry run printed: $(cat "$STDOUT")"; exit 1; }
assert_not_contains "$STDOUT" ".."
assert_not_contains "$STDOUT" "escape"

# Uploads. -r: the symlinks (to a file, to a directory) are not followed, the FIFO is not read (nor waited on).
UP=$WORK/up
mkdir -p "$UP/sub"
echo a >"$UP/a"
echo b >"$UP/sub/b"
echo TOPSECRET >"$OUTSIDE/dir/secret"
ln -s "$OUTSIDE/file" "$UP/lnk"
ln -s "$OUTSIDE/dir" "$UP/ldir"
mkfifo "$UP/fifo"
start_fault_server ""
expect_exit 0 s3fcp -r "$UP/" s3://unsafe/up/ --stats json
assert_items "summary['copied'] == 2 and summary['failed'] == 0"
[[ $(log_eval key "op == 'put'" | sort | tr '\n' ' ') == "up/a up/sub/b " ]] || { log_dump >&9; exit 1; }
# Each entry left out is said, even with -q: a folder of symlinks would otherwise upload nothing without a word.
for said in "$UP/lnk: skipped: symlink: not followed (--follow-symlinks follows it)" \
  "$UP/ldir: skipped: symlink: not followed" "$UP/fifo: skipped: not a regular file (FIFO)"; do
  assert_contains "$STDERR" "$said"
done
# --files-from: the same, path by path, each refusal on its own line.
printf '%s\n' a ../outside/file lnk ldir/secret "$UP/a" sub//b fifo ./a >"$TMP/paths"
start_fault_server ""
expect_exit 11 s3fcp --files-from "$TMP/paths" "$UP/" s3://unsafe/up2/
assert_failures 7
for n in 2 3 4 5 6 7 8; do assert_contains "$TMP/failures" "line $n: "; done
[[ $(log_eval key "op == 'put'") == up2/a ]] || { log_dump >&9; exit 1; }
! grep -rqs -e TOPSECRET -e untouched "$FAULT_DATA/unsafe" || { say "a file outside DIR was uploaded"; exit 1; }
snapshot >"$TMP/after-up"
diff <(grep -v -e '^\./up' -e '^\./outside/dir/secret' "$TMP/after-up") "$TMP/before" >/dev/null ||
  { say "something changed outside DIR:"; diff "$TMP/before" "$TMP/after-up" >&9 || true; exit 1; }

# --follow-symlinks (aws-cli's default, here asked for): what the links point to, under the links' names; a
# dangling link and a directory cycle are said and skipped; the FIFO is still not read. Downloads refuse it.
ln -s "$OUTSIDE/none" "$UP/dangling"
ln -s .. "$UP/sub/cycle"
start_fault_server ""
expect_exit 0 s3fcp -r "$UP" s3://unsafe/upf/ --follow-symlinks --stats json -q
assert_items "summary['copied'] == 4 and summary['failed'] == 0"
[[ $(log_eval key "op == 'put'" | sort | tr '\n' ' ') == "upf/a upf/ldir/secret upf/lnk upf/sub/b " ]] ||
  { log_dump >&9; exit 1; }
cmp -s "$FAULT_DATA/unsafe/upf/lnk" "$OUTSIDE/file" && cmp -s "$FAULT_DATA/unsafe/upf/ldir/secret" "$OUTSIDE/dir/secret" ||
  { say "the links' targets were not what was uploaded"; exit 1; }
for said in "$UP/dangling: skipped: dangling symlink" "$UP/sub/cycle: skipped: directory cycle" \
  "$UP/fifo: skipped: not a regular file (FIFO)"; do
  assert_contains "$STDERR" "$said"
done
printf '%s\n' lnk ldir/secret ../outside/file >"$TMP/paths-follow"
expect_exit 11 s3fcp --files-from "$TMP/paths-follow" "$UP/" s3://unsafe/upf2/ --follow-symlinks
assert_failures 1
assert_contains "$TMP/failures" "line 3: "
[[ $(log_eval key "op == 'put' and key.startswith('upf2/')" | sort | tr '\n' ' ') == "upf2/ldir/secret upf2/lnk " ]] ||
  { log_dump >&9; exit 1; }
expect_exit 2 s3fcp -r s3://unsafe/upf/ "$TMP/back" --follow-symlinks
assert_contains "$STDERR" "--follow-symlinks applies to uploads only"

# A name that is not UTF-8 cannot be an S3 key (S3 answers 400; moto would store U+FFFD instead): refused on its
# own line, the others copied; as the key of one upload, a usage error before any request.
BAD=$'bad\xffname'
mkdir -p "$WORK/latin1"
echo ok >"$WORK/latin1/good"
echo bad >"$WORK/latin1/$BAD"
start_fault_server ""
expect_exit 11 s3fcp -r "$WORK/latin1/" s3://unsafe/latin1/ -q
assert_failures 1
assert_contains "$TMP/failures" "refused: object key not UTF-8 (as S3 keys must be) ($WORK/latin1/$BAD)"
[[ $(log_eval key "op == 'put'") == latin1/good ]] || { log_dump >&9; exit 1; }
expect_exit 2 s3fcp "$WORK/latin1/$BAD" s3://unsafe/latin1/
assert_contains "$STDERR" "would be the key: object key not UTF-8"
expect_exit 2 s3fcp - "s3://unsafe/x$BAD" </dev/null
assert_contains "$STDERR" "object key not UTF-8 (as S3 keys must be) in 's3://unsafe/x$BAD'"
assert_requests -eq 1 "op == 'put'"
say "ok"
