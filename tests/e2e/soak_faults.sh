#!/usr/bin/env bash
# Randomized fault soak: SOAK_RUNS downloads (default 40, stopping early to stay under ~80 s), each against a fresh
# fault server with a random plan of probability-matched faults (resets, short bodies, 500/503, 200-for-206, wrong
# Content-Range, stalls under --read-timeout 1, sometimes the object changing) and random -c, chunk size, window
# and --max-attempts. Whatever happens, never a wrong byte:
#   exit 0  => stdout is sha-exact;
#   exit != 0 => the exit is 6 (or 5 when the object really changed; with answers that lie about its total, 7
#                when they lied consistently — those runs verify the checksum — or 1 when an answer's span fell
#                outside its total, or its total disagreed with the first answer's, or a range inside the first
#                answer's total was refused with 416, twice: a malformed answer),
#                stdout is a correct prefix of the original object and
#                stderr is exactly one line.
# Every run prints its seed; SOAK_SEED=S SOAK_RUNS=1 tests/e2e/soak_faults.sh replays run S's plan and flags (the
# fault server draws its probabilities from the same seed; the request interleaving can still differ).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/soak_common.sh"
export S3FCP_TIMEOUT=30
soak_begin 40 80

# gen_runs BASE N: one line per run: "SEED SIZE CHUNK CONC WINDOW ATTEMPTS READ_TIMEOUT CHANGE<TAB>PLAN<TAB>DESC".
# Each run's draws come from random.Random(SEED) alone, so a run is replayed by SOAK_SEED=SEED SOAK_RUNS=1.
gen_runs() {
  PYTHONPATH=$E2E_ROOT/tests/e2e python3 - "$1" "$2" <<'PY'
import json, random, sys
from soak_plans import CHUNKS, answer_fault, object_size
base, n = int(sys.argv[1]), int(sys.argv[2])
for seed in range(base, base + n):
    rng = random.Random(seed)
    chunk = rng.choice(CHUNKS)
    size = object_size(rng, chunk)
    conc = rng.choice([1, 2, 4, 8, 16])
    window = rng.choice([0, 0, 1, 2, conc, 2 * conc])  # 0: the default
    attempts = rng.choice([2, 3, 3]) if rng.random() < 0.25 else 10
    rules, desc, read_timeout = [], [], 20
    kinds = ["reset_after", "short_body", "status503", "status500", "full_200", "wrong_content_range",
             "short_length", "stall"]
    for kind in rng.sample(kinds, rng.randint(1, 4)):
        p = round(rng.uniform(0.03, 0.2), 3)
        if kind == "wrong_content_range":
            rule = {"match": {"probability": p}, "times": -1, "wrong_content_range": True}
            if rng.random() < 0.3:
                rule["total"] = size + rng.choice([-1, 1])
            else:
                rule["shift"] = rng.choice([-1, 1, 7])
        else:
            rule, p, stalls = answer_fault(rng, kind, p, chunk, {}, retry_after=True)
            read_timeout = 1 if stalls else read_timeout
        desc.append(f"{kind}@{p}")
        rules.append(rule)
    change = 1 if rng.random() < 0.15 else 0
    if change:
        # Only on a request that carries If-Match: a change before the probe would just be another object.
        p = round(rng.uniform(0.02, 0.1), 3)
        rules.insert(0, {"match": {"has_if_match": True, "probability": p}, "change_object": True,
                         "content_seed": rng.randrange(1000), "times": 1})
        desc.append(f"change@{p}")
    params = " ".join(str(v) for v in (seed, size, chunk, conc, window, attempts, read_timeout, change))
    print(params, json.dumps({"rules": rules}), " ".join(desc), sep="\t")
PY
}

gen_runs "$BASE" "$RUNS" >"$TMP/runs"
i=0
while IFS=$'\t' read -r params plan desc; do
  soak_time_up "$i" && break
  read -r seed size chunk conc window attempts read_timeout change <<<"$params"
  key=soak$i.bin
  fault_obj soak "$key" "$size"
  FAULT_SEED=$seed start_fault_server "$plan"
  args=(s3://soak/"$key" -c "$conc" --chunk-size "$chunk" --max-attempts "$attempts" --read-timeout "$read_timeout")
  # A server that lies about the object's total in every answer (a "total" fault hitting each request) is
  # consistent with another object: only the checksum can tell. Such runs verify it (the HEAD's ETag is the MD5).
  # (Then the HEAD may fail under the faults too: "cannot read the object's checksum", also exit 7, never silent.)
  lies=0
  [[ $plan == *'"total"'* ]] && lies=1
  ((window == 0)) || args+=(--window "$window")
  t0=$(ms_now)
  code=0
  if ((lies)); then
    timeout -k 5 "$S3FCP_TIMEOUT" "$S3FCP_BIN" --endpoint-url "$ENDPOINT" --checksum MD5 "${args[@]}" \
      >"$STDOUT" 2>"$STDERR" || code=$?
  else
    s3fcp "${args[@]}" >"$STDOUT" 2>"$STDERR" || code=$?
  fi
  ms=$(($(ms_now) - t0))
  problem=""
  out_size=$(stat -c %s "$STDOUT")
  if ((code == 0)); then
    cmp -s "$STDOUT" "$OBJ" || problem="exit 0 but stdout differs from the object ($out_size of $size bytes)"
  else
    case $code in
      6) ;;
      7) ((lies)) || problem="exit 7 (checksum) but no answer lied about the total" ;;
      1) [[ $plan == *wrong_content_range* ]] && grep -q "malformed Content-Range" "$STDERR" ||
        problem="exit 1 but no answer's Content-Range was malformed" ;;
      5) ((change)) && (($(request_count "fault == 'change_object'") > 0)) ||
        problem="exit 5 (object changed) but the object never changed" ;;
      *) problem="unexpected exit $code" ;;
    esac
    [[ -n $problem ]] || assert_prefix "$STDOUT" "$OBJ" 2>/dev/null 9>/dev/null ||
      problem="exit $code and stdout ($out_size bytes) is not a prefix of the object"
    [[ -n $problem ]] || assert_one_line "$STDERR" 9>/dev/null ||
      problem="exit $code and stderr is not one line: $(head -c 300 "$STDERR")"
  fi
  line="run $i seed $seed: size $size chunk $chunk -c $conc window ${window/#0/default} attempts $attempts"
  line+=" read-timeout $read_timeout [$desc] -> exit $code, $out_size bytes, $(wc -l <"$REQUEST_LOG") requests, $ms ms"
  [[ -n $problem ]] || ((code == 0)) || line+=" : $(head -c 200 "$STDERR")"
  soak_ran "$seed" "$i" "$code" "$line" "$problem" "stderr: $(head -c 500 "$STDERR")" "plan: $plan" ||
    log_dump 'fault is not None' | head -n 8 >&9
  rm -f "$FAULT_DATA/soak/$key" "$OBJ"
  i=$((i + 1))
done <"$TMP/runs"
stop_fault_server
soak_end
