#!/usr/bin/python3
"""Fixtures and checks for the many-object e2e tests (tests/e2e/many_*.sh, through many_common.sh).

    many_tool.py fixture DIR COUNT SEED [--safe-for-moto] [SIZE...]
        COUNT small files (0 B to 64 KiB, a few empty) with hostile but safe names (spaces, '+', '%', '?', '#',
        quotes, tabs, control bytes, UTF-8 in NFC and NFD, leading dashes and dots, 255-byte names, deep paths,
        names that sort differently as bytes and as paths), plus one file per SIZE (bytes) under big/; random
        bytes from SEED. --safe-for-moto leaves out LF and CR (moto answers 404 to such keys).
    many_tool.py same A B
        the trees A and B hold the same regular files (relative path bytes, content) and nothing else (no
        symlink, no special file); exit 1 listing up to 20 differences
    many_tool.py count DIR
        the number of regular files under DIR
    many_tool.py stats FILE EXPR
        FILE is s3fcp's stderr with --stats json: `items` (the per-item JSON lines, in order), `summary` (the
        line with "summary": true) and `text` (the other lines) are given to the Python EXPR; exit 1 (showing
        them) when it is falsy
    many_tool.py shard N KEY...
        shard_of(KEY, N) for each KEY, one a line: the first 8 bytes of SHA-256(KEY) big-endian, mod N
        (batch/shard.h's contract, computed independently)
    many_tool.py shard-check N PREFIX ALL DIR_0 ... DIR_N-1
        every file of the tree ALL is in DIR_K, with its bytes, for K = shard_of(PREFIX + its relative path, N), and
        in no other DIR_J; the DIRs hold nothing else
    many_tool.py manifest BUCKET KEY_FILE
        a Batch Operations CSV (bucket,key) of the NUL-separated keys in KEY_FILE, URL-encoded as S3 writes
        them (quote_plus: a space is '+'), on stdout
    many_tool.py listing DIR
        the relative paths of the regular files under DIR, NUL-separated and sorted by bytes
    many_tool.py odd-key DATA BUCKET KEY [TEXT]
        an object with any KEY, where the fault server (--data-dir DATA) keeps keys without a faithful path
        (DATA/.keys/BUCKET/quote(KEY)); KEY and TEXT take Python escapes (\\x00, \\n, \\\\); TEXT defaults to KEY
"""
import codecs
import hashlib
import json
import os
import random
import stat
import sys
import unicodedata
from urllib.parse import quote, quote_plus

# Names that are safe (no '..', '.' or empty segment, no leading '/', NUL or backslash) and awkward anyhow.
HOSTILE = [
    "plain", "with space", " leading space", "trailing space ", "plus+sign", "a+b c", "pct%41", "%2F", "%",
    "q?mark", "hash#frag", "amp&k=v", "semi;colon", "quote'single", 'quote"double', "back`tick", "dollar$HOME",
    "star*", "[bracket]", "{brace}", "tilde~", "caret^", "pipe|", "lt<gt>", "comma,", "at@", "excl!",
    "tab\tin", "ctl\x01byte", "del\x7fbyte", "-dash", "--double-dash", ".hidden", "...", "..a", "a..", ".x.",
    "日本語", "emoji-\U0001F600", "zero\u200bwidth", "rtl-\u202emark",
    unicodedata.normalize("NFC", "caf\u00e9"), unicodedata.normalize("NFD", "caf\u00e9"),
    "Case", "case", "CON", "nul", "a-c", "a.c", "x" * 255, "é" * 100,
    ".hidden.s3fcp-tmp-ABCDEF",
]
UNSAFE_FOR_MOTO = ["nl\nin", "cr\rin"]
DIRS = ["", "sub", "sub/deeper", "with space", "日本", "a", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o/p", "+plus", "%25",
        ".dot", "-dash"]


