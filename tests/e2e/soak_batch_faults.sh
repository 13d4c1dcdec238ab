#!/usr/bin/env bash
# Randomized fault soak of batches: SOAK_RUNS runs of `s3fcp run FILE` (default 40, stopping early to stay under
# ~SOAK_BUDGET_S s, default 45), each a fresh fault server (SigV4 on) and a run file of 4 to 14 lines mixing
# downloads, uploads and copies between buckets (objects of 0 B to 13 MiB: one request, or ranged GETs and parts),
# under a random plan of probability-matched faults on every operation: 500 and 503, connection resets mid-body
# both ways, short bodies, lost answers, a Complete's 200 with an <Error> body, delays, now and then a 403; random
# -c, --chunk-size and --max-attempts. Whatever happens, every item is accounted for and no byte is wrong:
#   - every line has one --stats json item; the summary counts them (copied + failed = lines) and the exit is 0
#     when none failed, else 11, with one line on stderr per failed item;
#   - a copied item's target (a file, or a key) holds exactly its source's bytes; a failed one's is absent or
#     exact (a lost answer to a request that did its work), and its exit code is 6, or 4 once a 403 was injected;
#   - no temporary file is left in the download folder, nothing is written on stdout, and no multipart upload is
#     left open but those a CreateMultipartUpload's lost answer opened (their ids never reached s3fcp).
# Every run prints its seed; SOAK_SEED=S SOAK_RUNS=1 tests/e2e/soak_batch_faults.sh replays run S.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/upload_common.sh"
source "$(dirname "$0")/many_common.sh"
source "$(dirname "$0")/soak_common.sh"
export S3FCP_TIMEOUT=90
soak_begin 40 45

# gen_run SEED DIR: writes DIR/plan.json, DIR/run.txt (paths below DIR), DIR/sizes (NAME SIZE per source object and
# upload file) and DIR/params ("CONC CHUNK ATTEMPTS" and a description), from random.Random(SEED) alone.
gen_run() {
  python3 - "$1" "$2" <<'PY'
import json, os, random, sys
MiB = 1 << 20
seed, d = int(sys.argv[1]), sys.argv[2]
rng = random.Random(seed)
chunk = rng.choice([5 * MiB, 6 * MiB])

def size():
    return rng.choice([0, 1, rng.randrange(2, 300_000), rng.randrange(300_000, 3 * MiB),
                       rng.randrange(chunk, 13 * MiB), rng.randrange(chunk, 13 * MiB)])

lines, sizes = [], []
for i in range(rng.randint(4, 14)):
    kind = rng.choice(["get", "get", "put", "put", "copy"])
    if kind == "put":
        sizes.append((f"up{i}", size()))
        lines.append(f"cp {d}/files/up{i} s3://dst/up{i}")
    else:
        sizes.append((f"obj{i}", size()))
        if kind == "get":
            lines.append(f"cp s3://src/obj{i} {d}/out/obj{i}")
        else:
            lines.append(f"cp s3://src/obj{i} s3://dst/copy{i}")
ops = ["get", "put", "create", "part", "complete", "copy", "part_copy", "head", "list_parts"]
rules, desc = [], []
for _ in range(rng.randint(1, 5)):
    kind = rng.choice(["status503", "status500", "reset", "short_body", "lost_response", "delay", "status403"])
    op = rng.choice(ops)
    p = round(rng.uniform(0.03, 0.25), 3)
    rule = {"match": {"op": op, "probability": p}, "times": -1}
    if kind == "status403":  # permanent: rare, or every item fails
        p = round(rng.uniform(0.01, 0.04), 3)
        rule = {"match": {"op": op, "probability": p}, "fault": "status", "status": 403, "times": -1}
    elif kind.startswith("status"):
        rule.update(fault="status", status=int(kind[6:]))
    elif kind == "reset":  # mid-body: the answer's for a GET, the request's for a write
        if op == "get":
            rule["reset_after"] = rng.randrange(1, 300_000)
        else:
            op = rng.choice(["put", "part"])
            rule = {"match": {"op": op, "probability": p}, "reset_body": rng.randrange(0, MiB), "times": -1}
    elif kind == "short_body":
        op = "get"
        rule = {"match": {"op": op, "probability": p}, "short_body": rng.randrange(1, 100_000), "times": -1}
    elif kind == "lost_response":
        rule["fault"] = "lost_response"
    else:
        rule.update(fault="delay", delay=round(rng.uniform(0.05, 0.3), 2))
    desc.append(f"{kind}:{op}@{p}")
    rules.append(rule)
if rng.random() < 0.3:
    p = round(rng.uniform(0.1, 0.4), 3)
    rules.insert(0, {"match": {"op": "complete", "probability": p}, "fault": "complete_error",
                     "then_complete": rng.random() < 0.5, "times": -1})
    desc.append(f"complete_error@{p}")
conc = rng.choice([1, 2, 4, 8, 16])
attempts = rng.choice([2, 3]) if rng.random() < 0.2 else 10
with open(os.path.join(d, "plan.json"), "w") as f:
    json.dump({"rules": rules}, f)
with open(os.path.join(d, "run.txt"), "w") as f:
    f.write("".join(line + "\n" for line in lines))
with open(os.path.join(d, "sizes"), "w") as f:
    f.write("".join(f"{name} {n}\n" for name, n in sizes))
with open(os.path.join(d, "params"), "w") as f:
    f.write(f"{conc} {chunk} {attempts}\t{len(lines)} lines, {' '.join(desc)}\n")
PY
}

