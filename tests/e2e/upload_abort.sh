#!/usr/bin/env bash
# Failure never leaves parts behind, on the fault server (SigV4 on): a permanent error on a part (403, exit 4),
# retries exhausted on a part (500 forever, --max-attempts 3: exactly 3 tries, exit 6), an AbortMultipartUpload that
# fails once (retried), SIGINT (130) and SIGTERM (143) while parts are in flight from a file, SIGINT while a pipe's
# parts are in flight and stdin is still open, SIGINT during a single PUT and while stdin has not given a part
# yet (exit 130, nothing stored), SIGINT while CreateMultipartUpload is out (its answer is awaited,
# then the upload aborted), SIGINT while CompleteMultipartUpload is out (awaited: it succeeded, so exit 0 and the
# object whole), a file changed during the upload (exit 8): each time AbortMultipartUpload is sent, no
# multipart upload is left (ListMultipartUploads is empty), no object and no journal. An abort that keeps failing is
# reported on the one stderr line with the upload id (so that it can be aborted by hand) and keeps its journal: the
# next run of the same upload aborts it before it starts anew.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
mkfile three.bin $((11 * MiB))  # parts of 5, 5 and 1 MiB
THREE=$F
ARGS=(--chunk-size 5MiB -c 4 -q --stats json)

# aborted KEY CODE: the last run exited CODE (already checked) with one stderr line, sent a successful abort, and
# left nothing: no upload, no object, no journal.
aborted() {
  grep -v '^{' "$STDERR" >"$TMP/lines"
  assert_one_line "$TMP/lines"
  assert_requests -ge 1 "op == 'abort' and status == 204"
  assert_requests -eq 0 "op == 'complete'"
  assert_no_upload_dirs
  assert_not_stored ab "$1"
  [[ -z $(journals) ]] || { say "journal left: $(journals)"; return 1; }
  assert_all_signed
}

up_server '{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "status", "status": 403, "times": -1}]}'
fault_bucket ab
expect_exit 4 s3fcp "$THREE" s3://ab/denied "${ARGS[@]}"
aborted denied
assert_requests -eq 1 "op == 'part' and part_number == 2"
assert_stats "s['aborted'] is True and s['exit_code'] == 4 and s['checksum']['result'] == 'not-verified'"

up_server '{"rules": [{"match": {"op": "part", "part_number": 3}, "fault": "status", "status": 500, "times": -1},
  {"match": {"op": "abort"}, "fault": "status", "status": 503, "code": "SlowDown"}]}'
expect_exit 6 s3fcp "$THREE" s3://ab/exhausted "${ARGS[@]}" --max-attempts 3
aborted exhausted
assert_requests -eq 3 "op == 'part' and part_number == 3"
assert_requests -eq 2 "op == 'abort'"  # the first got 503
assert_contains "$STDERR" "part 3"
say "permanent error: exit 4; retries exhausted: exit 6 after 3 tries; the abort retried"

# An abort that keeps failing: the stderr line names the upload, which is left (aborted here by hand).
up_server '{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "status", "status": 403, "times": -1},
  {"match": {"op": "abort"}, "fault": "status", "status": 403, "times": -1}]}'
expect_exit 4 s3fcp "$THREE" s3://ab/stuck "${ARGS[@]}"
grep -v '^{' "$STDERR" >"$TMP/lines"
assert_one_line "$TMP/lines"
ID=$(stats "s['upload_id']")
assert_contains "$STDERR" "could not be aborted"
assert_contains "$TMP/lines" "$ID"
assert_stats "s['aborted'] is False and s['abort_failed'] is True"
((1 == $(mpu_count ab))) || { say "the stuck upload is not listed"; false; }
# Its journal stays, so the next run of the same upload aborts it first (then uploads anew).
[[ $(journals | wc -l) == 1 ]] || { say "journals: $(journals)"; false; }
up_server ""
expect_exit 0 s3fcp "$THREE" s3://ab/stuck "${ARGS[@]}"
assert_requests -eq 1 "op == 'abort' and upload_id == '$ID' and status == 204"
assert_requests -eq 1 "op == 'create'"
assert_stored ab stuck "$THREE"
rm "$FAULT_DATA/ab/stuck"
[[ -z $(journals) ]] || { say "journal left: $(journals)"; false; }
assert_no_mpu ab

# Signals while parts are in flight (part 2 and 3 held: their bodies unread for 60 s): the parts in flight are
# dropped, the upload aborted, the exit code the signal's. A file, then a pipe whose writer keeps it open.
HOLD='{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "stall_body", "after": 65536, "seconds": 60},
  {"match": {"op": "part", "part_number": 3}, "fault": "stall_body", "after": 65536, "seconds": 60}]}'
