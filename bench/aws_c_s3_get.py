#!/usr/bin/env python3
"""The aws-c-s3 peer: download one object with the AWS Common Runtime S3 client (Debian python3-awscrt) and
write it in order to stdout.
usage: aws_c_s3_get.py HOST BUCKET KEY [part_size_bytes] [throughput_target_gbps]
HOST is reached on port 80 (this aws-c-s3 build ignores a port in the Host header)."""
import os, sys

sys.path.insert(0, "/usr/lib/python3/dist-packages")
from awscrt import auth, http, io, s3  # noqa: E402

host, bucket, key = sys.argv[1:4]
part = int(sys.argv[4]) if len(sys.argv) > 4 else 8 * 1024 * 1024
gbps = float(sys.argv[5]) if len(sys.argv) > 5 else 10.0
elg = io.EventLoopGroup(2)
bootstrap = io.ClientBootstrap(elg, io.DefaultHostResolver(elg))
creds = auth.AwsCredentialsProvider.new_static("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY")
client = s3.S3Client(bootstrap=bootstrap, region="us-east-1", credential_provider=creds,
                     tls_mode=s3.S3RequestTlsMode.DISABLED, part_size=part, throughput_target_gbps=gbps)
out = os.fdopen(sys.stdout.fileno(), "wb", buffering=0)


def on_body(chunk, offset, **kwargs):
    out.write(chunk)


request = http.HttpRequest("GET", f"/{bucket}/{key}", http.HttpHeaders([("Host", host)]))
client.make_request(request=request, type=s3.S3RequestType.GET_OBJECT, on_body=on_body).finished_future.result()
