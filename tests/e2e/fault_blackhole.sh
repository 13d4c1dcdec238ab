#!/usr/bin/env bash
# A server that accepts connections and never answers (not even headers): with --read-timeout 2 --max-attempts 2
# each request is abandoned after 2 s of silence, and then s3fcp exits 6 with one stderr line that says it timed
# out / stalled; nothing on stdout. The 60 s hang guard is only a guard.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
start_blackhole
ENDPOINT=http://127.0.0.1:$BLACKHOLE_PORT
run_timed 6 s3fcp s3://b/k --read-timeout 2 --max-attempts 2
assert_one_line "$STDERR"
assert_empty "$STDOUT"
assert_grep "$STDERR" 'stall|time|no data|no byte'
say "ok ($ELAPSED_MS ms: $(cat "$STDERR"))"
