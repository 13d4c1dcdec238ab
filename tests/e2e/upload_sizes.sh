#!/usr/bin/env bash
# Upload sizes around every boundary, from a file and from a pipe, to moto: 0, 1, 5 MiB - 1, 5 MiB, 5 MiB + 1,
# part - 1, part, part + 1 with the default parts (8 MiB from a file, 6 MiB from a pipe); 5 MiB + 1 and 2 parts + 1
# with --chunk-size 5MiB; a
# --chunk-size below S3's minimum is raised to 5 MiB. One PUT exactly when the whole fits in one part, else parts of
# the part size. Each object is read back with aws-cli, byte for byte; its ETag ("-N" or not; the one --stats json
# reported) and --stats json say how many parts it took; the CRC64NVME s3fcp reports is crcmod's. No multipart upload is left behind.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
start_moto
mkbucket sizes

# CASES: "HOW SIZE CHUNK_OPTION PARTS" (HOW file, pipe or both; CHUNK_OPTION "-": the default part size, P from a
# file, S from a pipe).
P=$((8 * MiB)) S=$((6 * MiB)) M=$((5 * MiB))
CASES=(
  "both 0 - 1" "both 1 - 1" "both $((M - 1)) - 1" "both $M - 1" "both $((M + 1)) - 1"
  "file $((P - 1)) - 1" "file $P - 1" "file $((P + 1)) - 2"
  "pipe $((S - 1)) - 1" "pipe $S - 1" "pipe $((S + 1)) - 2" "pipe $((P + 1)) - 2"
  "both $((M + 1)) 5MiB 2" "both $((2 * M + 1)) 5MiB 3"
  "both $((M + 1)) 1MiB 2"
)

from_pipe() { cat "$1" | s3fcp - "${@:2}"; }

declare -A WANT_PARTS=() LOCAL=() ETAG=()
i=0
for c in "${CASES[@]}"; do
  read -r hows size chunk parts <<<"$c"
  i=$((i + 1))
  mkfile "f$i.bin" "$size"
  crc=$(expected_checksum CRC64NVME "$F")
  chunk_args=()
  [[ $chunk == - ]] || chunk_args=(--chunk-size "$chunk")
  for how in file pipe; do
    [[ $hows == both || $hows == "$how" ]] || continue
    key="$how/$i-$size"
    if [[ $how == file ]]; then
      expect_exit 0 s3fcp "$F" "s3://sizes/$key" -q --stats json "${chunk_args[@]}"
    else
      expect_exit 0 from_pipe "$F" "s3://sizes/$key" -q --stats json "${chunk_args[@]}"
    fi
    assert_empty "$STDOUT"
    assert_stats "s['bytes'] == $size and s['parts'] == $parts and s['multipart'] == ($parts > 1)"
    assert_stats "s['exit_code'] == 0 and s['aborted'] is False"
    assert_stats "s['checksum']['algorithm'] == 'CRC64NVME' and s['checksum']['value'] == '$crc'"
    assert_stats "(s['upload_id'] is not None) == ($parts > 1)"
    WANT_PARTS[$key]=$parts
    ETAG[$key]=$(stats "s['etag']")
    LOCAL[$key]=$F
  done
done

# One listing for the sizes and ETags, one recursive copy for the bytes (aws-cli starts slowly).
awsl s3api list-objects-v2 --bucket sizes --output text --query 'Contents[].[Key, Size, ETag]' >"$TMP/listing"
((${#LOCAL[@]} == $(wc -l <"$TMP/listing"))) || { say "listing: $(cat "$TMP/listing")"; false; }
while IFS=$'\t' read -r key size etag; do
  [[ -n ${LOCAL[$key]:-} ]] || { say "unexpected key $key"; false; }
  ((size == $(stat -c %s "${LOCAL[$key]}"))) || { say "$key: $size bytes"; false; }
  [[ $etag == "${ETAG[$key]}" ]] || { say "$key: ETag $etag, --stats json said ${ETAG[$key]}"; false; }
  parts=${WANT_PARTS[$key]}
  if ((parts > 1)); then
    [[ $etag == *-$parts\" ]] || { say "$key: ETag $etag is not of $parts parts"; false; }
  else
    [[ $etag != *-* ]] || { say "$key: ETag $etag is a multipart one"; false; }
  fi
done <"$TMP/listing"
awsl s3 cp --recursive --only-show-errors s3://sizes/ "$TMP/back"
for key in "${!LOCAL[@]}"; do
  assert_sha "$TMP/back/$key" "${LOCAL[$key]}"
done
assert_no_mpu sizes
say "ok (${#LOCAL[@]} uploads)"
