#!/usr/bin/env bash
# A file destination (`s3fcp s3://b/k PATH`): byte-exact around every chunk boundary with one connection and many,
# nothing left beside the file (no temporary, no journal), permissions as cp gives a new file (0666 & ~umask),
# a directory PATH (with and without a trailing '/') taking the key's last part as the name, an existing file
# refused without --force (exit 2, one line, the file untouched) and replaced with it; the object's Last-Modified as
# the file's time, for one object and for many.
# The checksum HEAD stays on (FAULT_CHECKSUM): every size is also verified against the MD5 ETag by re-reading the file.
source "$(dirname "$0")/common.sh"
FAULT_CHECKSUM=on
source "$(dirname "$0")/fault_common.sh"
# Until main.cpp routes a file DEST to download_to_file (see docs/file-destination.md), there is nothing to test.
start_fault_server ""
CHUNK=65536
OUT=$TMP/out
mkdir -p "$OUT"

# no_leftovers DIR: nothing but regular, non-hidden files in DIR.
no_leftovers() {
  local extra
  extra=$(find "$1" -mindepth 1 -name '.*' -printf '%f\n')
  [[ -z $extra ]] || { say "left in $1: $extra"; return 1; }
}

for size in 0 1 $((CHUNK - 1)) $CHUNK $((CHUNK + 1)) $((3 * CHUNK + 17)); do
  fault_obj sizes "obj-$size" "$size"
  for c in 1 32; do
    rm -f "$OUT/f"
    expect_exit 0 s3fcp "s3://sizes/obj-$size" "$OUT/f" --chunk-size 64KiB -c "$c" -q
    assert_sha "$OUT/f" "$OBJ"
    assert_empty "$STDOUT"
    assert_empty "$STDERR"
    no_leftovers "$OUT"
  done
done

# Permissions like cp: a new file gets 0666 & ~umask.
fault_obj sizes dir/sub/model.bin $((2 * CHUNK + 5))
rm -f "$OUT/f"
(umask 027 && s3fcp s3://sizes/dir/sub/model.bin "$OUT/f" --chunk-size 64KiB -q)
[[ $(stat -c %a "$OUT/f") == 640 ]] || { say "mode $(stat -c %a "$OUT/f"), want 640 under umask 027"; false; }
rm -f "$OUT/f"
(umask 000 && s3fcp s3://sizes/dir/sub/model.bin "$OUT/f" --chunk-size 64KiB -q)
[[ $(stat -c %a "$OUT/f") == 666 ]] || { say "mode $(stat -c %a "$OUT/f"), want 666 under umask 000"; false; }

# A directory destination: DIR/<last part of the key>.
mkdir -p "$TMP/d1" "$TMP/d2"
expect_exit 0 s3fcp s3://sizes/dir/sub/model.bin "$TMP/d1" --chunk-size 64KiB -c 4
assert_sha "$TMP/d1/model.bin" "$OBJ"
expect_exit 0 s3fcp s3://sizes/dir/sub/model.bin "$TMP/d2/" --chunk-size 64KiB -c 4
assert_sha "$TMP/d2/model.bin" "$OBJ"
no_leftovers "$TMP/d1"
no_leftovers "$TMP/d2"

# The file was verified: re-read against the object's checksum (the fault server's MD5 ETag).
rm -f "$OUT/f"
expect_exit 0 s3fcp s3://sizes/dir/sub/model.bin "$OUT/f" --chunk-size 64KiB -c 4 --print-checksum
assert_contains "$STDERR" "checksum MD5 $(md5sum <"$OBJ" | cut -d' ' -f1) OK"

# An existing file is not replaced without --force; with it, it is.
echo "precious" >"$OUT/keep"
expect_exit 2 s3fcp s3://sizes/dir/sub/model.bin "$OUT/keep" --chunk-size 64KiB
assert_one_line "$STDERR"
assert_contains "$STDERR" "already exists"
assert_contains "$STDERR" "--force"
[[ $(cat "$OUT/keep") == precious ]] || { say "the existing file was changed"; false; }
expect_exit 2 s3fcp s3://sizes/dir/sub/model.bin "$TMP/d1" --chunk-size 64KiB  # d1/model.bin exists now
expect_exit 0 s3fcp s3://sizes/dir/sub/model.bin "$OUT/keep" --chunk-size 64KiB --force
assert_sha "$OUT/keep" "$OBJ"
no_leftovers "$OUT"

# --continue with nothing to continue downloads from the start.
rm -f "$OUT/f"
expect_exit 0 s3fcp s3://sizes/dir/sub/model.bin "$OUT/f" --chunk-size 64KiB --continue
assert_sha "$OUT/f" "$OBJ"
no_leftovers "$OUT"

# The file takes the object's Last-Modified as its time, as aws s3 cp gives it (aws s3 sync compares it): ranged
# GETs, one GET (a small object of a many-object copy) and ranged GETs within one (over the 8 MiB of one GET).
fault_obj sizes dated/big.bin $((9 * 1024 * 1024 + 3))
fault_obj sizes dated/small.bin 1000
touch -d '2021-06-07 08:09:10 UTC' "$FAULT_DATA/sizes/dated/big.bin" "$FAULT_DATA/sizes/dated/small.bin"
WANT=$(date -d '2021-06-07 08:09:10 UTC' +%s)
expect_exit 0 s3fcp s3://sizes/dated/small.bin "$TMP/dated/one" --chunk-size 64KiB -q
expect_exit 0 s3fcp -r s3://sizes/dated/ "$TMP/dated/many/" -q
for f in one many/big.bin many/small.bin; do
  [[ $(stat -c %Y "$TMP/dated/$f") == "$WANT" ]] ||
    { say "$f has mtime $(stat -c %y "$TMP/dated/$f"), not the object's 2021-06-07 08:09:10"; false; }
done
say "ok"
