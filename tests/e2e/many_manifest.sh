#!/usr/bin/env bash
# --manifest FILE.csv DIR: an S3 Batch Operations CSV (bucket,key[,version_id]) with URL-encoded keys ('+' is a
# space, %2B a '+'), a UTF-8 BOM, CRLF, blank lines, quoted fields (a ',' inside), an empty or given version id,
# several buckets: each object lands at DIR/KEY byte-exact. A missing key and an unsafe one fail on their lines
# (exit 11), a folder marker is skipped; a malformed CSV is exit 2 before any request.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

KEYS=('a b/c+d' 'é/x' plain 'pct%2F' 'comma,key' 'quote"key' 'p/deep/x')
for k in "${KEYS[@]}" ver; do fault_obj mf "$k" $((RANDOM % 3000)); done
fault_obj mf2 other 700
mkdir -p "$FAULT_DATA/mf/ver.versions"
echo "version one" >"$FAULT_DATA/mf/ver.versions/v1"
start_fault_server ""
{
  printf '\xef\xbb\xbfmf,a+b/c%%2Bd\r\n'
  printf 'mf,%%C3%%A9/x\r\n'
  printf '\r\n'
  printf '"mf","plain",""\n'
  printf 'mf,ver,v1\n'
  printf 'mf,pct%%252F\n'
  printf '"mf","comma,key"\n'
  printf 'mf,"quote""key"\n'
  printf 'mf2,other\n'
  printf 'mf,missing\n'
  printf 'mf,..%%2F..%%2Fescape\n'
  printf 'mf,dir%%2F\n'
  printf 'mf,p/deep/x\n'
} >"$TMP/manifest.csv"
DEST=$TMP/dest

expect_exit 11 s3fcp --manifest "$TMP/manifest.csv" "$DEST" --stats json
assert_failures 2
assert_contains "$TMP/failures" "line 10: NoSuchKey"
assert_contains "$TMP/failures" "line 11: refused: key has a '..' segment"
assert_items "summary['copied'] == 9 and summary['failed'] == 2 and len(items) == 11"
for k in "${KEYS[@]}"; do assert_sha "$DEST/$k" "$(local_path mf "$k")"; done
assert_sha "$DEST/other" "$(local_path mf2 other)"
[[ $(cat "$DEST/ver") == "version one" ]]
(($(file_count "$DEST") == 9)) || { say "$DEST: $(find "$DEST" -type f)"; exit 1; }
[[ ! -e $DEST/dir && ! -e $TMP/escape ]]
assert_requests -eq 1 "key == 'ver' and query == 'versionId=v1'"
assert_requests -eq 1 "key == 'plain' and 'versionId' not in query"
assert_requests -eq 0 "'escape' in key or key == 'dir/'"

# --include selects on the whole key.
expect_exit 0 s3fcp --manifest "$TMP/manifest.csv" "$TMP/inc" --include 'p/*' -q
[[ $(cd "$TMP/inc" && find . -type f) == ./p/deep/x ]]

# Malformed: exit 2, the line named, nothing sent, nothing made.
: >"$REQUEST_LOG"
for bad in 'mf,a,b,c' 'mf' 'mf,bad%zz' ',key' 'mf,' 'mf,"open'; do
  printf 'mf,plain\n%s\n' "$bad" >"$TMP/bad.csv"
  expect_exit 2 s3fcp --manifest "$TMP/bad.csv" "$TMP/bad"
  assert_one_line "$STDERR"
  assert_contains "$STDERR" "line 2: "
done
assert_requests -eq 0
[[ ! -e $TMP/bad ]] || { say "a malformed manifest made $TMP/bad"; exit 1; }
expect_exit 2 s3fcp --manifest "$TMP/manifest.csv" s3://mf/ "$TMP/x"
expect_exit 2 s3fcp --manifest "$TMP/nonexistent.csv" "$TMP/x"
say "ok"
