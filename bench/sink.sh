#!/usr/bin/env bash
# nginx + lua as an S3 upload endpoint (bench/s3sink.lua: PutObject, the multipart calls, ListObjectsV2; GET/HEAD
# static), path-style, unsigned, objects under DATA_DIR/<bucket>/<key>:
#   unlimited : 127.0.0.1:$UNLIMITED_PORT and $UNLIMITED_HOST:80   (answers as soon as the body is stored)
#   S3-like   : 127.0.0.1:$S3LIKE_PORT   and $S3LIKE_HOST:80      (every answer no sooner than 30 ms + bytes / 90 MB/s
#                                                                 after the request's headers: 90 MB/s of ingest
#                                                                 per connection; GETs 30 ms, then 90 MB/s)
# The :80 aliases exist because the aws-c-s3 build in Debian ignores a port in the Host header. Request bodies land
# in BODY_DIR and are renamed into DATA_DIR, so both must be on one file system: tmpfs (/dev/shm), so that storing
# 1 GiB costs no disk. Every request is logged to RUN_DIR/requests.log as "METHOD STATUS REQUEST_BYTES URI" (no
# query), for the bench to count requests and failed answers per run.
# usage: sink.sh start DATA_DIR BODY_DIR RUN_DIR UNLIMITED_PORT S3LIKE_PORT UNLIMITED_HOST S3LIKE_HOST
#        sink.sh stop RUN_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
case "${1:-}" in
  start)
    (($# == 8)) || { sed -n '2,14p' "$0"; exit 2; }
    data=$(realpath "$2"); body=$(realpath "$3"); run=$4; mkdir -p "$run"; run=$(realpath "$run")
    cp "$here/s3sink.lua" "$run/s3sink.lua"
    # Workers run as the starting user, so that they can write DATA_DIR and rename their temp files into it.
    user=""; ((EUID == 0)) && user="user root;"
    cat > "$run/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
$user
worker_processes 2;
error_log $run/error.log warn;
pid $run/nginx.pid;
events { worker_connections 4096; }
http {
  log_format sink '\$request_method \$status \$request_length \$uri';
  access_log $run/requests.log sink;
  sendfile on; tcp_nopush on; keepalive_requests 1000000; keepalive_timeout 300s;
  default_type application/octet-stream;
  client_max_body_size 0; client_body_in_file_only clean; client_body_buffer_size 1m;
  client_body_temp_path $body; proxy_temp_path $run; fastcgi_temp_path $run; uwsgi_temp_path $run; scgi_temp_path $run;
  lua_package_path "$run/?.lua;;";
  error_page 404 = @nosuchkey;
  server { listen 127.0.0.1:$5; listen $7:80; root $data; set \$sink_data $data;
    location / {
      if (\$request_method !~ ^(GET|HEAD)\$) { content_by_lua_block { require("s3sink").handle(0) } }
      if (\$arg_list-type) { content_by_lua_block { require("s3sink").handle(0) } }
    }
    location @nosuchkey { default_type application/xml; return 404 '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>'; } }
  server { listen 127.0.0.1:$6; listen $8:80; root $data; set \$sink_data $data; limit_rate 90m;
    location / {
      access_by_lua_block { local m = ngx.req.get_method(); if m == "GET" or m == "HEAD" then ngx.sleep(0.030) end }
      if (\$request_method !~ ^(GET|HEAD)\$) { content_by_lua_block { require("s3sink").handle(90e6) } }
      if (\$arg_list-type) { content_by_lua_block { require("s3sink").handle(90e6) } }
    }
    location @nosuchkey { default_type application/xml; return 404 '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>'; } }
}
CONF
    nginx -c "$run/nginx.conf"
    ;;
  stop)
    (($# == 2)) || { sed -n '2,14p' "$0"; exit 2; }
    # Only the nginx started with this RUN_DIR's config: a stale pid file may name another process by now.
    pid=$(cat "$2/nginx.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$(realpath "$2")/nginx.conf"; then
      kill "$pid"
    fi
    ;;
  *) sed -n '2,14p' "$0"; exit 2 ;;
esac
