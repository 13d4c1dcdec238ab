#!/usr/bin/env bash
# CompleteMultipartUpload and NoSuchUpload faults, and If-None-Match, on the fault server (SigV4 on). Each ends with
# exit 0 and the exact object, or non-zero with one line on stderr, no object and no multipart upload left:
#   - 200 OK with an <Error> body (InternalError): retried, exit 0; the same after streamed whitespace, with the
#     upload completed by the first attempt: the retry meets NoSuchUpload, a HEAD finds our object, exit 0;
#   - Complete's answer lost (the upload completed): the same, also with --no-clobber, SHA256 (composite) and
#     --checksum off; a retried Complete meeting 412 under --no-clobber when the first one made the object: exit 0,
#     also when curl sent it again without s3fcp counting an attempt (the object shows our checksum, or with
#     --checksum off the ETag S3 computes from our parts'; another writer's object of the same size and part count
#     is exit 10);
#   - 200 OK, whitespace for a second, then the result: exit 0, one Complete;
#   - 200 OK with a permanent <Error> (InvalidPart): no retry, aborted;
#   - NoSuchUpload on a part or on the first Complete: a clear error naming the upload, not a loop (that request is
#     sent once), the upload aborted (it was still there);
#   - --no-clobber: an existing key is 412 on the single PUT or on Complete (exit 10, the parts aborted, the object
#     untouched); a PUT whose answer was lost and whose retry meets 412 is ours (a HEAD shows our checksum, or with
#     --checksum off an ETag that is our body's MD5): exit 0;
#     an object that appears while the parts are being sent is caught by Complete's If-None-Match.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
mkfile three.bin $((11 * MiB))  # parts of 5, 5 and 1 MiB
THREE=$F
ARGS=(--chunk-size 5MiB -c 4 -q --stats json)

# completes KEY PLAN: the upload of THREE under PLAN ends with exit 0 and the object.
completes() {
  up_server "$2"
  fault_bucket c
  expect_exit 0 s3fcp "$THREE" "s3://c/$1" "${ARGS[@]}"
  assert_stored c "$1" "$THREE"
  assert_stats "s['exit_code'] == 0 and s['aborted'] is False and s['parts'] == 3"
  assert_all_signed
  assert_no_upload_dirs
}

# fails KEY CODE PLAN [ARGS...]: the upload of THREE under PLAN exits CODE with one line on stderr, is aborted, and
# leaves no object.
fails() {
  local key=$1 code=$2
  up_server "$3"
  fault_bucket c
  expect_exit "$code" s3fcp "$THREE" "s3://c/$key" "${ARGS[@]}" "${@:4}"
  grep -v '^{' "$STDERR" >"$TMP/lines"
  assert_one_line "$TMP/lines"
  assert_stats "s['exit_code'] == $code and s['aborted'] is True"
  assert_requests -ge 1 "op == 'abort' and status == 204"
  assert_all_signed
  assert_no_upload_dirs
}

completes complete-error '{"rules": [{"match": {"op": "complete"}, "complete_error": true}]}'
assert_requests -eq 2 "op == 'complete'"
assert_requests -eq 3 "op == 'part'"

completes complete-error-done '{"rules": [{"match": {"op": "complete"}, "complete_error": true, "then_complete": true,
  "whitespace": true, "seconds": 1}]}'
assert_requests -eq 2 "op == 'complete'"
assert_requests -eq 1 "op == 'complete' and status == 404"  # NoSuchUpload: the first one completed it
assert_requests -eq 1 "op == 'head' and status == 200"
assert_requests -eq 0 "op == 'abort'"

completes complete-lost '{"rules": [{"match": {"op": "complete"}, "fault": "lost_response"}]}'
assert_requests -eq 2 "op == 'complete'"
assert_requests -eq 1 "op == 'head' and status == 200"

# The same with --no-clobber (our own first Complete made the key exist), with SHA256 (a composite checksum on the
# HEAD) and with --checksum off (only the ETag's part count tells).
for extra in --no-clobber "--checksum SHA256" "--checksum off"; do
  ARGS+=($extra)
  completes "complete-lost-${extra// /}" '{"rules": [{"match": {"op": "complete"}, "fault": "lost_response"}]}'
  assert_requests -eq 1 "op == 'head' and status == 200"
  unset 'ARGS[-1]'
  [[ $extra != *" "* ]] || unset 'ARGS[-1]'
