#!/usr/bin/env bash
# http(s):// sources (presigned URLs, any server): the same parallel engine, unsigned, the URL's query sent byte for
# byte and never printed; a server that ignores Range is read as one stream through the same bounded window.
source "$(dirname "$0")/common.sh"
source "$(dirname "$0")/fault_common.sh"
fault_obj web k.bin $((5 * 65536 + 3))

start_fault_server ''
url="$ENDPOINT/web/k.bin?X-Amz-Signature=SENTINELSIG&a=b%2Fc"
expect_exit 0 "$S3FCP_BIN" "$url" --chunk-size 64KiB -c 4 -v
assert_sha "$STDOUT" "$OBJ"
assert_not_contains "$STDERR" SENTINELSIG
# Parallel ranged GETs, each carrying the query exactly as given.
python3 - "$TMP/requests.jsonl" <<'PY'
import json, sys
reqs = [json.loads(l) for l in open(sys.argv[1])]
gets = [r for r in reqs if r["method"] == "GET"]
assert len(gets) == 6, gets
assert all(r["query"] in ("X-Amz-Signature=SENTINELSIG&a=b%2Fc", {"X-Amz-Signature": ["SENTINELSIG"], "a": ["b/c"]})
           for r in gets), [r["query"] for r in gets]
assert all(r["range"] for r in gets), gets
assert not [r for r in reqs if r["method"] == "HEAD"], "no HEAD: a presigned URL is signed for GET only"
PY

# A server without Range support: 200 with the whole object to every request → one stream, exact bytes.
start_fault_server '{"rules": [{"match": {}, "fault": "full_200", "times": -1}]}'
expect_exit 0 "$S3FCP_BIN" "$ENDPOINT/web/k.bin" --chunk-size 64KiB -c 8 --window 2
assert_sha "$STDOUT" "$OBJ"
[[ $(wc -l <"$TMP/requests.jsonl") == 1 ]] || { say "expected one request, got $(wc -l <"$TMP/requests.jsonl")"; false; }

# Not found: exit 3, one line, the query elided.
expect_exit 3 "$S3FCP_BIN" "$ENDPOINT/web/missing?X-Amz-Signature=SENTINELSIG"
assert_one_line "$STDERR"
assert_not_contains "$STDERR" SENTINELSIG
assert_empty "$STDOUT"
