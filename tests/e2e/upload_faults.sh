#!/usr/bin/env bash
# Transient faults on the requests that carry the bytes, on the fault server (SigV4 on): each upload ends with exit
# 0 and the exact object, the failed request retried on its own, its part re-read from the file or from the buffer
# a pipe's part is kept in: 500 (twice) and 503 SlowDown with Retry-After on a part; the connection reset while a
# part's body is being sent (twice); a part whose body the server stops reading (--read-timeout 2: a stalled
# upload is retried like a stalled download); a part stored but its answer lost (sent again); 500 on
# CreateMultipartUpload; a single PUT reset then answered 500. The log shows the retries, and no multipart upload
# is left open.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
mkfile three.bin $((11 * MiB))  # parts of 5, 5 and 1 MiB
THREE=$F
mkfile one.bin $((3 * MiB + 5))
ONE=$F
ARGS=(--chunk-size 5MiB -c 4 -q --stats json --read-timeout 2)

from_pipe() { cat "$1" | s3fcp - "${@:2}"; }

# recovers PLAN SOURCE KEY: under PLAN, SOURCE is uploaded from a file and from a pipe (to KEY-file, KEY-pipe);
# both exit 0 with the exact object, every request signed, nothing left open. Checks on the log follow, for
# the pipe's run (the log is the last server's); the file's checks run inside (CHECKS, a function, may be set).
recovers() {
  local plan=$1 src=$2 key=$3 how
  for how in file pipe; do
    up_server "$plan"
    fault_bucket f
    if [[ $how == file ]]; then
      expect_exit 0 s3fcp "$src" "s3://f/$key-$how" "${ARGS[@]}"
    else
      expect_exit 0 from_pipe "$src" "s3://f/$key-$how" "${ARGS[@]}"
    fi
    assert_stored f "$key-$how" "$src"
    assert_stats "s['exit_code'] == 0 and s['aborted'] is False"
    assert_all_signed
    assert_plain_bodies
    assert_no_upload_dirs
    [[ $(type -t CHECKS) != function ]] || CHECKS
  done
  unset -f CHECKS
  say "$key: recovered (file and pipe)"
}

CHECKS() {
  assert_requests -eq 3 "op == 'part' and part_number == 2"
  assert_requests -eq 2 "op == 'part' and part_number == 2 and status == 500"
  assert_requests -eq 1 "op == 'part' and part_number == 2 and status == 200 and body_bytes == $((5 * MiB))"
  assert_requests -eq 2 "op == 'part' and part_number != 2"  # the others once each
  assert_stats "s['retries'] == 2 and s['parts'] == 3"
}
recovers '{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "status", "status": 500, "times": 2}]}' \
  "$THREE" part-500

CHECKS() {
  assert_requests -eq 1 "op == 'part' and part_number == 1 and status == 503 and fault == 'status'"
  assert_requests -eq 1 "op == 'part' and part_number == 1 and status == 200"
}
recovers '{"rules": [{"match": {"op": "part", "part_number": 1}, "fault": "status", "status": 503, "code": "SlowDown",
  "retry_after": 1}]}' "$THREE" part-slowdown

CHECKS() {
  assert_requests -eq 2 "op == 'part' and part_number == 2 and fault == 'reset_body'"
  assert_requests -eq 1 "op == 'part' and part_number == 2 and status == 200 and body_bytes == $((5 * MiB))"
}
recovers '{"rules": [{"match": {"op": "part", "part_number": 2}, "reset_body": 65536, "times": 2}]}' "$THREE" part-reset

CHECKS() {
  assert_requests -eq 1 "op == 'part' and part_number == 2 and fault == 'stall_body'"
  assert_requests -eq 1 "op == 'part' and part_number == 2 and status == 200 and body_bytes == $((5 * MiB))"
}
recovers '{"rules": [{"match": {"op": "part", "part_number": 2}, "fault": "stall_body", "after": 1048576,
  "seconds": 30}]}' "$THREE" part-stalled

CHECKS() {
  assert_requests -eq 2 "op == 'part' and part_number == 1 and body_bytes == $((5 * MiB))"
  assert_requests -eq 1 "op == 'part' and part_number == 1 and fault == 'lost_response'"
}
recovers '{"rules": [{"match": {"op": "part", "part_number": 1}, "fault": "lost_response"}]}' "$THREE" part-lost

CHECKS() {
  assert_requests -eq 2 "op == 'create'"
  assert_requests -eq 1 "op == 'create' and status == 500"
  assert_requests -eq 3 "op == 'part' and status == 200"
}
recovers '{"rules": [{"match": {"op": "create"}, "fault": "status", "status": 500}]}' "$THREE" create-500

CHECKS() {
  assert_requests -eq 3 "op == 'put'"
  assert_requests -eq 1 "op == 'put' and status == 200 and body_bytes == $(stat -c %s "$ONE")"
  assert_requests -eq 0 "op in ('create', 'part', 'complete')"
}
recovers '{"rules": [{"match": {"op": "put"}, "reset_body": 1000}, {"match": {"op": "put"}, "fault": "status",
  "status": 500}]}' "$ONE" put-reset

assert_no_mpu f
say "ok"
