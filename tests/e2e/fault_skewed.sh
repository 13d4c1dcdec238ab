#!/usr/bin/env bash
# 403 RequestTimeTooSkewed (the server's Date an hour ahead) is retried once with the clock corrected from that
# Date: exit 0, sha-exact, and the retried request's X-Amz-Date is about an hour ahead of the real time. Once on a
# middle part, and once on the probe.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
CHUNK=65536 SIZE=$((3 * 1024 * 1024 + 10))
fault_obj skew k.bin "$SIZE"
read -r S _ < <(part_range 20 $CHUNK "$SIZE")

# amz_offset FILTER: seconds between the X-Amz-Date of the last request FILTER selects and now.
amz_offset() {
  local d
  d=$(log_eval 'hdr("x-amz-date")' "$1" | tail -n 1)
  if ! [[ $d =~ ^([0-9]{4})([0-9]{2})([0-9]{2})T([0-9]{2})([0-9]{2})([0-9]{2})Z$ ]]; then
    say "no X-Amz-Date: '$d'"
    return 1
  fi
  local m=("${BASH_REMATCH[@]}")
  echo $(($(date -u -d "${m[1]}-${m[2]}-${m[3]} ${m[4]}:${m[5]}:${m[6]}" +%s) - $(date -u +%s)))
}

for where in "\"range_start\": $S, \"has_if_match\": true" '"nth": 1'; do
  start_fault_server '{"rules": [
    {"match": {'"$where"'}, "fault": "status", "status": 403, "code": "RequestTimeTooSkewed", "date_offset": 3600}
  ]}'
  fetch_ok skew k.bin --chunk-size 64KiB "${NO_HEDGE[@]}" -c 8
  assert_requests -eq 1 "status == 403"
  first=$(log_eval start 'status == 403')
  assert_requests -eq 1 "start == $first and status == 206"
  off=$(amz_offset "start == $first and status == 206")
  if ((off < 3000 || off > 4200)); then
    say "the retry was signed $off s off the real clock, want ~3600 (corrected from the server's Date)"
    false
  fi
  say "skew on range $first: retry signed ${off}s ahead"
done
say "ok"
