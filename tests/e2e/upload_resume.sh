#!/usr/bin/env bash
# --continue of a file's multipart upload killed with SIGKILL (fault server, SigV4 on). The killed run leaves its
# journal under $XDG_STATE_HOME/s3fcp/ and its upload open; --continue lists the parts (ListParts) and sends only
# the missing ones, keeping a listed part only when its size and checksum are ours (a part whose bytes changed
# under an unchanged size and mtime is sent again; with --checksum MD5 its ETag tells; with --checksum off nothing
# does, and every part is sent again), completes, and removes the journal. Refused with exit 2 and one
# line, nothing sent: a file changed since (size or mtime), another --chunk-size, other object options, another
# --checksum. An upload aborted meanwhile (NoSuchUpload on ListParts): exit 2, journal gone. --continue with no
# journal starts a new upload. A journal found without --continue: the old upload is aborted, a new one made.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
mkfile four.bin $((16 * MiB))  # parts of 5, 5, 5 and 1 MiB
FOUR=$F
ARGS=(--chunk-size 5MiB -q --stats json)
HOLD3='{"rules": [{"match": {"op": "part", "part_number": 3}, "fault": "stall_body", "after": 65536, "seconds": 60,
  "times": -1}]}'

# killed KEY [ARGS...]: uploads FOUR to KEY with part 3 held, -c 2, and kills s3fcp with SIGKILL once parts 1, 2
# and 4 are stored; leaves the upload id in ID.
killed() {
  local key=$1
  shift
  KEY=$key
  up_server "$HOLD3"
  fault_bucket r
  up_bg "$STDOUT" "$STDERR" "$FOUR" "s3://r/$key" "${ARGS[@]}" -c 2 --read-timeout 60 "$@"
  wait_for_log 3 "op == 'part' and status == 200"
  wait_for_log 1 "op == 'part' and fault == 'stall_body'"
  kill -KILL "$BG_PID"
  wait "$BG_PID" 2>/dev/null || true
  ID=$(log_eval upload_id "op == 'create'")
  [[ -n $ID && $(journals | wc -l) == 1 ]] || { say "after SIGKILL: upload '$ID', journals: $(journals)"; false; }
  grep -qF "\"upload_id\": \"$ID\"" "$(journals)" || { say "the journal is not of $ID: $(cat "$(journals)")"; false; }
  ((1 == $(mpu_count r))) || { say "the killed upload is not listed"; false; }
}

# The plain case: only part 3 is sent.
killed plain
up_server ""
expect_exit 0 s3fcp "$FOUR" s3://r/plain "${ARGS[@]}" --continue
assert_stored r plain "$FOUR"
assert_requests -eq 0 "op == 'create'"
assert_requests -ge 1 "op == 'list_parts' and upload_id == '$ID'"
assert_requests -eq 1 "op == 'part'"
assert_requests -eq 1 "op == 'part' and part_number == 3 and upload_id == '$ID' and body_bytes == $((5 * MiB))"
assert_requests -eq 1 "op == 'complete' and upload_id == '$ID'"
assert_stats "s['parts'] == 4 and s['upload_id'] == '$ID' and s['checksum']['result'] == 'verified'"
[[ -z $(journals) ]] || { say "journal left: $(journals)"; false; }
assert_no_upload_dirs
assert_all_signed
say "--continue: only the missing part sent"

# With --checksum MD5 a listed part is recognised by its ETag; with --checksum off nothing tells, all are sent again.
killed md5 --checksum MD5
up_server ""
expect_exit 0 s3fcp "$FOUR" s3://r/md5 "${ARGS[@]}" --continue --checksum MD5
assert_stored r md5 "$FOUR"
assert_requests -eq 1 "op == 'part' and part_number == 3 and 'Content-MD5' in headers"
assert_requests -eq 1 "op == 'part'"
killed off --checksum off
up_server ""
expect_exit 0 s3fcp "$FOUR" s3://r/off "${ARGS[@]}" --continue --checksum off
assert_stored r off "$FOUR"
assert_requests -eq 4 "op == 'part' and upload_id == '$ID'"
assert_requests -eq 0 "op == 'create'"
say "--continue --checksum MD5: by the parts' ETags; off: every part again"

