"""The checksums S3 knows (CRC32, CRC32C, CRC64NVME, SHA1, SHA256; plus MD5 for ETags and Content-MD5) and the
request-header rules around them.

CRC32 comes from zlib. CRC32C (Castagnoli, reflected 0x82F63B78) and CRC64NVME (reflected 0x9A6C9329AC4BC9B5) come
from crcmod's C extension when it is importable (Debian: python3-crcmod, for /usr/bin/python3), else from the
pure-Python slicing-by-8 fallback here (correct, a few MB/s). Both have init and xorout all ones; every function
here takes and returns the finished value, so fn(b, fn(a)) == fn(a + b), as zlib.crc32 does.
"""
import base64
import binascii
import hashlib
import struct
import sys
import zlib

from s3_common import S3Error, invalid_request

ALGORITHMS = {"CRC32": 4, "CRC32C": 4, "CRC64NVME": 8, "SHA1": 20, "SHA256": 32}
HEADERS = {alg: "x-amz-checksum-" + alg.lower() for alg in ALGORITHMS}
FULL_OBJECT_OK = ("CRC32", "CRC32C", "CRC64NVME")
COMPOSITE_OK = ("CRC32", "CRC32C", "SHA1", "SHA256")
CRC32C_POLY = 0x82F63B78  # reflected
CRC64NVME_POLY = 0x9A6C9329AC4BC9B5  # reflected


def _reflect(value, bits):
    return int(format(value, f"0{bits}b")[::-1], 2)


class PyCrc:
    """Reflected table-driven CRC with init = xorout = all ones, slicing-by-8 over 8-byte words."""

    def __init__(self, poly, width):
        self.width, self.mask = width, (1 << width) - 1
        t0 = []
        for i in range(256):
            c = i
            for _ in range(8):
                c = (c >> 1) ^ poly if c & 1 else c >> 1
            t0.append(c)
        self.tables = [t0]
        for _ in range(7):
            prev = self.tables[-1]
            self.tables.append([(prev[i] >> 8) ^ t0[prev[i] & 0xFF] for i in range(256)])

    def __call__(self, data, crc=0):
        c = crc ^ self.mask
        data = bytes(data)
        t0, t1, t2, t3, t4, t5, t6, t7 = self.tables
        n8 = len(data) // 8 * 8
        if n8:
            if self.width == 64:
                for w in struct.unpack_from(f"<{n8 // 8}Q", data):
                    c ^= w
                    c = (t7[c & 0xFF] ^ t6[(c >> 8) & 0xFF] ^ t5[(c >> 16) & 0xFF] ^ t4[(c >> 24) & 0xFF]
                         ^ t3[(c >> 32) & 0xFF] ^ t2[(c >> 40) & 0xFF] ^ t1[(c >> 48) & 0xFF] ^ t0[c >> 56])
            else:  # 32-bit: the register covers only the first 4 bytes of each word
                for w in struct.unpack_from(f"<{n8 // 8}Q", data):
                    c ^= w & 0xFFFFFFFF
                    hi = w >> 32
                    c = (t7[c & 0xFF] ^ t6[(c >> 8) & 0xFF] ^ t5[(c >> 16) & 0xFF] ^ t4[c >> 24]
                         ^ t3[hi & 0xFF] ^ t2[(hi >> 8) & 0xFF] ^ t1[(hi >> 16) & 0xFF] ^ t0[hi >> 24])
        for b in data[n8:]:
            c = t0[(c ^ b) & 0xFF] ^ (c >> 8)
        return c ^ self.mask


PY_CRC32C = PyCrc(CRC32C_POLY, 32)
PY_CRC64NVME = PyCrc(CRC64NVME_POLY, 64)


