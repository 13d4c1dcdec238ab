#!/usr/bin/env bash
# Keys that need URI encoding, or that a URL normaliser would rewrite, come back byte-exact.
# Every key below was checked with aws-cli alone (s3api put-object + get-object) against moto first: moto stores
# and serves all of them correctly, so none is skipped.
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
start_moto
mkbucket keys

keys=(
  'with space.bin'
  'dir/naïve 文件.bin'
  'a+b.bin'
  'a=b.bin'
  'a%b.bin'
  'a%20b.bin'
  'a?b.bin'
  'a#b.bin'
  'a//b.bin'
  'trailing/'
  'a/./b'
  'a/../b'
  '../up'
  "sub-delims&'()!*,;\$@.bin"
  'tilde~caret^[x]{y}.bin'
  'emoji-😀.bin'
)
# More than one 64 KiB chunk each, so the encoded path is used by the later ranged GETs too. Every file is random,
# so fetching a wrong key cannot match.
for key in "${keys[@]}"; do
  mkobj keys "$key" $((64 * 1024 + 100))
done
for key in "${keys[@]}"; do
  fetch_ok keys "$key" --chunk-size 64KiB -c 4 -q
done
say "ok"
