#!/usr/bin/env bash
# Byte-exact downloads around every chunk boundary, one connection and many, and a large object.
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
start_moto
mkbucket sizes

chunk=$((64 * 1024))
for size in 0 1 $((chunk - 1)) $chunk $((chunk + 1)) $((3 * chunk + 17)); do
  mkobj sizes "obj-$size" "$size"
  for c in 1 32; do
    fetch_ok sizes "obj-$size" --chunk-size 64KiB -c "$c" -q
    assert_empty "$STDERR"
  done
done

# Without -q too: progress is drawn only when stderr is a TTY, so a redirected stderr stays empty.
fetch_ok sizes "obj-$((3 * chunk + 17))" --chunk-size 64KiB
assert_empty "$STDERR"

# 32 MiB. moto answers every ranged GET by copying the whole value first (~85-140 ms per request on a 100 MiB
# object, whatever the range) and gains little from parallel requests, so its cost is requests x object size: at
# 100 MiB with 1 MiB chunks this case took 18 s on a quiet CI machine, and was killed by the 120 s guard on a slow
# one (moto answered one GET a second). 32 MiB in 1 MiB chunks is still 32 requests, -c 32 puts them all in flight
# at once, and the default chunk size (4 MiB) makes 8. The chunk-boundary cases above keep 64 KiB chunks.
mkobj sizes big $((32 * 1024 * 1024))
for c in 1 32; do
  fetch_ok sizes big --chunk-size 1MiB -c "$c" -q
  assert_empty "$STDERR"
done
fetch_ok sizes big -q
assert_empty "$STDERR"
say "ok"