def _crcmod_functions():
    """(crc32c, crc64nvme) from crcmod's C extension, or None."""
    try:
        import crcmod
    except ImportError:
        return None
    impl = sys.modules.get("crcmod.crcmod")  # (the package's own name `crcmod.crcmod` is not the submodule)
    if not getattr(impl, "_usingExtension", False):
        return None
    crc32c = crcmod.mkCrcFun((1 << 32) | _reflect(CRC32C_POLY, 32), initCrc=0, rev=True, xorOut=0xFFFFFFFF)
    crc64 = crcmod.mkCrcFun((1 << 64) | _reflect(CRC64NVME_POLY, 64), initCrc=0, rev=True, xorOut=(1 << 64) - 1)
    return crc32c, crc64


CRCMOD = _crcmod_functions()
crc32c, crc64nvme = CRCMOD if CRCMOD else (PY_CRC32C, PY_CRC64NVME)
IMPLEMENTATION = "crcmod" if CRCMOD else "python"


def crc32(data, crc=0):
    return zlib.crc32(data, crc)


class _Crc:
    def __init__(self, fn, size):
        self.fn, self.size, self.value = fn, size, 0

    def update(self, data):
        self.value = self.fn(data, self.value)

    def digest(self):
        return self.value.to_bytes(self.size, "big")


def new(alg):
    """A hasher (update / digest -> big-endian bytes) for an S3 checksum algorithm."""
    if alg == "CRC32":
        return _Crc(crc32, 4)
    if alg == "CRC32C":
        return _Crc(crc32c, 4)
    if alg == "CRC64NVME":
        return _Crc(crc64nvme, 8)
    return hashlib.new(alg.lower())


def digest(alg, data):
    h = new(alg)
    h.update(data)
    return h.digest()


def b64(raw):
    return base64.b64encode(raw).decode()


def composite(alg, part_digests):
    """S3's COMPOSITE checksum of a multipart object: the checksum of the parts' checksums, then -N."""
    return f"{b64(digest(alg, b''.join(part_digests)))}-{len(part_digests)}"


def algorithm(name, header="x-amz-checksum-algorithm"):
    """The canonical name of a checksum algorithm given in a request, or 400 InvalidRequest."""
    alg = (name or "").strip().upper()
    if alg not in ALGORITHMS:
        raise S3Error(400, "InvalidRequest", f"Value for {header} header is invalid.")
    return alg


def decode_value(alg, value):
    """A checksum header's value -> the raw digest; 400 InvalidRequest if it is not base64 of the right size."""
    try:
        raw = base64.b64decode(value.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = None
    if raw is None or len(raw) != ALGORITHMS[alg]:
        raise invalid_request(f"Value for {HEADERS[alg]} header is invalid.")
    return raw


def request_checksum(headers):
    """The x-amz-checksum-<alg> header of a request with a body: (alg, raw digest) or None. More than one is
    400 InvalidRequest, as is a value that is not base64 of the algorithm's size."""
    found = [(alg, headers[h]) for alg, h in HEADERS.items() if headers.get(h) is not None]
    if len(found) > 1:
        raise invalid_request("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
    if not found:
        return None
    alg, value = found[0]
    return alg, decode_value(alg, value)


def mismatch(alg):
    return S3Error(400, "BadDigest", f"The {alg} you specified did not match the calculated checksum.")


class BodyDigests:
    """The digests taken while a request body streams in: MD5 (ETag, Content-MD5), SHA-256 (a signed payload) and the
    S3 checksums asked for; only those needed are computed."""

    def __init__(self, md5=True, sha256=False, algorithms=()):
        self.md5 = hashlib.md5() if md5 else None
        self.sha256 = hashlib.sha256() if sha256 else None
        self.checksums = {alg: new(alg) for alg in algorithms}
        self.size = 0

    def update(self, block):
        self.size += len(block)
        if self.md5 is not None:
            self.md5.update(block)
        if self.sha256 is not None:
            self.sha256.update(block)
        for h in self.checksums.values():
            h.update(block)

    def checksum(self, alg):
        return self.checksums[alg].digest()


def file_checksums(path, algorithms, block=256 * 1024):
    hs = {alg: new(alg) for alg in algorithms}
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(block), b""):
            for h in hs.values():
                h.update(chunk)
    return {alg: h.digest() for alg, h in hs.items()}
