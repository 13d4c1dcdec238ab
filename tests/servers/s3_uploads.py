"""fault_s3.py's multipart uploads, kept on disk so a test can look at them:

  DIR/.uploads/UPLOAD_ID/upload.json          bucket, key, initiated, metadata, checksum algorithm and type
  DIR/.uploads/UPLOAD_ID/part-NNNNN.json      a part: number, ETag, size, last modified, checksums, its data file
  DIR/.uploads/UPLOAD_ID/part-NNNNN-TOKEN     the part's data

Complete and Abort remove the upload's directory, so "no multipart upload left" is DIR/.uploads being empty (or
ListMultipartUploads listing nothing).
"""
import base64
import hashlib
import json
import os
import re
import secrets
import shutil
import threading
import time
import xml.etree.ElementTree as ET

import s3_checksums as cks
from s3_common import S3Error, invalid_argument, invalid_request, iso8601, xml_reply

MAX_PART = 10000
UPLOAD_ID = re.compile(r"[A-Za-z0-9._~-]{1,256}")


def no_such_upload():
    return S3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload ID may be invalid, or the "
                   "upload may have been aborted or completed.")


def invalid_part(number=None, etag=None):
    return S3Error(400, "InvalidPart", "One or more of the specified parts could not be found.  The part may not "
                   "have been uploaded, or the specified entity tag may not match the part's entity tag.",
                   [("PartNumber", number), ("ETag", etag)] if number else [])


def malformed_xml():
    return S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did not validate against our "
                   "published schema")


def part_number(value):
    """The partNumber query value as an int 1..10000, else 400 InvalidArgument."""
    try:
        n = int(value)
    except (TypeError, ValueError):
        n = 0
    if not 1 <= n <= MAX_PART:
        raise invalid_argument("Part number must be an integer between 1 and 10000, inclusive", "partNumber", value)
    return n


def checksum_settings(headers):
    """(algorithm or None, type or None) of a CreateMultipartUpload, checked as S3 does."""
    alg_header, type_header = headers.get("x-amz-checksum-algorithm"), headers.get("x-amz-checksum-type")
    if alg_header is None:
        if type_header is not None:
            raise invalid_request("The x-amz-checksum-type header can only be used with the x-amz-checksum-algorithm "
                                  "header.")
        return None, None
    alg = cks.algorithm(alg_header)
    ctype = (type_header or ("FULL_OBJECT" if alg == "CRC64NVME" else "COMPOSITE")).strip().upper()
    if ctype not in ("FULL_OBJECT", "COMPOSITE"):
        raise invalid_request("Value for x-amz-checksum-type header is invalid.")
    if (ctype == "FULL_OBJECT" and alg not in cks.FULL_OBJECT_OK) or (ctype == "COMPOSITE"
                                                                      and alg not in cks.COMPOSITE_OK):
        raise invalid_request(f"The {ctype} checksum type cannot be used with the {alg.lower()} checksum algorithm.")
    return alg, ctype


def complete_checksum(headers):
    """The x-amz-checksum-<alg> header of a CompleteMultipartUpload: (alg, raw digest) or None. A composite value
    may carry its "-N" suffix."""
    found = [(alg, headers[h].strip()) for alg, h in cks.HEADERS.items() if headers.get(h) is not None]
    if len(found) > 1:
        raise invalid_request("Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.")
    if not found:
        return None
    alg, value = found[0]
    return alg, cks.decode_value(alg, re.sub(r"-\d+$", "", value))


def _local(tag):
    return tag.rsplit("}", 1)[-1]


def parse_complete(body):
    """The CompleteMultipartUpload XML -> [(number, etag, {alg: b64 value})], or 400 MalformedXML."""
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        raise malformed_xml() from None
    if _local(root.tag) != "CompleteMultipartUpload":
        raise malformed_xml()
    parts = []
    for el in root:
        if _local(el.tag) != "Part":
            raise malformed_xml()
        fields = {_local(c.tag): (c.text or "").strip() for c in el}
        try:
            number = int(fields["PartNumber"])
        except (KeyError, ValueError):
            raise malformed_xml() from None
        checksums = {alg: fields[f"Checksum{alg}"] for alg in cks.ALGORITHMS if f"Checksum{alg}" in fields}
        parts.append((number, fields.get("ETag", ""), checksums))
    if not parts:
        raise invalid_request("You must specify at least one part")
    return parts


