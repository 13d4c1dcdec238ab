#!/usr/bin/env bash
# Randomized fault soak of the paths that write: SOAK_RUNS uploads (from a file or a pipe) and copies between keys
# (default 100, stopping early to stay under ~SOAK_BUDGET_S s, default 45), each against a fresh fault server (SigV4
# on) with a random plan of probability-matched faults on the operations that write (CreateMultipartUpload,
# UploadPart, CompleteMultipartUpload, PutObject, CopyObject, UploadPartCopy, and the copy's HEAD of its source):
# - 500 and 503, some answered before the body is read; now and then a 403, or the upload gone (NoSuchUpload);
# - the connection reset while a body is sent; a body the server stops reading (under --read-timeout 1);
# - the operation done but its answer lost; a 200 with an <Error> body (a Complete's, done or not; a copy's); a
#   Complete that streams blank space first;
# with random sizes around the part boundaries, part sizes, -c, checksum algorithms, --max-attempts and
# --no-clobber (onto a key that never exists before: it must never refuse what the run itself wrote).
# Whatever happens, never a wrong object and never an upload left open:
#   exit 0    => the key holds exactly the source's bytes;
#   exit != 0 => the exit is 6 (retries exhausted), or 4 or 3 once a 403 or a NoSuchUpload was injected; stderr
#                is exactly one line; the key is absent or holds exactly the source's bytes (a lost answer to a
#                request that did its work);
#   always    => nothing on stdout, and no multipart upload open on the server (each failure aborted its own), but
#                for those a CreateMultipartUpload's lost answer opened: their ids never reached s3fcp, which cannot
#                tell them from another writer's uploads of the key (S3's answer to those is a lifecycle rule that
#                aborts incomplete uploads after some days).
# Every run prints its seed; SOAK_SEED=S SOAK_RUNS=1 tests/e2e/soak_upload_faults.sh replays run S's plan and flags
# (the fault server draws its probabilities from the same seed; the request interleaving can still differ).
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
source "$(dirname "$0")/soak_common.sh"
export S3FCP_TIMEOUT=60
soak_begin 100 45

# gen_runs BASE N: a line per run:
#   "SEED MODE SIZE CHUNK CONC ATTEMPTS READ_TIMEOUT CHECKSUM NO_CLOBBER<TAB>PLAN<TAB>DESC".
# MODE is file, pipe or copy; CHUNK 0 means no --chunk-size (a copy in one CopyObject); CHECKSUM "-" means none
# given. Each run's draws come from random.Random(SEED) alone.
gen_runs() {
  python3 - "$1" "$2" <<'PY'
import json, random, sys
MiB = 1 << 20
base, n = int(sys.argv[1]), int(sys.argv[2])
for seed in range(base, base + n):
    rng = random.Random(seed)
    mode = rng.choice(["file", "file", "pipe", "pipe", "copy"])
    chunk = rng.choice([5 * MiB, 6 * MiB, 8 * MiB])
    if mode == "copy" and rng.random() < 0.3:
        chunk = 0  # one CopyObject
    part = chunk or 5 * MiB
    if rng.random() < 0.6:  # several parts in flight
        size = part * rng.randint(1, 3) + rng.randrange(part)
    else:                   # the edges: nothing, one byte, a single PUT, around the first part
        size = rng.choice([0, 1, rng.randrange(1, 5 * MiB), part - 1, part, part + 1, 2 * part])
    conc = rng.choice([1, 2, 4, 8])
    attempts = rng.choice([2, 3]) if rng.random() < 0.25 else 10
    checksum = "-" if mode == "copy" else rng.choice(["-", "-", "off", "CRC32C", "CRC32", "SHA256", "SHA1"])
    if mode == "copy":
        ops = ["head", "copy", "create", "part_copy", "complete"]
    else:
        ops = ["put", "create", "part", "complete"]
    kinds = ["status503", "status500", "early503", "lost_response", "delay", "status403", "no_such_upload"]
    if mode != "copy":
        kinds += ["reset_body", "stall_body"]
    rules, desc, read_timeout = [], [], 20
    for _ in range(rng.randint(1, 4)):
        kind, op = rng.choice(kinds), rng.choice(ops)
        if kind in ("reset_body", "stall_body") and op not in ("put", "part"):
            op = rng.choice(["put", "part"])
        if kind == "no_such_upload":  # the upload aborted behind s3fcp's back
            op = rng.choice(["part_copy", "complete"] if mode == "copy" else ["part", "complete"])
        p = round(rng.uniform(0.05, 0.3), 3)
        if kind in ("status403", "no_such_upload"):  # permanent: rare, or every run fails
            p = round(rng.uniform(0.01, 0.05), 3)
        rule = {"match": {"op": op, "probability": p}, "times": -1}
        if kind.startswith("status") or kind == "early503":
            status = 503 if kind == "early503" else int(kind[6:])
            rule.update(fault="status", status=status)
            if kind == "early503":
                rule["early"] = True
        elif kind in ("lost_response", "no_such_upload"):
            rule["fault"] = kind
        elif kind == "delay":
            rule.update(fault="delay", delay=round(rng.uniform(0.05, 0.3), 2))
        elif kind == "reset_body":
            rule["reset_body"] = rng.choice([0, 1, rng.randrange(1, MiB)])
        elif kind == "stall_body":  # each costs a --read-timeout 1 wait: keep them rare
            p = round(rng.uniform(0.02, 0.08), 3)
            rule = {"match": {"op": op, "probability": p}, "fault": "stall_body", "after": rng.randrange(MiB),
                    "seconds": 10, "times": -1}
            read_timeout = 1
        desc.append(f"{kind}:{op}@{p}")
        rules.append(rule)
    if rng.random() < 0.4:  # a Complete's late answers
        p = round(rng.uniform(0.1, 0.4), 3)
        if rng.random() < 0.6:
            rule = {"match": {"op": "complete", "probability": p}, "fault": "complete_error",
                    "then_complete": rng.random() < 0.5, "whitespace": rng.random() < 0.3, "times": -1}
            desc.append(f"complete_error{'+done' if rule['then_complete'] else ''}@{p}")
        else:
            rule = {"match": {"op": "complete", "probability": p}, "fault": "complete_whitespace",
                    "seconds": 0.2, "times": -1}
            desc.append(f"complete_whitespace@{p}")
        rules.insert(0, rule)
    if mode == "copy" and rng.random() < 0.4:  # CopyObject's 200 with an <Error> body, nothing copied
        p = round(rng.uniform(0.1, 0.4), 3)
        body = '<?xml version="1.0"?>\n<Error><Code>InternalError</Code><Message>late</Message></Error>'
        rules.insert(0, {"match": {"op": "copy", "probability": p}, "fault": "answer", "status": 200,
                         "headers": {"Content-Type": "application/xml"}, "body": body, "then": "keep",
                         "times": -1})
        desc.append(f"copy_late_error@{p}")
    no_clobber = int(rng.random() < 0.3)  # the key never exists before: If-None-Match must never refuse our own
    params = " ".join(str(v) for v in (seed, mode, size, chunk, conc, attempts, read_timeout, checksum, no_clobber))
    print(params, json.dumps({"rules": rules}), " ".join(desc), sep="\t")
PY
}

