#!/usr/bin/env bash
# `cmake --install` puts the binary, a man page and a bash completion in place; the man page and the completion are
# generated from the binary's own option table, so every option of --help is in both.
source "$(dirname "$0")/common.sh"
build_dir=$(dirname "$S3FCP_BIN")
[[ -f $build_dir/CMakeCache.txt ]] || { say "no CMake build dir next to $S3FCP_BIN"; exit 1; }
cmake --install "$build_dir" --prefix "$TMP/prefix" >/dev/null
[[ -x $TMP/prefix/bin/s3fcp ]] || { say "binary not installed"; false; }
man=$TMP/prefix/share/man/man1/s3fcp.1
completion=$TMP/prefix/share/bash-completion/completions/s3fcp
[[ -s $man && -s $completion ]] || { say "man page or completion missing"; false; }
for opt in $("$S3FCP_BIN" --help | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u); do
  grep -qF -- "${opt//-/\\-}" "$man" || grep -qF -- "$opt" "$man" || { say "man page lacks $opt"; false; }
  grep -qF -- "$opt" "$completion" || { say "completion lacks $opt"; false; }
done
grep -q 'Exit codes' "$man" || { say "man page lacks the exit codes"; false; }
# The completion works in bash: completing --chec offers --checksum.
out=$(bash -c 'source "$1"; COMP_WORDS=(s3fcp --chec); COMP_CWORD=1; _s3fcp; echo "${COMPREPLY[*]}"' _ "$completion")
[[ $out == *--checksum* ]] || { say "completion of --chec gave '$out'"; false; }
