#!/usr/bin/env bash
# 503 SlowDown is retried with backoff until it clears: a burst of five on the first request (the probe) and three
# on a middle part still gives a sha-exact copy, and the log shows each 503 followed by the same range again. A
# Retry-After header is honoured: two 503s with Retry-After: 1 hold the download back >= 2 s, where the backoff
# alone (full jitter, 100 ms base: at most 0.1 + 0.2 s) never would.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((4 * 1024 * 1024 + 123))
fault_obj slow k.bin "$SIZE"
read -r S E < <(part_range 20 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"range_start": 0, "has_if_match": false}, "fault": "status", "status": 503, "code": "SlowDown",
   "times": 5},
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "status", "status": 503, "code": "SlowDown",
   "times": 3}
]}'
t0=$(ms_now); fetch_ok slow k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8; say "burst run took $(($(ms_now) - t0)) ms"
assert_requests -eq 5 'start == 0 and status == 503'
assert_requests -eq 1 'start == 0 and status == 206'
assert_requests -eq 3 "start == $S and status == 503"
assert_requests -eq 1 "start == $S and end == $E and status == 206"
# The retries come after the 503s they answer (log order = server order for one range).
[[ $(log_eval status "start == $S") == $'503\n503\n503\n206' ]] || { say "range $S: not 3x503 then 206"; false; }

# Retry-After: 1 on two 503s for a middle part.
start_fault_server '{"rules": [
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "status", "status": 503, "code": "SlowDown",
   "retry_after": 1, "times": 2}
]}'
run_timed 0 s3fcp s3://slow/k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
assert_sha "$STDOUT" "$OBJ"
assert_requests -eq 2 "start == $S and status == 503"
assert_requests -eq 1 "start == $S and status == 206"
if ((ELAPSED_MS < 1900)); then
  say "two 503s with Retry-After: 1 cost only $ELAPSED_MS ms: Retry-After was not honoured"
  false
fi
say "ok (Retry-After run took $ELAPSED_MS ms)"