# shellcheck disable=SC2002 # a pipe, not a file, on stdin: the stream's path
from_pipe() { cat "$1" | s3fcp - "${@:2}"; }

gen_runs "$BASE" "$RUNS" >"$TMP/runs"
i=0
while IFS=$'\t' read -r params plan desc; do
  soak_time_up "$i" && break
  read -r seed mode size chunk conc attempts read_timeout checksum no_clobber <<<"$params"
  key=soak$i.bin
  rm -rf "${FAULT_DATA:?}/soak" "$FAULT_DATA/.uploads"
  FAULT_SEED=$seed up_server "$plan"
  fault_bucket soak
  src=$TMP/src.bin
  head -c "$size" /dev/urandom >"$src"
  args=(-q -c "$conc" --max-attempts "$attempts" --read-timeout "$read_timeout")
  ((chunk == 0)) || args+=(--chunk-size "$chunk")
  [[ $checksum == - ]] || args+=(--checksum "$checksum")
  ((no_clobber == 0)) || args+=(--no-clobber)
  t0=$(ms_now)
  code=0
  case $mode in
    file) s3fcp "$src" "s3://soak/$key" "${args[@]}" >"$STDOUT" 2>"$STDERR" || code=$? ;;
    pipe) from_pipe "$src" "s3://soak/$key" "${args[@]}" >"$STDOUT" 2>"$STDERR" || code=$? ;;
    copy)
      cp "$src" "$FAULT_DATA/soak/source.bin"
      s3fcp s3://soak/source.bin "s3://soak/$key" "${args[@]}" >"$STDOUT" 2>"$STDERR" || code=$?
      ;;
  esac
  ms=$(($(ms_now) - t0))
  problem=""
  stored=$FAULT_DATA/soak/$key
  if ((code == 0)); then
    if [[ ! -f $stored ]]; then
      problem="exit 0 but the key is not stored"
    elif ! cmp -s "$stored" "$src"; then
      problem="exit 0 but the stored object differs from the source ($(stat -c %s "$stored") of $size bytes)"
    fi
  else
    case $code in
      6) ;;
      4) (($(request_count "status == 403 and fault == 'status'") > 0)) || problem="exit 4 but nothing was denied" ;;
      3) (($(request_count "fault == 'no_such_upload'") > 0)) || problem="exit 3 but no upload went missing" ;;
      *) problem="unexpected exit $code" ;;
    esac
    [[ -n $problem ]] || [[ ! -e $stored ]] || cmp -s "$stored" "$src" ||
      problem="exit $code and the key holds other bytes ($(stat -c %s "$stored") of $size)"
    [[ -n $problem ]] || assert_one_line "$STDERR" 9>/dev/null ||
      problem="exit $code and stderr is not one line: $(head -c 300 "$STDERR")"
  fi
  [[ -s $STDOUT ]] && problem+="${problem:+; }stdout is not empty"
  open_left=$(uploads_left_unaccounted)
  [[ -z $open_left ]] || problem+="${problem:+; }$open_left"
  line="run $i seed $seed: $mode size $size chunk $chunk -c $conc attempts $attempts read-timeout $read_timeout"
  line+=" checksum $checksum"
  ((no_clobber == 0)) || line+=" --no-clobber"
  line+=" [$desc]"
  line+=" -> exit $code, $(wc -l <"$REQUEST_LOG") requests, $ms ms"
  [[ -n $problem ]] || ((code == 0)) || line+=" : $(head -c 200 "$STDERR")"
  soak_ran "$seed" "$i" "$code" "$line" "$problem" "stderr: $(head -c 500 "$STDERR")" "plan: $plan" ||
    log_dump 'fault is not None' | head -n 8 >&9
  i=$((i + 1))
done <"$TMP/runs"
stop_fault_server
soak_end
