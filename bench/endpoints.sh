#!/usr/bin/env bash
# nginx serving files under DATA_DIR as path-style S3 objects (GET with Range, ETag; no signature check):
#   unlimited : 127.0.0.1:$UNLIMITED_PORT and 127.0.0.11:80        (the loopback/pipe limit)
#   S3-like   : 127.0.0.1:$S3LIKE_PORT  and 127.0.0.13:80          (30 ms before the first byte, 90 MB/s per connection)
# The :80 aliases exist because the aws-c-s3 build in Debian ignores a port in the Host header.
# usage: endpoints.sh start DATA_DIR RUN_DIR UNLIMITED_PORT S3LIKE_PORT | endpoints.sh stop RUN_DIR
set -euo pipefail
case "${1:-}" in
  start)
    data=$(realpath "$2"); run=$3; mkdir -p "$run"
    cat > "$run/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ndk_http_module.so;
load_module /usr/lib/nginx/modules/ngx_http_lua_module.so;
worker_processes 2;
error_log $run/error.log warn;
pid $run/nginx.pid;
events { worker_connections 4096; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 1000000;
  default_type application/octet-stream;
  client_body_temp_path $run; proxy_temp_path $run; fastcgi_temp_path $run; uwsgi_temp_path $run; scgi_temp_path $run;
  server { listen 127.0.0.1:$4; listen 127.0.0.11:80; root $data; }
  server { listen 127.0.0.1:$5; listen 127.0.0.13:80; root $data; limit_rate 90m;
           location / { access_by_lua_block { ngx.sleep(0.030) } } }
}
CONF
    nginx -c "$run/nginx.conf"
    ;;
  stop)
    [ -f "$2/nginx.pid" ] && kill "$(cat "$2/nginx.pid")" 2>/dev/null || true
    ;;
  *) sed -n '2,7p' "$0"; exit 2 ;;
esac
