#!/usr/bin/env bash
# Streaming into a pipe: in order into sha256sum; into `head -c 100` it stops quietly with 141 (broken pipe). The
# pipe is widened to 1 MiB (fewer writer/reader switches), as the reader sees once bytes arrive. A terminal is not a
# pipe: a binary object goes there only when '-' asks for it.
# shellcheck source=SCRIPTDIR/common.sh
source "$(dirname "$0")/common.sh"
start_moto
mkbucket pipe
mkobj pipe stream.bin $((24 * 1024 * 1024 + 11))
want=$(sha256sum <"$OBJ")

# The pipelines run on the left of `||` so that errexit and the ERR trap leave their statuses to PIPESTATUS.
{ s3fcp s3://pipe/stream.bin --chunk-size 1MiB -c 16 2>"$STDERR" | sha256sum >"$TMP/sum"; st=("${PIPESTATUS[@]}"); } || true
[[ ${st[*]} == "0 0" ]] || { say "s3fcp | sha256sum exited ${st[*]}: $(cat "$STDERR")"; false; }
[[ $(cat "$TMP/sum") == "$want" ]] || { say "sha256 through the pipe differs"; false; }
assert_empty "$STDERR"

# The reader asks its stdin's capacity (F_GETPIPE_SZ = 1032) after the first byte, then drains it.
{ s3fcp s3://pipe/stream.bin -q | python3 -c 'import fcntl, os, sys
os.read(0, 1)
print(fcntl.fcntl(0, 1032))
while os.read(0, 1 << 20): pass' >"$TMP/pipe_size"; st=("${PIPESTATUS[@]}"); } || true
[[ ${st[*]} == "0 0" ]] || { say "s3fcp | python exited ${st[*]}"; false; }
[[ $(cat "$TMP/pipe_size") == 1048576 ]] || { say "pipe capacity $(cat "$TMP/pipe_size"), want 1048576"; false; }

for args in "--chunk-size 1MiB -c 16" "-c 1"; do
  # shellcheck disable=SC2086 # word splitting of $args is intended
  { s3fcp s3://pipe/stream.bin $args 2>"$STDERR" | head -c 100 >"$TMP/head"; st=("${PIPESTATUS[@]}"); } || true
  [[ ${st[*]} == "141 0" ]] || { say "s3fcp $args | head -c 100 exited ${st[*]}, want '141 0': $(cat "$STDERR")"; false; }
  assert_empty "$STDERR"
  cmp -s "$TMP/head" <(head -c 100 "$OBJ") || { say "first 100 bytes differ"; false; }
done
# stdout a terminal (script(1) gives it a pty): a binary object is refused when DEST was left out (exit 2, not a
# byte written), written when '-' asks for it; a text object is written either way.
command -v script >/dev/null || { say "script (util-linux) not in PATH"; exit 1; }
printf 'plain text, no NUL\n' >"$TMP/text.txt"
awsl s3 cp "$TMP/text.txt" s3://pipe/text.txt --quiet
on_tty() {  # on_tty ARGS...: s3fcp ARGS with stdout on a pseudo-terminal; its output in $TMP/tty, exit status in $TMP/tty.rc
  script -qec "$(printf '%q ' "$S3FCP_BIN" --endpoint-url "$ENDPOINT" "$@") 2>$TMP/tty.err; echo \$? >$TMP/tty.rc" \
    /dev/null >"$TMP/tty" </dev/null
}
on_tty s3://pipe/stream.bin -q
[[ $(cat "$TMP/tty.rc") == 2 ]] || { say "binary to a terminal exited $(cat "$TMP/tty.rc"): $(cat "$TMP/tty.err")"; false; }
assert_one_line "$TMP/tty.err"
assert_contains "$TMP/tty.err" "stdout is a terminal"
[[ ! -s $TMP/tty ]] || { say "$(stat -c %s "$TMP/tty") bytes reached the terminal"; false; }
on_tty s3://pipe/stream.bin - -q --chunk-size 8MiB
[[ $(cat "$TMP/tty.rc") == 0 ]] || { say "'-' to a terminal exited $(cat "$TMP/tty.rc"): $(cat "$TMP/tty.err")"; false; }
(($(stat -c %s "$TMP/tty") >= 24 * 1024 * 1024)) || { say "'-' wrote $(stat -c %s "$TMP/tty") bytes"; false; }
on_tty s3://pipe/text.txt -q
[[ $(cat "$TMP/tty.rc") == 0 ]] && grep -q "plain text, no NUL" "$TMP/tty" || { say "text to a terminal"; false; }
say "ok"
