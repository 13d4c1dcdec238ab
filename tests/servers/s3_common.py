"""What fault_s3.py's modules share: the reply object, S3 errors and S3-shaped XML. Python 3 stdlib only."""
import io
import time
from email.utils import formatdate
from xml.sax.saxutils import escape

NS = "http://s3.amazonaws.com/doc/2006-03-01/"
BLOCK = 256 * 1024


class Reply:
    """One response: status, headers, a seekable body and the span of it to send (offset, length)."""

    def __init__(self, status, headers, body, offset, length, span=None):
        self.status, self.headers, self.body, self.offset, self.length = status, headers, body, offset, length
        self.span = span  # (start, end, total) of a 206
        self.send_len, self.after = length, None
        self.silent = False  # nothing is sent (the connection is reset or stalled instead)


def bytes_reply(status, body=b"", headers=None):
    return Reply(status, dict(headers or {}), io.BytesIO(body), 0, len(body))


class S3Error(Exception):
    """An S3 error answer: raised anywhere below the handler, turned into error XML there."""

    def __init__(self, status, code, message, extra=(), headers=None):
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message
        self.extra, self.headers = list(extra), dict(headers or {})


def error_xml(code, message, resource, request_id, extra=()):
    fields = [("Code", code), ("Message", message), *extra, ("Resource", resource), ("RequestId", request_id)]
    inner = "".join(f"<{k}>{escape(str(v))}</{k}>" for k, v in fields)
    return f'<?xml version="1.0" encoding="UTF-8"?>\n<Error>{inner}</Error>'.encode()


def xml_items(items):
    """[(tag, value), ...] -> XML text. A list value nests; None is left out; bools are true/false."""
    out = []
    for tag, value in items:
        if value is None:
            continue
        if isinstance(value, list):
            out.append(f"<{tag}>{xml_items(value)}</{tag}>")
        elif isinstance(value, bool):
            out.append(f"<{tag}>{'true' if value else 'false'}</{tag}>")
        else:
            out.append(f"<{tag}>{escape(str(value))}</{tag}>")
    return "".join(out)


def xml_doc(root, items, declaration=True):
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if declaration else ""
    return f'{head}<{root} xmlns="{NS}">{xml_items(items)}</{root}>'.encode()


def xml_reply(root, items, status=200, headers=None):
    return bytes_reply(status, xml_doc(root, items), {"Content-Type": "application/xml", **(headers or {})})


def iso8601(ts):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(ts)) + f".{int(ts * 1000) % 1000:03d}Z"


def http_date(ts):
    return formatdate(ts, usegmt=True)


def invalid_argument(message, name=None, value=None):
    extra = [("ArgumentName", name), ("ArgumentValue", value)] if name is not None else []
    return S3Error(400, "InvalidArgument", message, extra)


def invalid_request(message):
    return S3Error(400, "InvalidRequest", message)