def fixture(root, count, seed, safe_for_moto, sizes):
    rng = random.Random(seed)
    names = HOSTILE + ([] if safe_for_moto else UNSAFE_FOR_MOTO)
    made = set()
    i = 0
    while len(made) < count:
        base = names[i % len(names)]
        d = DIRS[(i // len(names) + i) % len(DIRS)]
        name = base if i < len(names) else f"{i}-{base}".encode()[:255].decode(errors="ignore")
        rel = f"{d}/{name}" if d else name
        i += 1
        if rel in made:
            continue
        made.add(rel)
        size = 0 if len(made) % 23 == 0 else rng.choice([1, 2, 100, 1000, 4095, 4096, 4097, rng.randrange(65536)])
        write(os.path.join(root, rel), size, rng)
    for n, size in enumerate(sizes):
        write(os.path.join(root, "big", f"object {n}.bin"), int(size), rng)


def write(path, size, rng):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        left = size
        while left:
            n = min(left, 1 << 20)
            f.write(rng.randbytes(n))
            left -= n


def files(root):
    """{relative path bytes: (kind, sha256 or '')} of everything under root."""
    out = {}
    rootb = os.fsencode(root)
    for dirpath, dirnames, filenames in os.walk(rootb):
        for name in dirnames + filenames:
            path = os.path.join(dirpath, name)
            rel = os.path.relpath(path, rootb)
            st = os.lstat(path)
            if stat.S_ISDIR(st.st_mode):
                continue
            if stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(path, "rb") as f:
                    for block in iter(lambda: f.read(1 << 20), b""):
                        h.update(block)
                out[rel] = ("file", st.st_size, h.hexdigest())
            else:
                out[rel] = ("symlink" if stat.S_ISLNK(st.st_mode) else "special", st.st_size, "")
    return out


def same(a, b):
    fa, fb = files(a), files(b)
    diffs = []
    for rel in sorted(set(fa) | set(fb)):
        x, y = fa.get(rel), fb.get(rel)
        if x != y:
            diffs.append(f"  {rel!r}: {x} vs {y}")
    if diffs:
        print(f"{a} and {b} differ in {len(diffs)} of {len(set(fa) | set(fb))} paths:", file=sys.stderr)
        print("\n".join(diffs[:20]), file=sys.stderr)
        return 1
    return 0


def stats(path, expr):
    items, summary, text = [], None, []
    with open(path, encoding="utf-8", errors="surrogateescape") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("{"):
                j = json.loads(line)
                if j.get("summary"):
                    summary = j
                else:
                    items.append(j)
            else:
                text.append(line)
    if eval(expr, {"__builtins__": __builtins__}, {"items": items, "summary": summary, "text": text}):
        return 0
    print(f"false: {expr}", file=sys.stderr)
    print(f"  summary: {summary}", file=sys.stderr)
    for j in items[:10]:
        print(f"  item: {j}", file=sys.stderr)
    for line in text[:10]:
        print(f"  text: {line!r}", file=sys.stderr)
    return 1


def shard_of(key, n):
    return int.from_bytes(hashlib.sha256(key).digest()[:8], "big") % n


def shard(n, keys):
    for key in keys:
        print(shard_of(key.encode("utf-8", "surrogateescape"), n))
    return 0


def shard_check(n, prefix, all_dir, dirs):
    want = files(all_dir)
    got = [files(d) for d in dirs]
    errors = []
    for rel, info in sorted(want.items()):
        k = shard_of(os.fsencode(prefix) + rel, n)
        holders = [j for j in range(n) if rel in got[j]]
        if holders != [k] or got[k][rel] != info:
            errors.append(f"  {rel!r}: shard {k}, found in {holders}")
    for j in range(n):
        for rel in sorted(set(got[j]) - set(want)):
            errors.append(f"  {rel!r}: in {dirs[j]}, not in {all_dir}")
    if errors:
        print(f"{len(errors)} files not where --shard K/{n} should put them:", file=sys.stderr)
        print("\n".join(errors[:20]), file=sys.stderr)
        return 1
    return 0


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    cmd, args = argv[1], argv[2:]
    if cmd == "fixture":
        safe = "--safe-for-moto" in args
        args = [a for a in args if a != "--safe-for-moto"]
        fixture(args[0], int(args[1]), int(args[2]), safe, args[3:])
        return 0
    if cmd == "same":
        return same(args[0], args[1])
    if cmd == "count":
        print(sum(1 for v in files(args[0]).values() if v[0] == "file"))
        return 0
    if cmd == "stats":
        return stats(args[0], args[1])
    if cmd == "shard":
        return shard(int(args[0]), args[1:])
    if cmd == "shard-check":
        return shard_check(int(args[0]), args[1], args[2], args[3:])
    if cmd == "manifest":
        with open(args[1], "rb") as f:
            keys = [k for k in f.read().split(b"\0") if k]
        for key in keys:
            sys.stdout.write(f"{args[0]},{quote_plus(key, safe='/')}\n")
        return 0
    if cmd == "listing":
        rels = sorted(rel for rel, v in files(args[0]).items() if v[0] == "file")
        sys.stdout.buffer.write(b"".join(r + b"\0" for r in rels))
        return 0
    if cmd == "odd-key":
        data, bucket, key = args[0], args[1], unescape(args[2])
        text = unescape(args[3]) if len(args) > 3 else key
        os.makedirs(os.path.join(data, ".keys", bucket), exist_ok=True)
        os.makedirs(os.path.join(data, bucket), exist_ok=True)
        with open(os.path.join(data, ".keys", bucket, quote(key, safe="")), "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape"))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


def unescape(text):
    """Python's backslash escapes in a UTF-8 string: "a\\x00b" is a, NUL, b."""
    return codecs.decode(text.encode("utf-8"), "unicode_escape").encode("latin-1").decode("utf-8")


if __name__ == "__main__":
    sys.exit(main(sys.argv))
