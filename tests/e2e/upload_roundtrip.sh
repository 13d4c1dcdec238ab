#!/usr/bin/env bash
# Round trips: what s3fcp uploads, aws-cli and s3fcp read back byte for byte. On moto: a single PUT and a 3-part
# upload, from a file and from a pipe, read back with `aws s3 cp` and with s3fcp (to stdout and to a file; its
# checksum verification on for the single PUT (moto keeps no checksum of it: the ETag's MD5 is checked); off for a
# multipart object, whose CRC64NVME moto invents), and a --range across a part boundary. On the fault server, which checks every
# checksum it is sent: the same uploads read back by s3fcp with the object's full-object CRC64NVME verified, and by
# aws-cli.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
mkfile single.bin $((3 * MiB + 3))
SINGLE=$F
mkfile multi.bin $((13 * MiB))  # parts of 5, 5 and 3 MiB
MULTI=$F
ARGS=(--chunk-size 5MiB -q --stats json)

from_pipe() { cat "$1" | s3fcp - "${@:2}"; }

# round_trip BUCKET VERIFY: uploads both files both ways, then reads each back. VERIFY: "moto" or "fault".
round_trip() {
  local b=$1 how src key parts value check
  for how in file pipe; do
    for src in "$SINGLE" "$MULTI"; do
      key="$how/$(basename "$src")"
      if [[ $how == file ]]; then
        expect_exit 0 s3fcp "$src" "s3://$b/$key" "${ARGS[@]}"
      else
        expect_exit 0 from_pipe "$src" "s3://$b/$key" "${ARGS[@]}"
      fi
      parts=$(stats "s['parts']")
      value=$(stats "s['checksum']['value']")
      # s3fcp reads it back: to stdout, and to a file.
      check=(--checksum off)
      [[ $1 == fault || $parts == 1 ]] && check=(--print-checksum)
      expect_exit 0 s3fcp "s3://$b/$key" - -q "${check[@]}"
      assert_sha "$STDOUT" "$src"
      if [[ $1 == fault ]]; then
        assert_contains "$STDERR" "checksum CRC64NVME $value OK"
      elif [[ ${check[0]} != --checksum ]]; then
        assert_contains "$STDERR" " OK"  # moto keeps no checksum of a PUT: the ETag's MD5
      fi
      rm -f "$TMP/back.bin"
      expect_exit 0 s3fcp "s3://$b/$key" "$TMP/back.bin" -q "${check[@]}"
      assert_sha "$TMP/back.bin" "$src"
    done
  done
  # aws-cli reads everything back in one go.
  rm -rf "$TMP/aws"
  awsl s3 cp --recursive --only-show-errors "s3://$b/" "$TMP/aws"
  for how in file pipe; do
    assert_sha "$TMP/aws/$how/single.bin" "$SINGLE"
    assert_sha "$TMP/aws/$how/multi.bin" "$MULTI"
  done
  # A range across the boundary of parts 1 and 2.
  expect_exit 0 s3fcp "s3://$b/file/multi.bin" - -q --range bytes=$((5 * MiB - 10))-$((5 * MiB + 9))
  head -c $((5 * MiB + 10)) "$MULTI" | tail -c 20 >"$TMP/want"
  assert_sha "$STDOUT" "$TMP/want"
  assert_no_mpu "$b"
}

start_moto
mkbucket trip
round_trip trip moto
say "moto: uploaded by s3fcp, read back by aws-cli and s3fcp"

# s3fcp widens its stdin pipe to 1 MiB (fewer reader/writer switches). The writer asks the capacity once all 13 MiB
# went in: most of them only after s3fcp had read, which it does after widening.
{ python3 -c 'import fcntl, os, sys
data = memoryview(open(sys.argv[1], "rb").read())
while data:
    data = data[os.write(1, data):]
print(fcntl.fcntl(1, 1032), file=sys.stderr)' "$MULTI" 2>"$TMP/pipe_size" |
  s3fcp - s3://trip/pipe/widened.bin -q; st=("${PIPESTATUS[@]}"); } || true
[[ ${st[*]} == "0 0" ]] || { say "python | s3fcp - exited ${st[*]}"; false; }
[[ $(cat "$TMP/pipe_size") == 1048576 ]] || { say "stdin pipe capacity $(cat "$TMP/pipe_size"), want 1048576"; false; }

up_server ""
fault_bucket trip
round_trip trip fault
assert_all_signed
say "ok"
