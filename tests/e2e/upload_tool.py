#!/usr/bin/python3
"""Checks for the upload e2e tests (tests/e2e/upload_common.sh runs this under /usr/bin/python3, for crcmod).

    upload_tool.py checksum ALG FILE [PART_SIZE]   the object checksum s3fcp should report (--stats json
        checksum.value) for FILE uploaded with --checksum ALG in parts of PART_SIZE (0 or absent: one PUT):
        CRC64NVME / CRC32C / CRC32: the full-object CRC, base64; SHA1 / SHA256: the digest, base64, or for a
        multipart upload S3's composite (digest of the parts' digests) + "-N"; MD5: the hex MD5 of a single PUT,
        "" for a multipart upload (S3 has no MD5 of the whole)
    upload_tool.py stats EXPR FILE                 prints the Python EXPR evaluated with s = the --stats json object
        (the last line of FILE that starts with "{")
    upload_tool.py check EXPR FILE                 the same, silent; exit 1 (printing s) when EXPR is falsy

The CRCs come from crcmod and zlib, not from s3fcp's code nor the fault server's: an independent opinion.
"""
import base64
import hashlib
import json
import sys
import zlib

BLOCK = 1 << 20


def crc_function(alg):
    import crcmod.predefined  # Debian's python3-crcmod
    if alg == "CRC64NVME":
        return crcmod.mkCrcFun(0x1AD93D23594C93659, initCrc=0, rev=True, xorOut=0xFFFFFFFFFFFFFFFF), 8
    if alg == "CRC32C":
        return crcmod.predefined.mkCrcFun("crc-32c"), 4
    return (lambda data, crc=0: zlib.crc32(data, crc)), 4


def parts(path, part_size):
    with open(path, "rb") as f:
        while True:
            chunk = f.read(part_size) if part_size else f.read()
            if not chunk and part_size:
                return
            yield chunk
            if not part_size:
                return


def checksum(alg, path, part_size):
    if alg in ("CRC64NVME", "CRC32C", "CRC32"):
        fn, size = crc_function(alg)
        crc = 0
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(BLOCK), b""):
                crc = fn(block, crc)
        return base64.b64encode(crc.to_bytes(size, "big")).decode()
    if alg == "MD5":
        return "" if part_size else hashlib.md5(open(path, "rb").read()).hexdigest()
    h = {"SHA1": hashlib.sha1, "SHA256": hashlib.sha256}[alg]
    if not part_size:
        return base64.b64encode(h(open(path, "rb").read()).digest()).decode()
    digests = [h(p).digest() for p in parts(path, part_size)]
    return base64.b64encode(h(b"".join(digests)).digest()).decode() + "-%d" % len(digests)


def main(argv):
    if argv[1] == "checksum":
        print(checksum(argv[2], argv[3], int(argv[4]) if len(argv) > 4 else 0))
        return 0
    if argv[1] in ("stats", "check"):
        lines = [l for l in open(argv[3], encoding="utf-8", errors="replace") if l.startswith("{")]
        if not lines:
            print("no --stats json line in " + argv[3], file=sys.stderr)
            return 1
        s = json.loads(lines[-1])
        value = eval(argv[2], {}, {"s": s})
        if argv[1] == "stats":
            print(value)
        elif not value:
            print("--stats json does not satisfy [%s]: %s" % (argv[2], lines[-1].strip()), file=sys.stderr)
            return 1
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
