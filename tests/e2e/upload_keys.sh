#!/usr/bin/env bash
# Keys that need encoding or that a URL normaliser would rewrite (space, +, =, ?, #, %, %41, unicode, //, a leading
# /, ./, ../, a tab, sub-delims) are uploaded as given, to moto and to the fault server (whose SigV4 verifier
# rebuilds the canonical request from the raw path: every request must be signed right): one PUT each, one multipart
# upload from a file and one from a pipe. The listing holds exactly those keys, each with its own bytes. A
# destination ending in '/' takes the file's name (itself hostile) after the prefix, and so does s3://bucket.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"

KEYS=('sp ace.bin' 'plus+sign' 'eq=ual&x=y' 'ques?tion' 'hash#tag' 'pct%41' 'pct%' 'ünï/日本語.bin' 'dbl//slash'
  '/leading' "odd~!\$&'()*,;:@" 'x/./y' 'x/../y' $'tab\tx' 'trail.')
MP_KEY='mp ü+=?#%2F//x'            # multipart from a file
MP_PIPE_KEY='pipe/ä b+c?d#e%f//g'  # multipart from a pipe
mkdir -p "$TMP/src"
NAME='name with space+plus#?.txt'
echo "the prefix case" >"$TMP/src/$NAME"
BARE='to the bare bucket+.txt'
echo "s3://bucket without a slash" >"$TMP/src/$BARE"
mkfile big.bin $((5 * MiB + 100))
BIG=$F

from_pipe() { cat "$1" | s3fcp - "${@:2}"; }

# upload_all BUCKET: every key above, checking each upload's bytes with an s3fcp download (--checksum off: moto's
# multipart CRC64NVME is bogus).
upload_all() {
  local b=$1 i=0 k
  WANT=()
  for k in "${KEYS[@]}"; do
    # The fault server refuses a ".." segment (400 InvalidURI), as its README says; moto takes it.
    [[ $k == 'x/../y' && $b == fs ]] && continue
    i=$((i + 1))
    printf 'object %d: %s\n' "$i" "$k" >"$TMP/src/$i"
    expect_exit 0 s3fcp "$TMP/src/$i" "s3://$b/$k" -q
    expect_exit 0 s3fcp "s3://$b/$k" - --checksum off -q
    assert_sha "$STDOUT" "$TMP/src/$i"
    WANT+=("$k")
  done
  expect_exit 0 s3fcp "$BIG" "s3://$b/$MP_KEY" -q --chunk-size 5MiB --stats json
  assert_stats "s['parts'] == 2"
  expect_exit 0 from_pipe "$BIG" "s3://$b/$MP_PIPE_KEY" -q --chunk-size 5MiB --stats json
  assert_stats "s['parts'] == 2"
  assert_object "$b" "$MP_KEY" "$BIG"
  assert_object "$b" "$MP_PIPE_KEY" "$BIG"
  expect_exit 0 s3fcp "$TMP/src/$NAME" "s3://$b/pre fix+/" -q
  expect_exit 0 s3fcp "s3://$b/pre fix+/$NAME" - --checksum off -q
  assert_sha "$STDOUT" "$TMP/src/$NAME"
  expect_exit 0 s3fcp "$TMP/src/$NAME" "s3://$b/" -q  # the bucket's root: the key is the name
  expect_exit 0 s3fcp "$TMP/src/$BARE" "s3://$b" -q   # s3://bucket with no '/', as aws s3 cp takes it
  expect_exit 0 s3fcp "s3://$b/$BARE" - -q
  assert_sha "$STDOUT" "$TMP/src/$BARE"
  WANT+=("$MP_KEY" "$MP_PIPE_KEY" "pre fix+/$NAME" "$NAME" "$BARE")
  # Exactly these keys, nothing normalised.
  awsl s3api list-objects-v2 --bucket "$b" --output json --query 'Contents[].Key' >"$TMP/listing.json"
  python3 - "$TMP/listing.json" "${WANT[@]}" <<'PY'
import json, sys
got, want = sorted(json.load(open(sys.argv[1]))), sorted(sys.argv[2:])
if got != want:
    sys.exit(f"listed keys differ:\n  missing {sorted(set(want) - set(got))}\n  extra {sorted(set(got) - set(want))}")
PY
  assert_no_mpu "$b"
}

start_moto
mkbucket moto
upload_all moto
say "moto: ${#WANT[@]} keys"

up_server ""
fault_bucket fs
upload_all fs
assert_all_signed
assert_plain_bodies
assert_requests -ge 2 "op == 'part'"
say "ok (${#WANT[@]} keys on each server)"
