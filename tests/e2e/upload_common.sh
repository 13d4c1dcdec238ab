#!/usr/bin/env bash
# Sourced after common.sh by the upload tests (tests/e2e/upload_*.sh). Sources fault_common.sh itself, with
# FAULT_CHECKSUM=on: its s3fcp() then leaves --checksum alone, which for an upload is the checksum under test.
#
#   MiB                             1048576
#   JOURNAL_DIR                     where s3fcp keeps upload journals: XDG_STATE_HOME is $TMP/state here
#   journals                        the journal files there, one a line (none: nothing)
#   mkfile NAME SIZE                random SIZE-byte file $TMP/NAME (directories made); its path is in F
#   up_server [PLAN_JSON [ARGS...]] start_fault_server with the SigV4 verifier on, for the test's keys: every
#                                   request must be signed right (the server also checks the payload hash,
#                                   Content-MD5 and x-amz-checksum-* against the body, as it always does)
#   fault_bucket BUCKET             creates BUCKET on the fault server (a directory in $FAULT_DATA)
#   stats EXPR / assert_stats EXPR  the --stats json line in $STDERR: prints / checks the Python EXPR over it (s)
#   expected_checksum ALG FILE [PART_SIZE]
#                                   the object checksum s3fcp should report, computed by crcmod / hashlib
#   assert_object BUCKET KEY FILE   the object read back with aws-cli (get-object) is FILE, byte for byte
#   assert_all_signed               the request log is not empty and every request in it passed the verifier
#   assert_plain_bodies             no request went chunked: every request with a body had a Content-Length,
#                                   equal to the bytes the server read
#   up_bg OUT ERR ARGS...           s3fcp ARGS in the background, SIGINT/SIGTERM at their defaults, stdin as
#                                   up_bg's; pid in BG_PID (then signal_and_reap from fault_common.sh)
#   wait_text FILE TEXT [S]         waits (deadline S, default 20 s) until FILE contains TEXT (s3fcp -v's stderr)
#   assert_stored BUCKET KEY FILE / assert_not_stored BUCKET KEY
#                                   the fault server holds KEY (a plain key) with FILE's bytes / holds no KEY
#   assert_no_upload_dirs           no multipart upload open on the fault server (its .uploads is empty): what
#                                   assert_no_mpu asks through ListMultipartUploads, without starting aws-cli
#   uploads_left_unaccounted        a line when more multipart uploads are open on the fault server than
#                                   CreateMultipartUpload answers were lost (ids that never reached s3fcp, which
#                                   cannot abort those uploads); nothing otherwise
#
# Servers: moto for what a real S3 stores and shows (HEAD, tags, ACLs, listing); the fault server (with its log) for
# what s3fcp sends, SigV4, checksums and faults. moto 5.2 does not check checksums and stores a bogus CRC64NVME for
# a multipart object: read those back with aws-cli, or with s3fcp --checksum off.

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  echo "upload_common.sh: helpers for the upload tests (sourced after common.sh); nothing to run on its own"
  exit 0
fi
FAULT_CHECKSUM=on
# shellcheck source=tests/e2e/fault_common.sh
source "$(dirname "${BASH_SOURCE[0]}")/fault_common.sh"

MiB=1048576
# The upload journals (--continue) of this test, not the user's.
export XDG_STATE_HOME=$TMP/state
JOURNAL_DIR=$XDG_STATE_HOME/s3fcp
UPLOAD_TOOL=$E2E_ROOT/tests/e2e/upload_tool.py
UPLOAD_PY=python3
[[ ! -x /usr/bin/python3 ]] || UPLOAD_PY=/usr/bin/python3  # crcmod is Debian's python3-crcmod

mkfile() {
  F=$TMP/$1
  mkdir -p "$(dirname "$F")"
  head -c "$2" /dev/urandom >"$F"
}

up_server() {
  local plan=${1:-}
  shift $(($# ? 1 : 0))
  start_fault_server "$plan" --access-key "$AWS_ACCESS_KEY_ID" --secret-key "$AWS_SECRET_ACCESS_KEY" "$@"
}

fault_bucket() { mkdir -p "$FAULT_DATA/$1"; }

journals() { find "$JOURNAL_DIR" -type f 2>/dev/null || true; }

stats() { "$UPLOAD_PY" "$UPLOAD_TOOL" stats "$1" "$STDERR"; }
assert_stats() {
  "$UPLOAD_PY" "$UPLOAD_TOOL" check "$1" "$STDERR" 2>&9
}

expected_checksum() { "$UPLOAD_PY" "$UPLOAD_TOOL" checksum "$@"; }

assert_object() {
  local bucket=$1 key=$2 want=$3 got=$TMP/got-object
  rm -f "$got"
  awsl s3api get-object --bucket "$bucket" --key "$key" "$got" >/dev/null && assert_sha "$got" "$want"
}

# (&&: these also fail when called where errexit is off, e.g. in an if.)
assert_all_signed() {
  assert_requests -ge 1 && assert_requests -eq 0 "sig != 'ok'"
}

assert_plain_bodies() {
  assert_requests -eq 0 "hdr('Transfer-Encoding') is not None" &&
    assert_requests -eq 0 "fault is None and body_bytes and str(body_bytes) != hdr('Content-Length')"
}

up_bg() {
  local out=$1 err=$2
  shift 2
  # <&0: an explicit stdin, else bash gives a background job /dev/null (the caller may redirect up_bg's stdin).
  env --default-signal=INT,TERM "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$@" <&0 >"$out" 2>"$err" &
  BG_PID=$!
}

wait_text() {
  local deadline=$((SECONDS + ${3:-20}))
  until grep -qF -- "$2" "$1" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      say "$1 never showed '$2' within ${3:-20} s: $(tail -c 500 "$1" 2>/dev/null)"
      return 1
    fi
    sleep 0.05
  done
}

# assert_stored BUCKET KEY FILE: the fault server holds KEY (a plain key: stored at $FAULT_DATA/BUCKET/KEY) with
# FILE's bytes.
assert_stored() {
  [[ -f $FAULT_DATA/$1/$2 ]] || { say "s3://$1/$2 is not stored"; return 1; }
  assert_sha "$FAULT_DATA/$1/$2" "$3"
}

# assert_not_stored BUCKET KEY: the fault server has no object KEY (a plain key).
assert_not_stored() {
  [[ ! -e $FAULT_DATA/$1/$2 ]] || { say "s3://$1/$2 exists ($(stat -c %s "$FAULT_DATA/$1/$2") bytes)"; return 1; }
}

# assert_no_upload_dirs: no multipart upload is open on the fault server (its .uploads directory is empty) - what
# assert_no_mpu asks through ListMultipartUploads, without starting aws-cli.
assert_no_upload_dirs() {
  local left
  left=$(ls -A "$FAULT_DATA/.uploads" 2>/dev/null || true)
  [[ -z $left ]] || { say "multipart uploads left on the fault server: $left"; return 1; }
}

# uploads_left_unaccounted: see the header.
uploads_left_unaccounted() {
  local open lost
  open=$(ls -A "$FAULT_DATA/.uploads" 2>/dev/null | wc -l) || true
  lost=$(request_count "op == 'create' and fault == 'lost_response'")
  ((open <= lost)) || echo "$open multipart upload(s) left open ($lost lost to a create's answer)"
}