done
# A retried Complete (the first completed, then answered <Error>) meets 412 with --no-clobber: the object is ours.
ARGS+=(--no-clobber)
completes complete-412-ours '{"rules": [{"match": {"op": "complete"}, "complete_error": true, "then_complete": true},
  {"match": {"op": "complete"}, "fault": "status", "status": 412}]}'
assert_requests -eq 1 "op == 'complete' and status == 412"
assert_requests -eq 1 "op == 'head' and status == 200"
# The same when the first Complete's answer was lost: curl sends it again on a new connection without s3fcp
# counting an attempt (-c 1: the Complete goes on a reused connection), so even a 412 to what s3fcp sent once is
# looked at. The object shows our checksum: ours, exit 0.
saved=("${ARGS[@]}")
ARGS=(--chunk-size 5MiB -c 1 -q --stats json --no-clobber)
completes complete-lost-412-ours '{"rules": [{"match": {"op": "complete"}, "fault": "lost_response"},
  {"match": {"op": "complete"}, "fault": "status", "status": 412}]}'
assert_requests -eq 1 "op == 'complete' and status == 412"
assert_requests -eq 1 "op == 'head' and status == 200"
# With --checksum off only the ETag can tell: S3's ETag for a multipart object is the MD5 of its parts' MD5s, which
# s3fcp computes from its parts' ETags. Ours: exit 0. The same size in as many parts, other bytes: exit 10.
ARGS+=(--checksum off)
completes complete-lost-412-ours-off '{"rules": [{"match": {"op": "complete"}, "fault": "lost_response"},
  {"match": {"op": "complete"}, "fault": "status", "status": 412}]}'
assert_requests -eq 1 "op == 'complete' and status == 412"
assert_requests -eq 1 "op == 'head' and status == 200"
mkfile other.bin $((11 * MiB))
expect_exit 0 s3fcp "$F" s3://c/other-writer --chunk-size 5MiB -q
expect_exit 10 s3fcp "$THREE" s3://c/other-writer "${ARGS[@]}"
grep -v '^{' "$STDERR" >"$TMP/lines"
assert_one_line "$TMP/lines"
assert_stats "s['exit_code'] == 10 and s['aborted'] is True"
assert_requests -eq 1 "op == 'head' and key == 'other-writer' and status == 200"
assert_stored c other-writer "$F"
assert_no_upload_dirs
ARGS=("${saved[@]::${#saved[@]}-1}")  # without --no-clobber

completes complete-slow '{"rules": [{"match": {"op": "complete"}, "fault": "complete_whitespace", "seconds": 1}]}'
assert_requests -eq 1 "op == 'complete'"

fails complete-invalid-part 1 '{"rules": [{"match": {"op": "complete"}, "complete_error": true, "code": "InvalidPart",
  "message": "One or more of the specified parts could not be found."}]}'
assert_requests -eq 1 "op == 'complete'"
assert_contains "$STDERR" "InvalidPart"
assert_not_stored c complete-invalid-part
say "Complete: 200 with <Error>, lost answer, whitespace: exit 0; a permanent <Error>: aborted"

# NoSuchUpload: said once, not retried, the upload (which is in fact still there) aborted.
for op in part complete; do
  fails "nsu-$op" 3 '{"rules": [{"match": {"op": "'$op'"'"$([[ $op == part ]] && echo ', "part_number": 2')"'},
    "fault": "no_such_upload", "times": -1}]}'
  assert_contains "$STDERR" "no longer exists"
  assert_contains "$STDERR" "$(stats "s['upload_id']")"
  assert_not_stored c "nsu-$op"
done
assert_requests -eq 1 "op == 'complete'"
up_server '{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "no_such_upload", "times": -1}]}'
expect_exit 3 s3fcp "$THREE" s3://c/nsu-part -c 1 --chunk-size 5MiB -q
assert_requests -eq 1 "op == 'part' and part_number == 2"
assert_requests -eq 0 "op == 'part' and part_number == 3"  # -c 1: nothing after the failed part
assert_requests -eq 0 "op == 'complete'"
assert_no_upload_dirs
say "NoSuchUpload on a part and on Complete: exit 3, aborted, no loop"