# check_run DIR DATA STDERR CODE: the rules above, over the run file, the --stats json lines, the download folder
# and the fault server's data. Prints the problems, one a line (none: nothing).
check_run() {
  python3 - "$@" <<'PY'
import filecmp, json, os, sys
d, data, stderr, code = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
lines = [l.split() for l in open(os.path.join(d, "run.txt")).read().splitlines()]
items, summary, text = {}, None, []
for raw in open(stderr, errors="replace").read().splitlines():
    if raw.startswith("{"):
        j = json.loads(raw)
        if j.get("summary"):
            summary = j
        else:
            items[j["line"]] = j
    elif not raw.startswith("s3fcp: ") or " copied, " not in raw:
        text.append(raw)
problems = []
denied = os.path.exists(os.path.join(d, "denied"))

def local(uri):
    if uri.startswith("s3://"):
        bucket, key = uri[5:].split("/", 1)
        return os.path.join(data, bucket, key)
    return uri

for n, (_, src, dst) in enumerate(lines, 1):
    item = items.get(n)
    if item is None:
        problems.append(f"line {n}: no item reported")
        continue
    s, t = local(src), local(dst)
    if item["result"] == "copied":
        if not os.path.isfile(t) or not filecmp.cmp(s, t, shallow=False):
            problems.append(f"line {n}: copied, but {dst} is not {src}'s bytes")
    elif item["result"] == "failed":
        if item["exit_code"] not in (6, 4) or (item["exit_code"] == 4 and not denied):
            problems.append(f"line {n}: failed with exit {item['exit_code']}: {item.get('error')}")
        if os.path.exists(t) and not filecmp.cmp(s, t, shallow=False):
            problems.append(f"line {n}: failed, and {dst} holds other bytes")
    else:
        problems.append(f"line {n}: result {item['result']}")
failed = sum(1 for i in items.values() if i["result"] == "failed")
if summary is None:
    problems.append("no summary line")
elif summary["copied"] + summary["failed"] != len(lines) or summary["failed"] != failed:
    problems.append(f"the summary counts {summary['copied']} copied and {summary['failed']} failed of {len(lines)}")
if code != (11 if failed else 0):
    problems.append(f"exit {code} with {failed} failed")
if len(text) != failed:
    problems.append(f"{len(text)} error lines for {failed} failed items: {text[:3]}")
out = os.path.join(d, "out")
left = [f for f in os.listdir(out) if f.startswith(".")] if os.path.isdir(out) else []
if left:
    problems.append(f"temporary files left: {left[:3]}")
print("\n".join(problems))
PY
}

i=0
while ((i < RUNS)); do
  soak_time_up "$i" && break
  seed=$((BASE + i))
  run=$TMP/run$i
  mkdir -p "$run/files" "$run/out"
  gen_run "$seed" "$run"
  rm -rf "${FAULT_DATA:?}/src" "$FAULT_DATA/dst" "$FAULT_DATA/.uploads"
  FAULT_SEED=$seed up_server "$(<"$run/plan.json")"
  fault_bucket src
  fault_bucket dst
  while read -r name size; do
    if [[ $name == up* ]]; then
      head -c "$size" /dev/urandom >"$run/files/$name"
    else
      head -c "$size" /dev/urandom >"$FAULT_DATA/src/$name"
    fi
  done <"$run/sizes"
  IFS=$'\t' read -r params desc <"$run/params"
  read -r conc chunk attempts <<<"$params"
  t0=$(ms_now)
  code=0
  s3fcp run "$run/run.txt" --stats json -c "$conc" --chunk-size "$chunk" --max-attempts "$attempts" \
    >"$STDOUT" 2>"$STDERR" || code=$?
  ms=$(($(ms_now) - t0))
  (($(request_count "status == 403 and fault == 'status'") == 0)) || : >"$run/denied"
  problem=$(check_run "$run" "$FAULT_DATA" "$STDERR" "$code")
  [[ ! -s $STDOUT ]] || problem+=$'\n'"stdout is not empty"
  open_left=$(uploads_left_unaccounted)
  [[ -z $open_left ]] || problem+=$'\n'"$open_left"
  problem=${problem#$'\n'}
  line="run $i seed $seed: -c $conc chunk $chunk attempts $attempts, $desc -> exit $code,"
  line+=" $(wc -l <"$REQUEST_LOG") requests, $ms ms"
  ! soak_ran "$seed" "$i" "$code" "$line" "$problem" "stderr: $(grep -v '^{' "$STDERR" | head -c 600)" ||
    rm -rf "$run"
  i=$((i + 1))
done
stop_fault_server
soak_end