def _copy(src_path, dst, hashers):
    """Appends the file src_path to the open file dst (in the kernel when nothing needs hashing)."""
    with open(src_path, "rb") as src:
        if not hashers:
            dst.flush()
            start = dst.tell()
            try:
                while os.copy_file_range(src.fileno(), dst.fileno(), 1 << 30):
                    pass
                return
            except OSError:  # not supported here: copy through Python
                src.seek(0)
                dst.seek(start)
                dst.truncate()
        for block in iter(lambda: src.read(256 * 1024), b""):
            for h in hashers:
                h.update(block)
            dst.write(block)


class Uploads:
    def __init__(self, store, min_part_size):
        self.store, self.min_part_size = store, min_part_size
        self.dir = store.uploads_dir
        self.locks, self.lock = {}, threading.Lock()

    def _lock(self, upload_id):
        with self.lock:
            return self.locks.setdefault(upload_id, threading.Lock())

    def _path(self, upload_id, name=""):
        if not UPLOAD_ID.fullmatch(upload_id or "") or upload_id in (".", ".."):
            raise no_such_upload()
        return os.path.join(self.dir, upload_id, name)

    @staticmethod
    def _read_json(path):
        with open(path, encoding="utf-8") as f:
            return json.load(f)

    def _write_json(self, path, data):
        tmp = f"{path}.tmp-{secrets.token_hex(4)}"
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(tmp, path)

    def create(self, bucket, key, meta, algorithm, ctype):
        self.store.bucket_dir(bucket)
        upload_id = f"{secrets.token_urlsafe(30)}.{secrets.token_hex(3)}~"
        os.makedirs(self._path(upload_id))
        self._write_json(self._path(upload_id, "upload.json"),
                         {"bucket": bucket, "key": key, "initiated": time.time(), "meta": meta,
                          "algorithm": algorithm, "checksum_type": ctype})
        return upload_id

    def info(self, upload_id, bucket, key):
        """The upload's record, or 404 NoSuchUpload (also when it belongs to another bucket or key)."""
        try:
            info = self._read_json(self._path(upload_id, "upload.json"))
        except (OSError, ValueError):
            raise no_such_upload() from None
        if info["bucket"] != bucket or info["key"] != key:
            raise no_such_upload()
        return info

    def parts(self, upload_id):
        """{number: part record} of the parts stored so far."""
        out = {}
        try:
            names = os.listdir(self._path(upload_id))
        except OSError:
            raise no_such_upload() from None
        for name in names:
            if re.fullmatch(r"part-\d{5}\.json", name):
                try:
                    part = self._read_json(self._path(upload_id, name))
                except (OSError, ValueError):
                    continue
                out[part["number"]] = part
        return out

    def add_part(self, upload_id, number, tmp, etag, checksums):
        """Makes the received file `tmp` part `number` (replacing an earlier one)."""
        with self._lock(upload_id):
            if not os.path.exists(self._path(upload_id, "upload.json")):
                raise no_such_upload()  # aborted or completed meanwhile
            data_name = f"part-{number:05d}-{secrets.token_hex(4)}"
            record_path = self._path(upload_id, f"part-{number:05d}.json")
            try:
                old = self._read_json(record_path)["file"]
            except (OSError, ValueError, KeyError):
                old = None
            os.replace(tmp, self._path(upload_id, data_name))
            self._write_json(record_path, {"number": number, "etag": etag, "size": os.path.getsize(
                self._path(upload_id, data_name)), "last_modified": time.time(), "checksums": checksums,
                "file": data_name})
            if old:
                try:
                    os.unlink(self._path(upload_id, old))
                except OSError:
                    pass

    def abort(self, upload_id, bucket, key):
        with self._lock(upload_id):
            self.info(upload_id, bucket, key)
            shutil.rmtree(self._path(upload_id), ignore_errors=True)

    def complete(self, upload_id, bucket, key, body, headers, if_none_match, location):
        """CompleteMultipartUpload: checks the part list, assembles the object, stores it, removes the upload.
        Returns the result fields; raises S3Error as S3 would."""
        with self._lock(upload_id):
            info = self.info(upload_id, bucket, key)
            listed = parse_complete(body)
            stored = self.parts(upload_id)
            alg, ctype = info.get("algorithm"), info.get("checksum_type")
            previous = 0
            for number, etag, _ in listed:
                if number <= previous:
                    raise S3Error(400, "InvalidPartOrder", "The list of parts was not in ascending order. The parts "
                                  "list must be specified in order by part number.")
                previous = number
                if number not in stored or etag.strip('"') != stored[number]["etag"].strip('"'):
                    raise invalid_part(number, etag)
            for number, _, _ in listed[:-1]:
                if stored[number]["size"] < self.min_part_size:
                    raise S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than the minimum allowed "
                                  "size", [("ProposedSize", stored[number]["size"]),
                                           ("MinSizeAllowed", self.min_part_size), ("PartNumber", number),
                                           ("ETag", stored[number]["etag"])])
            for number, etag, checksums in listed if alg is not None else ():
                if alg not in checksums:
                    raise invalid_request(f"The upload was created using a {alg.lower()} checksum. The complete "
                                          f"request must include the checksum for each part. It was missing for part "
                                          f"{number} in the request.")
                if checksums[alg] != stored[number]["checksums"].get(alg):
                    raise invalid_part(number, etag)
            wanted = complete_checksum(headers)  # the full-object (or composite) value, if sent
            if wanted is not None and alg is not None and wanted[0] != alg:
                raise invalid_request(f"The upload was created using the {alg.lower()} checksum algorithm but the "
                                      f"complete request specified {wanted[0].lower()}.")
            if headers.get("x-amz-checksum-type") and ctype and headers["x-amz-checksum-type"].upper() != ctype:
                raise invalid_request(f"The upload was created using the {ctype} checksum mode. The complete request "
                                      f"must use the same checksum mode.")
            if if_none_match and self.store.locate(bucket, key):
                raise S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not "
                              "hold", [("Condition", "If-None-Match")])
            full_alg = None
            if alg is not None and ctype == "FULL_OBJECT":
                full_alg = alg
            elif alg is None and wanted is not None:
                full_alg, ctype = wanted[0], "FULL_OBJECT"
            hasher = cks.new(full_alg) if full_alg else None
            tmp, out = self.store.new_tmp()
            try:
                with out:
                    for number, _, _ in listed:
                        _copy(self._path(upload_id, stored[number]["file"]), out, [hasher] if hasher else [])
                checksums = {}
                if full_alg:
                    if wanted is not None and wanted[1] != hasher.digest():
                        raise cks.mismatch(full_alg)
                    checksums[full_alg] = cks.b64(hasher.digest())
                elif alg is not None:  # COMPOSITE
                    digests = [base64.b64decode(stored[n]["checksums"][alg]) for n, _, _ in listed]
                    if wanted is not None and wanted[1] != cks.digest(alg, b"".join(digests)):
                        raise cks.mismatch(alg)
                    checksums[alg] = cks.composite(alg, digests)
                md5s = b"".join(bytes.fromhex(stored[n]["etag"].strip('"')) for n, _, _ in listed)
                etag = f'"{hashlib.md5(md5s).hexdigest()}-{len(listed)}"'
                meta = dict(info["meta"], etag=etag, parts=len(listed), checksums=checksums,
                            checksum_type=ctype if checksums else None)
                self.store.commit(bucket, key, tmp, meta, if_none_match=if_none_match)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
            shutil.rmtree(self._path(upload_id), ignore_errors=True)
        items = [("Location", location), ("Bucket", bucket), ("Key", key), ("ETag", etag)]
        items += [(f"Checksum{a}", v) for a, v in checksums.items()]
        if checksums:
            items.append(("ChecksumType", ctype))
        return items

    # ---- listings ------------------------------------------------------------------------------------------------

    def list_parts(self, upload_id, bucket, key, params):
        info = self.info(upload_id, bucket, key)
        try:
            max_parts = min(int(params.get("max-parts", "1000")), 1000)
            marker = int(params.get("part-number-marker", "0"))
            if max_parts < 0 or marker < 0:
                raise ValueError
        except ValueError:
            raise invalid_argument("Argument max-parts or part-number-marker must be a non-negative integer")
        parts = sorted((p for n, p in self.parts(upload_id).items() if n > marker), key=lambda p: p["number"])
        page, truncated = parts[:max_parts], len(parts) > max_parts
        items = [("Bucket", bucket), ("Key", key), ("UploadId", upload_id), ("PartNumberMarker", marker),
                 ("NextPartNumberMarker", page[-1]["number"] if page else marker), ("MaxParts", max_parts),
                 ("IsTruncated", truncated), ("StorageClass", info["meta"].get("storage_class", "STANDARD")),
                 ("ChecksumAlgorithm", info.get("algorithm")), ("ChecksumType", info.get("checksum_type"))]
        for p in page:
            entry = [("PartNumber", p["number"]), ("LastModified", iso8601(p["last_modified"])), ("ETag", p["etag"]),
                     ("Size", p["size"])]
            entry += [(f"Checksum{a}", v) for a, v in p.get("checksums", {}).items()]
            items.append(("Part", entry))
        return xml_reply("ListPartsResult", items)

    def list_uploads(self, bucket, params):
        self.store.bucket_dir(bucket)
        prefix = params.get("prefix", "")
        key_marker, id_marker = params.get("key-marker", ""), params.get("upload-id-marker", "")
        try:
            max_uploads = min(int(params.get("max-uploads", "1000")), 1000)
            if max_uploads < 0:
                raise ValueError
        except ValueError:
            raise invalid_argument("Argument max-uploads must be a non-negative integer", "max-uploads",
                                   params.get("max-uploads")) from None
        uploads = []
        for upload_id in (os.listdir(self.dir) if os.path.isdir(self.dir) else []):
            try:
                info = self._read_json(os.path.join(self.dir, upload_id, "upload.json"))
            except (OSError, ValueError):
                continue
            if info["bucket"] == bucket and info["key"].startswith(prefix):
                uploads.append((info["key"].encode("utf-8", "surrogatepass"), info["initiated"], upload_id, info))
        uploads.sort()
        if key_marker:  # after the marker upload (key-marker + upload-id-marker) or after every upload of the key
            km = key_marker.encode("utf-8", "surrogatepass")
            at = [i for i, u in enumerate(uploads) if u[0] == km and u[2] == id_marker] if id_marker else []
            uploads = uploads[at[0] + 1:] if at else [u for u in uploads if u[0] > km]
        page, truncated = uploads[:max_uploads], len(uploads) > max_uploads
        items = [("Bucket", bucket), ("KeyMarker", key_marker), ("UploadIdMarker", id_marker),
                 ("NextKeyMarker", page[-1][3]["key"] if truncated else None),
                 ("NextUploadIdMarker", page[-1][2] if truncated else None), ("Prefix", prefix),
                 ("MaxUploads", max_uploads), ("IsTruncated", truncated)]
        for _, initiated, upload_id, info in page:
            items.append(("Upload", [("Key", info["key"]), ("UploadId", upload_id), ("Initiated", iso8601(initiated)),
                                     ("StorageClass", info["meta"].get("storage_class", "STANDARD")),
                                     ("ChecksumAlgorithm", info.get("algorithm")),
                                     ("ChecksumType", info.get("checksum_type"))]))
        return xml_reply("ListMultipartUploadsResult", items)
