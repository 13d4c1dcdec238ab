#!/usr/bin/env bash
# 500 InternalError is transient: once on the probe and once on a middle part, each range is asked again and the
# copy is sha-exact. 502, 504 and 400 RequestTimeout on other parts are retried the same way.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((3 * 1024 * 1024 + 77))
fault_obj ie k.bin "$SIZE"
read -r S E < <(part_range 17 $CHUNK "$SIZE")
read -r S2 _ < <(part_range 30 $CHUNK "$SIZE")
read -r S3 _ < <(part_range 40 $CHUNK "$SIZE")
read -r S4 _ < <(part_range 45 $CHUNK "$SIZE")

start_fault_server '{"rules": [
  {"match": {"nth": 1}, "fault": "status", "status": 500, "code": "InternalError"},
  {"match": {"range_start": '"$S"', "has_if_match": true}, "fault": "status", "status": 500, "code": "InternalError"},
  {"match": {"range_start": '"$S2"', "has_if_match": true}, "fault": "status", "status": 502},
  {"match": {"range_start": '"$S3"', "has_if_match": true}, "fault": "status", "status": 504},
  {"match": {"range_start": '"$S4"', "has_if_match": true}, "fault": "status", "status": 400, "code": "RequestTimeout"}
]}'
fetch_ok ie k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
[[ $(log_eval status 'start == 0') == $'500\n206' ]] || { say "probe: not 500 then 206"; false; }
[[ $(log_eval status "start == $S") == $'500\n206' ]] || { say "range $S: not 500 then 206"; false; }
[[ $(log_eval status "start == $S2") == $'502\n206' ]] || { say "range $S2: not 502 then 206"; false; }
[[ $(log_eval status "start == $S3") == $'504\n206' ]] || { say "range $S3: not 504 then 206"; false; }
[[ $(log_eval status "start == $S4") == $'400\n206' ]] || { say "range $S4: not 400 RequestTimeout then 206"; false; }
assert_requests -eq 1 "start == $S and end == $E and status == 206"
say "ok"
