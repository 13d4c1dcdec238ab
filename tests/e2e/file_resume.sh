#!/usr/bin/env bash
# Resuming a file download. One part stalls (the fault server holds it for 60 s) while the others complete; once the
# log shows them, s3fcp is killed (SIGKILL: no cleanup at all; SIGINT: exit 130 and one line saying the partial
# download is kept and --continue finishes it). Nothing is under the target name, the temporary file and the
# journal are. Then `--continue` against a server without faults: the file is sha-exact, the journal and the
# temporary file are gone, no chunk the journal lists is requested again, every request carries If-Match with the
# object's ETag, and the bytes sent are exactly the object minus the journaled chunks. Also: a partial download is
# not silently thrown away (no --continue: exit 2 unless --force), and a --continue that does not fit the journal
# (another --chunk-size) is refused and keeps it.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
# Until main.cpp routes a file DEST to download_to_file (see docs/file-destination.md), there is nothing to test.
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 10))
fault_obj res k.bin "$SIZE"
K_OBJ=$OBJ
ETAG=$(etag_of "$K_OBJ")
OUT=$TMP/out
DEST=$OUT/k.bin
PARTIAL=$OUT/.k.bin.s3fcp-partial
JOURNAL=$OUT/.k.bin.s3fcp-journal
read -r STALLED _ < <(part_range 5 $CHUNK "$SIZE")
STALL_PLAN='{"rules": [{"match": {"range_start": '"$STALLED"', "has_if_match": true}, "fault": "stall", "after": 1000,
  "seconds": 60, "times": -1}]}'
ARGS=(--chunk-size 64KiB -c 4 "${NO_HEDGE[@]}")

# interrupt SIG WANT: a download stopped by SIG while part 5 stalls and later parts complete.
interrupt() {
  local sig=$1 want=$2
  rm -rf "$OUT"
  mkdir -p "$OUT"
  start_fault_server "$STALL_PLAN"
  start_bg "$STDOUT" "$STDERR" s3://res/k.bin "$DEST" "${ARGS[@]}" --read-timeout 60
  wait_for_log 1 "fault == 'stall'"
  wait_for_log 12 "status == 206 and fault is None"
  signal_and_reap "$sig" "$want"
  [[ ! -e $DEST ]] || { say "a partial file is under the target name after SIG$sig"; return 1; }
  [[ -f $PARTIAL && -f $JOURNAL ]] || { say "no partial file and journal after SIG$sig: $(ls -A "$OUT")"; return 1; }
  (($(stat -c %s "$PARTIAL") == SIZE)) || { say "the partial file is not sized to the object"; return 1; }
}

# journaled_chunks: the chunk indexes the journal lists as done (complete lines only: a torn last one does not count).
journaled_chunks() {
  python3 -c 'import re, sys
text = open(sys.argv[1], encoding="utf-8", errors="replace").read()
done = {int(m) for m in re.findall(r"^done (\d+)$", text[: text.rfind("\n") + 1], re.M)}
print("\n".join(map(str, sorted(done))))' "$JOURNAL"
}

# finish_with_continue: --continue against a clean server; checks what was (not) fetched again.
finish_with_continue() {
  local done_chunks saved=0 i start end sent
  done_chunks=$(journaled_chunks)
  [[ -n $done_chunks ]] || { say "the journal lists no finished chunk: $(head -c 500 "$JOURNAL")"; return 1; }
  grep -qx "$((STALLED / CHUNK))" <<<"$done_chunks" && { say "the stalled chunk is journaled as done"; return 1; }
  start_fault_server ""
  expect_exit 0 s3fcp s3://res/k.bin "$DEST" "${ARGS[@]}" --continue
  assert_sha "$DEST" "$K_OBJ"
  [[ ! -e $PARTIAL && ! -e $JOURNAL ]] || { say "left behind after --continue: $(ls -A "$OUT")"; return 1; }
  for i in $done_chunks; do
    read -r start end < <(part_range "$i" $CHUNK "$SIZE")
    saved=$((saved + end - start + 1))
    assert_requests -eq 0 "start == $start"
  done
  assert_requests -eq 0 "if_match != '$ETAG'"
  sent=$(log_eval bytes_sent | awk '{ s += $1 } END { print s + 0 }')
  if ((sent != SIZE - saved)); then
    say "--continue fetched $sent bytes; the object has $SIZE, the journal had $saved of them"
    return 1
  fi
  say "--continue fetched $sent of $SIZE bytes ($(wc -w <<<"$done_chunks") chunks were journaled)"
}

interrupt KILL 137
finish_with_continue

interrupt INT 130
assert_one_line "$STDERR"
assert_contains "$STDERR" "interrupted"
assert_contains "$STDERR" "partial download kept"
assert_contains "$STDERR" "rerun with --continue"
say "SIGINT: $(cat "$STDERR")"
saved_journal=$TMP/journal.saved
cp "$JOURNAL" "$saved_journal"

# A partial download is never thrown away silently, nor continued with settings that do not fit it.
start_fault_server ""
expect_exit 2 s3fcp s3://res/k.bin "$DEST" "${ARGS[@]}"
assert_one_line "$STDERR"
assert_contains "$STDERR" "--continue"
expect_exit 2 s3fcp s3://res/k.bin "$DEST" --chunk-size 128KiB --continue
assert_one_line "$STDERR"
assert_contains "$STDERR" "--chunk-size 65536"
fault_obj res other.bin 1000
expect_exit 2 s3fcp s3://res/other.bin "$DEST" --chunk-size 64KiB --continue
assert_contains "$STDERR" "s3://res/k.bin"
assert_requests -eq 0
cmp -s "$JOURNAL" "$saved_journal" || { say "a refused --continue changed the journal"; false; }
[[ -f $PARTIAL ]] || { say "a refused run removed the partial download"; false; }

# A torn last line (a kill in the middle of an append) is ignored: here it would name the stalled chunk, which is
# not in the file; trusting it would leave a hole (and the sha would differ).
printf 'done %d' $((STALLED / CHUNK)) >>"$JOURNAL"
finish_with_continue

# --force without --continue starts over.
interrupt INT 130
start_fault_server ""
expect_exit 0 s3fcp s3://res/k.bin "$DEST" "${ARGS[@]}" --force
assert_sha "$DEST" "$K_OBJ"
[[ ! -e $PARTIAL && ! -e $JOURNAL ]] || { say "left behind after --force: $(ls -A "$OUT")"; false; }
sent=$(log_eval bytes_sent | awk '{ s += $1 } END { print s + 0 }')
((sent >= SIZE)) || { say "--force fetched only $sent bytes: it did not start over"; false; }
say "ok"