# --no-clobber: 412 on the PUT and on Complete; the existing object is untouched.
up_server ""
fault_bucket c
mkfile small.bin 1000
SMALL=$F
printf 'already here\n' >"$TMP/old"
cp "$TMP/old" "$FAULT_DATA/c/exists"
expect_exit 10 s3fcp "$SMALL" s3://c/exists --no-clobber -q
assert_one_line "$STDERR"
assert_contains "$STDERR" "exists"
expect_exit 10 s3fcp "$THREE" s3://c/exists --no-clobber "${ARGS[@]}"
assert_stats "s['aborted'] is True and s['exit_code'] == 10"
expect_exit 10 s3fcp - s3://c/exists --no-clobber "${ARGS[@]}" <"$THREE"
assert_stored c exists "$TMP/old"
assert_requests -eq 1 "op == 'put' and status == 412 and hdr('If-None-Match') == '*'"
assert_requests -eq 2 "op == 'complete' and status == 412 and hdr('If-None-Match') == '*'"
assert_requests -eq 2 "op == 'abort' and status == 204"
assert_requests -eq 0 "op in ('create', 'part') and hdr('If-None-Match') is not None"
assert_no_upload_dirs
# A PUT stored but its answer lost: the retry meets 412, a HEAD finds our bytes: exit 0. The same body to an existing
# key stays exit 10 (no send of ours can have made it).
up_server '{"rules": [{"match": {"op": "put"}, "fault": "lost_response"}]}'
expect_exit 0 s3fcp "$SMALL" s3://c/put-lost --no-clobber -q --stats json
assert_stored c put-lost "$SMALL"
assert_stats "s['checksum']['result'] == 'verified'"
assert_requests -eq 1 "op == 'put' and status == 412"
assert_requests -eq 1 "op == 'head' and status == 200"
expect_exit 10 s3fcp "$SMALL" s3://c/put-lost --no-clobber -q
assert_requests -eq 1 "op == 'head'"
# The same with --checksum off, from a file and from a pipe: the ETag is the MD5 of our body, read again from the
# source for the comparison.
up_server '{"rules": [{"match": {"op": "put", "key": "put-lost-off"}, "fault": "lost_response"},
  {"match": {"op": "put", "key": "put-lost-off-pipe"}, "fault": "lost_response"}]}'
fault_bucket c
expect_exit 0 s3fcp "$SMALL" s3://c/put-lost-off --no-clobber --checksum off -q
assert_stored c put-lost-off "$SMALL"
from_pipe() { s3fcp - "${@:2}" < <(cat "$1"); }
expect_exit 0 from_pipe "$SMALL" s3://c/put-lost-off-pipe --no-clobber --checksum off -q
assert_stored c put-lost-off-pipe "$SMALL"
assert_requests -eq 2 "op == 'put' and status == 412"
assert_requests -eq 2 "op == 'head' and status == 200"
# Without --no-clobber the key is replaced; with it, a new key is written.
expect_exit 0 s3fcp "$THREE" s3://c/exists "${ARGS[@]}"
assert_stored c exists "$THREE"
expect_exit 0 s3fcp "$THREE" s3://c/new --no-clobber "${ARGS[@]}"
assert_stored c new "$THREE"

# The key appears while part 2 is held (its body unread until --read-timeout ends it): Complete's If-None-Match
# catches it.
up_server '{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "stall_body", "after": 65536,
  "seconds": 30}]}'
up_bg "$STDOUT" "$STDERR" "$THREE" s3://c/race --no-clobber --read-timeout 3 "${ARGS[@]}"
wait_for_log 1 "fault == 'stall_body'"
cp "$TMP/old" "$FAULT_DATA/c/race"
st=0
wait "$BG_PID" || st=$?
((st == 10)) || { say "exit $st, want 10: $(cat "$STDERR")"; false; }
assert_stored c race "$TMP/old"
assert_requests -eq 1 "op == 'complete' and status == 412"
assert_no_upload_dirs
assert_no_mpu c
say "ok"