for sig in INT:130 TERM:143; do
  code=${sig#*:} sig=${sig%:*}
  up_server "$HOLD"
  up_bg "$STDOUT" "$STDERR" "$THREE" "s3://ab/sig$sig" "${ARGS[@]}" --read-timeout 60
  wait_for_log 2 "fault == 'stall_body'"
  [[ -n $(journals) ]] || { say "no journal while the upload runs"; false; }
  signal_and_reap "$sig" "$code"
  aborted "sig$sig"
  assert_stats "s['aborted'] is True"
done
up_server "$HOLD"
mkfifo "$TMP/fifo"
exec 7<>"$TMP/fifo"  # held open: stdin never ends
cat "$THREE" >&7 2>/dev/null 9>&- &
WRITER=$!
SERVER_PIDS+=("$WRITER")  # stopped on exit, whatever happens
up_bg "$STDOUT" "$STDERR" - s3://ab/sigpipe "${ARGS[@]}" --read-timeout 60 <"$TMP/fifo"
wait_for_log 1 "fault == 'stall_body'"  # part 3 waits for more of stdin
signal_and_reap INT 130
kill "$WRITER" 2>/dev/null || true
wait "$WRITER" 2>/dev/null || true
exec 7>&-
aborted sigpipe
say "SIGINT / SIGTERM with parts in flight (file, pipe): aborted, nothing left"

# SIGINT during a single PUT (its body held), and while stdin has not yet given a whole part (nothing sent yet):
# exit 130 at once, nothing stored.
mkfile small.bin 100000
up_server '{"rules": [{"match": {"op": "put"}, "fault": "stall_body", "after": 1000, "seconds": 60}]}'
up_bg "$STDOUT" "$STDERR" "$F" s3://ab/sigput -q --read-timeout 60
wait_for_log 1 "fault == 'stall_body'"
signal_and_reap INT 130
assert_not_stored ab sigput
exec 7<>"$TMP/fifo"
up_bg "$STDOUT" "$STDERR" - s3://ab/sigstdin -q <"$TMP/fifo"
signal_and_reap INT 130
exec 7>&-
assert_requests -eq 1  # the held PUT only
assert_not_stored ab sigstdin

# SIGINT while CreateMultipartUpload is out (answered after 3 s): the upload it makes is aborted.
up_server '{"rules": [{"match": {"op": "create"}, "delay": 3, "fault": "headers", "headers": {}}]}'
up_bg "$STDOUT" "$STDERR" "$THREE" s3://ab/sigcreate --chunk-size 5MiB -v --stats json
wait_text "$STDERR" "(create multipart upload)"
signal_and_reap INT 130 15
grep -v '^s3fcp: [<>]' "$STDERR" | grep -v '^{' | grep -v '^s3fcp: stopped' >"$TMP/lines"
assert_one_line "$TMP/lines"
assert_requests -eq 1 "op == 'create' and status == 200"
assert_requests -eq 0 "op == 'part'"
assert_requests -eq 1 "op == 'abort' and status == 204"
assert_no_upload_dirs
[[ -z $(journals) ]] || { say "journal left: $(journals)"; false; }
say "SIGINT during CreateMultipartUpload: its upload aborted"

# SIGINT while CompleteMultipartUpload is out (answered after 3 s): a Complete cannot be taken back, so the upload
# succeeded: exit 0, the object whole, nothing aborted.
up_server '{"rules": [{"match": {"op": "complete"}, "delay": 3, "fault": "headers", "headers": {}}]}'
up_bg "$STDOUT" "$STDERR" "$THREE" s3://ab/sigcomplete --chunk-size 5MiB -v --stats json
wait_text "$STDERR" "(complete multipart upload"
signal_and_reap INT 0 15
assert_requests -eq 1 "op == 'complete' and status == 200"
assert_requests -eq 0 "op == 'abort'"
assert_stored ab sigcomplete "$THREE"
assert_no_upload_dirs
say "SIGINT during CompleteMultipartUpload: the object is whole, exit 0"

# The file changes while part 2 is held (same size, new mtime): the upload is aborted before Complete, exit 8.
cp "$THREE" "$TMP/changing.bin"
up_server '{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "stall_body", "after": 65536, "seconds": 30}]}'
up_bg "$STDOUT" "$STDERR" "$TMP/changing.bin" s3://ab/changed "${ARGS[@]}" --read-timeout 2
wait_for_log 1 "fault == 'stall_body'"
touch -d '2001-01-01' "$TMP/changing.bin"
st=0
wait "$BG_PID" || st=$?
((st == 8)) || { say "exit $st, want 8: $(cat "$STDERR")"; false; }
aborted changed
assert_contains "$STDERR" "changed during the upload"
assert_no_mpu ab
say "ok"
