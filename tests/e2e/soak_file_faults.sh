#!/usr/bin/env bash
# Randomized fault soak of downloads into a file: SOAK_RUNS runs (default 60, stopping early to stay under
# ~SOAK_BUDGET_S s, default 45), each a download of a random object (one byte to ~3 MiB, around the chunk
# boundaries) into DIR/NAME against a fresh fault server with a random plan of transient faults (resets and short
# bodies mid-answer, 500/503, a 200 for a range, a body shorter than its Content-Range, stalls under --read-timeout
# 1), random -c, chunk size, window and --max-attempts, with or without hedging. Then, when it failed, the same
# command with --continue against a server without faults. The rules:
#   - exit 0: DIR/NAME is the object, and nothing else is left in DIR (no temporary file, no journal);
#   - exit 6 (retries exhausted): one line on stderr and no DIR/NAME. Either nothing at all is left (the first
#     request never got through, so nothing was known to resume) and the line does not name --continue; or the
#     line names --continue, the temporary file and its journal are kept, and the --continue then exits 0 with
#     the object, byte for byte, leaves nothing else, and is sent no more than the object's size;
#   - any other exit, or anything on stdout, breaks the rules.
# Every run prints its seed; SOAK_SEED=S SOAK_RUNS=1 tests/e2e/soak_file_faults.sh replays run S's plan and flags.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
source "$(dirname "$0")/soak_common.sh"
export S3FCP_TIMEOUT=30
soak_begin 60 45

# gen_runs BASE N: a line per run: "SEED SIZE CHUNK CONC WINDOW ATTEMPTS READ_TIMEOUT HEDGE<TAB>PLAN<TAB>DESC".
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
    window = rng.choice([0, 0, 2, conc, 2 * conc])
    attempts = rng.choice([2, 3]) if rng.random() < 0.4 else 10
    hedge = int(rng.random() < 0.5)
    rules, desc, read_timeout = [], [], 20
    kinds = ["reset_after", "short_body", "status503", "status500", "full_200", "short_length", "stall"]
    for kind in rng.sample(kinds, rng.randint(1, 4)):
        p = round(rng.uniform(0.05, 0.3), 3)
        rule, p, stalls = answer_fault(rng, kind, p, chunk, {"method": "GET"}, stall_p=(0.01, 0.05))
        read_timeout = 1 if stalls else read_timeout
        desc.append(f"{kind}@{p}")
        rules.append(rule)
    params = " ".join(str(v) for v in (seed, size, chunk, conc, window, attempts, read_timeout, hedge))
    print(params, json.dumps({"rules": rules}), " ".join(desc), sep="\t")
PY
}

# others DIR: what DIR holds besides the target, one name a line.
others() { find "$1" -mindepth 1 ! -name k.bin -printf '%f\n' | sort; }

gen_runs "$BASE" "$RUNS" >"$TMP/runs"
i=0
while IFS=$'\t' read -r params plan desc; do
  soak_time_up "$i" && break
  read -r seed size chunk conc window attempts read_timeout hedge <<<"$params"
  fault_obj soak k.bin "$size"
  out=$TMP/out$i
  mkdir -p "$out"
  args=(s3://soak/k.bin "$out/k.bin" -q -c "$conc" --chunk-size "$chunk" --max-attempts "$attempts"
    --read-timeout "$read_timeout")
  ((window == 0)) || args+=(--window "$window")
  ((hedge)) || args+=("${NO_HEDGE[@]}")
  FAULT_SEED=$seed start_fault_server "$plan"
  t0=$(ms_now)
  code=0
  s3fcp "${args[@]}" >"$STDOUT" 2>"$STDERR" || code=$?
  ms=$(($(ms_now) - t0))
  problem="" resumed=""
  [[ ! -s $STDOUT ]] || problem="stdout is not empty"
  left=$(others "$out")
  case $code in
    0)
      cmp -s "$out/k.bin" "$OBJ" || problem="exit 0 but the file is not the object"
      [[ -z $left ]] || problem="exit 0 but left: $left"
      ;;
    6)
      assert_one_line "$STDERR" 9>/dev/null || problem="stderr is not one line: $(head -c 300 "$STDERR")"
      [[ -n $problem || ! -e $out/k.bin ]] || problem="exit 6 but the target name exists"
      if [[ -z $problem && -z $left ]]; then
        # The first request never got through: nothing is known of the object, so nothing is kept to resume.
        ! grep -q -- "--continue" "$STDERR" || problem="nothing was kept, but the error line names --continue"
      elif [[ -z $problem ]]; then
        grep -q -- "--continue" "$STDERR" || problem="the error line does not name --continue"
        [[ -n $problem || ($left == *s3fcp-journal* && $left == *s3fcp-partial*) ]] ||
          problem="exit 6 and left only: $left"
      fi
      if [[ -z $problem && -n $left ]]; then
        start_fault_server
        rcode=0
        cont=("${args[@]}")  # no hedge here: a second request for a slow chunk's tail would blur the count below
        ((hedge == 0)) || cont+=("${NO_HEDGE[@]}")
        s3fcp "${cont[@]}" --continue >"$STDOUT" 2>"$STDERR" || rcode=$?
        asked=$(log_eval "bytes_sent" "op == 'get'" | awk '{ s += $1 } END { print s + 0 }')
        if ((rcode != 0)); then
          problem="--continue exited $rcode: $(head -c 300 "$STDERR")"
        elif ! cmp -s "$out/k.bin" "$OBJ"; then
          problem="--continue made a file that is not the object"
        elif [[ -n $(others "$out") ]]; then
          problem="--continue left: $(others "$out")"
        elif ((asked > size)); then
          problem="--continue was sent $asked bytes of a $size-byte object"
        fi
        resumed=", --continue: exit $rcode, $asked bytes"
      fi
      ;;
    *) problem="unexpected exit $code: $(head -c 300 "$STDERR")" ;;
  esac
  line="run $i seed $seed: size $size chunk $chunk -c $conc window ${window/#0/default} attempts $attempts"
  line+=" read-timeout $read_timeout hedge $hedge [$desc] -> exit $code, $ms ms$resumed"
  ! soak_ran "$seed" "$i" "$code" "$line" "$problem" "plan: $plan" || rm -rf "$out"
  rm -f "$FAULT_DATA/soak/k.bin" "$OBJ"
  i=$((i + 1))
done <"$TMP/runs"
stop_fault_server
soak_end
