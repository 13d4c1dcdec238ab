#!/usr/bin/env bash
# --version-id picks the right bytes for every chunk; no --version-id means the latest version.
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
start_moto
mkbucket vers --versioned

# Several chunks each, so a versionId dropped from a later ranged GET would fetch the other version's bytes.
mkobj vers model.bin $((200 * 1024 + 5))
old=$OBJ old_version=$OBJ_VERSION
mkobj vers model.bin $((300 * 1024 + 7))
new=$OBJ new_version=$OBJ_VERSION
[[ -n $old_version && -n $new_version && $old_version != "$new_version" ]]

for c in 1 8; do
  expect_exit 0 s3fcp s3://vers/model.bin --version-id "$old_version" --chunk-size 64KiB -c "$c" -q
  assert_sha "$STDOUT" "$old"
  assert_empty "$STDERR"

  expect_exit 0 s3fcp s3://vers/model.bin --version-id "$new_version" --chunk-size 64KiB -c "$c" -q
  assert_sha "$STDOUT" "$new"

  expect_exit 0 s3fcp s3://vers/model.bin --chunk-size 64KiB -c "$c" -q
  assert_sha "$STDOUT" "$new"
done

# An old version smaller than one chunk is fetched by its first request alone.
expect_exit 0 s3fcp s3://vers/model.bin --version-id "$old_version" -q
assert_sha "$STDOUT" "$old"
say "ok"