# Part 1's bytes change, the size and mtime put back: part 1 is sent again (its checksum is not the listed one).
killed changed-bytes
cp -p "$FOUR" "$TMP/orig.bin"
printf 'XXXX' | dd of="$FOUR" bs=1 seek=100 conv=notrunc status=none
touch -r "$TMP/orig.bin" "$FOUR"
up_server ""
expect_exit 0 s3fcp "$FOUR" s3://r/changed-bytes "${ARGS[@]}" --continue
assert_stored r changed-bytes "$FOUR"
assert_requests -eq 2 "op == 'part'"
assert_requests -eq 1 "op == 'part' and part_number == 1"
assert_requests -eq 1 "op == 'part' and part_number == 3"
cp -p "$TMP/orig.bin" "$FOUR"
say "--continue: a listed part whose bytes differ is sent again"

# Refusals: exit 2, one line, nothing sent; the journal and the upload stay for a proper --continue.
killed refused
up_server ""
refuse() {  # refuse TEXT ARGS...: the --continue of the killed upload ($KEY) is refused
  expect_exit 2 s3fcp "$FOUR" "s3://r/$KEY" -q --continue "${@:2}"
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "$1"
  assert_requests -eq 0
}
refuse "parts of" --chunk-size 6MiB
refuse "other object options" --chunk-size 5MiB --metadata a=b
refuse "other object options" --chunk-size 5MiB --content-type text/plain
refuse "checksum" --chunk-size 5MiB --checksum CRC32C
touch -d '2001-01-01' "$FOUR"
refuse "changed" --chunk-size 5MiB
touch -r "$TMP/orig.bin" "$FOUR"
[[ $(journals | wc -l) == 1 ]] || { say "journals: $(journals)"; false; }
# Without --continue: the killed upload is aborted, a new one made.
expect_exit 0 s3fcp "$FOUR" s3://r/refused "${ARGS[@]}"
assert_stored r refused "$FOUR"
assert_requests -eq 1 "op == 'abort' and upload_id == '$ID' and status == 204"
assert_requests -eq 1 "op == 'create'"
assert_requests -eq 4 "op == 'part' and upload_id != '$ID'"
[[ -z $(journals) ]] || { say "journal left: $(journals)"; false; }
assert_no_upload_dirs
say "--continue refused (chunk size, options, checksum, changed file); a rerun without it aborts the old upload"

# The file shrinks to less than a part after the kill: --continue refuses (the file changed); without it the killed
# upload is aborted all the same, and the file goes in one PUT.
killed shrunk
head -c $((1 * MiB)) "$TMP/orig.bin" >"$FOUR"
up_server ""
refuse "changed" --chunk-size 5MiB
expect_exit 0 s3fcp "$FOUR" s3://r/shrunk "${ARGS[@]}"
assert_stored r shrunk "$FOUR"
assert_requests -eq 1 "op == 'abort' and upload_id == '$ID' and status == 204"
assert_requests -eq 1 "op == 'put'"
[[ -z $(journals) ]] || { say "journal left: $(journals)"; false; }
assert_no_upload_dirs
cp -p "$TMP/orig.bin" "$FOUR"
say "a file shrunk to one PUT: --continue refused, the killed upload aborted by the next run"

# The upload was aborted meanwhile: exit 2, the journal removed, nothing left.
killed gone
up_server ""
awsl s3api abort-multipart-upload --bucket r --key gone --upload-id="$ID"  # "=": an id may start with "-"
: >"$REQUEST_LOG"
expect_exit 2 s3fcp "$FOUR" s3://r/gone "${ARGS[@]}" --continue
grep -v '^{' "$STDERR" >"$TMP/lines"
assert_one_line "$TMP/lines"
assert_contains "$STDERR" "no longer exists"
assert_requests -eq 0 "op in ('create', 'part', 'complete')"
[[ -z $(journals) ]] || { say "journal left: $(journals)"; false; }
# --continue without a journal: a new upload.
expect_exit 0 s3fcp "$FOUR" s3://r/gone "${ARGS[@]}" --continue
assert_stored r gone "$FOUR"
assert_requests -eq 1 "op == 'create'"
assert_no_mpu r
say "ok"
