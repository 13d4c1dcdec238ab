#!/usr/bin/env python3
"""Reads `go test -bench` output of objstore's benchmarks on stdin; prints a Markdown table of each case's
medians per backend, and the s3fcp backend's throughput as a multiple of the SDK backend's."""
import re
import statistics
import sys

LINE = re.compile(r"^Benchmark(\w+)/([\w.-]+?)(?:-\d+)?\s+\d+\s+(.*)$")
COLUMNS = [("MB/s", "MB/s"), ("first-byte-ms", "first byte ms"), ("ops/s", "ops/s"), ("mean-ms", "mean ms"),
           ("p50-ms", "p50 ms"), ("p99-ms", "p99 ms"), ("cpu-s/op", "CPU s"), ("peak-RSS-MiB", "peak RSS MiB"),
           ("added-RSS-MiB", "added RSS MiB")]

runs = {}  # (case, backend) -> {unit: [values]}
order = []
for line in sys.stdin:
    m = LINE.match(line.strip())
    if not m:
        continue
    key = (m.group(1), m.group(2))
    if key not in runs:
        runs[key] = {}
        order.append(key)
    fields = m.group(3).split()
    for value, unit in zip(fields[0::2], fields[1::2]):
        runs[key].setdefault(unit, []).append(float(value))

if not runs:
    print("no benchmark results (were the endpoints given?)")
    sys.exit(0)

cols = [(u, h) for u, h in COLUMNS if any(u in r for r in runs.values())]
print("| case | backend | runs | " + " | ".join(h for _, h in cols) + " |")
print("|---|---|---|" + "---|" * len(cols))
medians = {}
for key in order:
    r = runs[key]
    n = len(r.get("ns/op", []))
    cells = []
    for unit, _ in cols:
        if unit in r:
            v = statistics.median(r[unit])
            medians[key + (unit,)] = v
            cells.append(f"{v:.0f}" if v >= 100 else f"{v:.2f}" if v < 10 else f"{v:.1f}")
        else:
            cells.append("")
    print(f"| {key[0]} | {key[1]} | {n} | " + " | ".join(cells) + " |")

print()
print("| case | s3fcp ÷ aws-sdk-v2, MB/s |")
print("|---|---|")
for case in dict.fromkeys(k[0] for k in order):
    sdk, fcp = medians.get((case, "aws-sdk-v2", "MB/s")), medians.get((case, "s3fcp", "MB/s"))
    if sdk and fcp:
        print(f"| {case} | {fcp / sdk:.1f}× |")
