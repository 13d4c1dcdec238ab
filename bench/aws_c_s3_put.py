#!/usr/bin/env python3
"""The aws-c-s3 peer for uploads and many objects: the AWS Common Runtime S3 client (Debian python3-awscrt).
usage: aws_c_s3_put.py HOST BUCKET KEY FILE [part_size_bytes] [throughput_target_gbps]
           one object from a file, which the client reads itself (send_filepath) and sends as a multipart upload in
           parallel
       aws_c_s3_put.py --many HOST BUCKET PREFIX N SIZE [throughput_target_gbps]
           N objects PREFIX000000 .. of SIZE bytes from memory, all submitted at once to one client
       aws_c_s3_put.py --many-get HOST BUCKET PREFIX N [DIR] [throughput_target_gbps]
           N GETs of PREFIX000000 .., all submitted at once to one client: each into DIR/000000 .. (the client writes
           the file itself, recv_filepath), or with no DIR the bodies are counted and dropped
The many modes print one JSON line: objects, bytes, wall_s, mb_s, ops_s and mean_latency_ms (from a request's
submission to its end; all go in at once, so this includes the time queued in the client).
HOST is reached on port 80 (this aws-c-s3 build ignores a port in the Host header)."""
import io as pyio, json, os, sys, threading, time

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from awscrt import auth, http, io, s3  # noqa: E402


def make_client(part=8 * 1024 * 1024, gbps=10.0):
    elg = io.EventLoopGroup(2)
    bootstrap = io.ClientBootstrap(elg, io.DefaultHostResolver(elg))
    creds = auth.AwsCredentialsProvider.new_static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
    return s3.S3Client(bootstrap=bootstrap, region="us-east-1", credential_provider=creds,
                       tls_mode=s3.S3RequestTlsMode.DISABLED, part_size=part, throughput_target_gbps=gbps)


def one(args):
    host, bucket, key, path = args[:4]
    part = int(args[4]) if len(args) > 4 else 8 * 1024 * 1024
    gbps = float(args[5]) if len(args) > 5 else 10.0
    client = make_client(part, gbps)
    headers = http.HttpHeaders([("Host", host), ("Content-Length", str(os.path.getsize(path)))])
    request = http.HttpRequest("PUT", f"/{bucket}/{key}", headers)
    client.make_request(request=request, type=s3.S3RequestType.PUT_OBJECT,
                        send_filepath=path).finished_future.result()


def many(get, args):
    host, bucket, prefix, n = args[0], args[1], args[2], int(args[3])
    rest = args[4:]
    size, folder = 0, None
    if not get:
        size, rest = int(rest[0]), rest[1:]
    elif rest and not rest[0].replace(".", "", 1).isdigit():
        folder, rest = rest[0], rest[1:]
    gbps = float(rest[0]) if rest else 10.0
    client = make_client(gbps=gbps)
    if folder:
        os.makedirs(folder, exist_ok=True)
    body = b"x" * size
    lock, got, latencies = threading.Lock(), [0], []

    def on_body(chunk, offset, **kwargs):
        with lock:
            got[0] += len(chunk)

    def done(started):
        def record(_future):
            with lock:
                latencies.append(time.monotonic() - started)
        return record

    t0 = time.monotonic()
    requests = []
    for i in range(n):
        path = f"/{bucket}/{prefix}{i:06d}"
        if get:
            request = http.HttpRequest("GET", path, http.HttpHeaders([("Host", host)]))
            if folder:
                made = client.make_request(request=request, type=s3.S3RequestType.GET_OBJECT,
                                           recv_filepath=os.path.join(folder, f"{i:06d}"))
            else:
                made = client.make_request(request=request, type=s3.S3RequestType.GET_OBJECT, on_body=on_body)
        else:
            request = http.HttpRequest("PUT", path, http.HttpHeaders([("Host", host), ("Content-Length", str(size))]),
                                       body_stream=pyio.BytesIO(body))
            made = client.make_request(request=request, type=s3.S3RequestType.PUT_OBJECT)
        made.finished_future.add_done_callback(done(time.monotonic()))
        requests.append(made)
    for made in requests:
        made.finished_future.result()  # raises on a failed request
    wall = time.monotonic() - t0
    if not get:
        total = n * size
    elif folder:
        total = sum(os.path.getsize(os.path.join(folder, f"{i:06d}")) for i in range(n))
    else:
        total = got[0]
    print(json.dumps({"objects": n, "bytes": total, "wall_s": wall, "mb_s": total / wall / 1e6, "ops_s": n / wall,
                      "mean_latency_ms": sum(latencies) / len(latencies) * 1000 if latencies else None}), flush=True)


def main():
    args = sys.argv[1:]
    if args and args[0] in ("--many", "--many-get"):
        if len(args) < (6 if args[0] == "--many" else 5):
            sys.exit(__doc__)
        many(args[0] == "--many-get", args[1:])
    elif len(args) >= 4:
        one(args)
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()
