#!/usr/bin/env bash
# Many objects against the fault server, 1,100 of them so that ListObjectsV2 takes two pages.
#   - The listing overlaps the copies: with the second page delayed, GETs of the first page's keys are answered before
#     the last list request is (no timing assertion: without overlap no GET could come first). Connections are reused
#     across objects: with -c 8, at most 9 TCP connections per network thread (one per core, at most 4) carry 1,100
#     GETs.
#   - 503 SlowDown bursts (a quarter of the GETs, hundreds of them), connection resets mid-body and a 503 on the first
#     list page: every object recovers, byte-exact.
#   - The listing denied on its second page: exit 4; what was copied is whole, no temporary file left.
#   - SIGINT / SIGTERM with copies stalled mid-body, and while the last list page hangs: exit 130 / 143 within
#     seconds, no temporary file left, every file there whole.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/many_common.sh"

N=1100
fault_tree flt p/ $N 41
ALL=$FAULT_DATA/flt/p
# assert_whole DIR: every file under DIR is the object of its name, whole.
assert_whole() {
  local f
  while IFS= read -r -d '' f; do
    cmp -s "$1/$f" "$ALL/$f" || { say "$1/$f is not whole"; return 1; }
  done < <(cd "$1" && find . -type f -print0)
}
DELAY_PAGE2='{"match": {"op": "list", "path_contains": "continuation-token"}, "delay": 1, "times": -1}'

# Overlap and connection reuse.
start_fault_server '{"rules": ['"$DELAY_PAGE2"']}'
expect_exit 0 s3fcp -r s3://flt/p/ "$TMP/a" -c 8 --stats json
assert_same_tree "$ALL" "$TMP/a"
assert_requests -eq 2 "op == 'list' and status == 200"
assert_requests -eq 1 "op == 'list' and 'continuation-token=' in query"
assert_requests -eq $N "op == 'get' and status == 200"
ahead=$(log_eval op | awk '$1 == "list" { last = NR; before = gets } $1 == "get" { gets++ } END { print before }')
((ahead >= 1)) || { say "no GET answered before the last list page: the listing did not overlap the copies"; exit 1; }
conns=$(conn_count)
threads=$(nproc)
((threads <= 4)) || threads=4
max_conns=$((9 * threads))
((conns <= max_conns)) || { say "$conns connections for $N objects with -c 8 on $threads threads: not reused"; exit 1; }
assert_items "summary['connections'] <= $max_conns and summary['requests'] == $N + 2"
say "overlap: $ahead GETs answered before the last list page; $conns connections for $N objects"

# Faults: every object recovers.
start_fault_server '{"rules": [
  {"match": {"op": "list", "nth": 1}, "fault": "status", "status": 503, "code": "SlowDown"},
  '"$DELAY_PAGE2"',
  {"match": {"op": "get", "probability": 0.25}, "fault": "status", "status": 503, "code": "SlowDown", "times": 400},
  {"match": {"op": "get", "probability": 0.03}, "reset_after": 50, "times": 30}
]}'
expect_exit 0 s3fcp -r s3://flt/p/ "$TMP/b" -c 16 --stats json
assert_same_tree "$ALL" "$TMP/b"
assert_items "summary['copied'] == $N and summary['failed'] == 0"
slowdowns=$(request_count "op == 'get' and status == 503")
throttled=$(log_eval key "op == 'get' and status == 503" | sort -u | wc -l)
((slowdowns >= 150 && throttled >= 100)) || { say "only $slowdowns 503s on $throttled keys: no burst"; exit 1; }
assert_requests -ge 10 "op == 'get' and fault == 'reset_after'"
assert_requests -eq 1 "op == 'list' and status == 503"
say "recovered from $slowdowns 503s on $throttled objects and $(request_count "fault == 'reset_after'") resets"

# The listing denied on its second page: the first page's copies stop whole or not at all.
start_fault_server '{"rules": [{"match": {"op": "list", "path_contains": "continuation-token"}, "fault": "status",
  "status": 403, "code": "AccessDenied", "delay": 1}]}'
expect_exit 4 s3fcp -r s3://flt/p/ "$TMP/c" -c 8
assert_contains "$STDERR" "AccessDenied"
assert_no_temp "$TMP/c" "$ALL"
copied=$(file_count "$TMP/c")
((copied >= 1 && copied <= 1000)) || { say "$copied files after the failed listing"; exit 1; }
assert_whole "$TMP/c"

# Signals: copies stalled mid-body; then the last list page hanging (its log line comes only with its answer: wait
# for the first page's copies).
interrupt() { # SIG WANT PLAN WAIT_FILTER DEST: start, wait for WAIT_FILTER in the log, signal, check what is left.
  local sig=$1 want=$2 plan=$3 filter=$4 dest=$5
  start_fault_server "$plan"
  start_bg "$TMP/bg.out" "$STDERR" -r s3://flt/p/ "$dest" -c 8 --read-timeout 60
  wait_for_log 1 "$filter"
  signal_and_reap "$sig" "$want"
  assert_no_temp "$dest" "$ALL"
  assert_whole "$dest"
  say "SIG$sig: exit $want after ${REAP_MS} ms, $(file_count "$dest") files there, all whole"
}
STALL='{"rules": [{"match": {"op": "get", "probability": 0.05}, "fault": "stall", "after": 10, "seconds": 60,
  "times": -1}]}'
interrupt INT 130 "$STALL" "fault == 'stall'" "$TMP/int"
interrupt TERM 143 "$STALL" "fault == 'stall'" "$TMP/term"
interrupt INT 130 '{"rules": [{"match": {"op": "list", "path_contains": "continuation-token"}, "delay": 60}]}' \
  "n > 100 and op == 'get'" "$TMP/int-list"
say "ok"
