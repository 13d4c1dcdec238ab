#!/usr/bin/env bash
# nginx serving files under DATA_DIR as path-style S3 objects (GET with Range, ETag; no signature check):
#   unlimited : 127.0.0.1:$UNLIMITED_PORT and 127.0.0.11:80        (the loopback/pipe limit)
#   S3-like   : 127.0.0.1:$S3LIKE_PORT  and 127.0.0.13:80          (30 ms before the first byte, 90 MB/s per connection)
#   stalled   : 127.0.0.1:$STALLED_PORT and 127.0.0.14:80          (S3-like, but one response stalls, see below)
# The :80 aliases exist because the aws-c-s3 build in Debian ignores a port in the Host header.
# The stalled endpoint answers the first GET whose Range starts at or past STALL_AT bytes with its headers and
# 64 KiB of body, then sends nothing for STALL_S seconds, then the rest at 90 MB/s: one stalled chunk per arming,
# whatever the client's part size, and the client's next request for those bytes (a hedge, a retry) is served
# normally. GET /__rearm arms it again; GET /__stall says whether it fired since the last arming (JSON). nginx
# starts armed.
# usage: endpoints.sh start DATA_DIR RUN_DIR UNLIMITED_PORT S3LIKE_PORT STALLED_PORT STALL_AT STALL_S
#        endpoints.sh stop RUN_DIR
set -euo pipefail
case "${1:-}" in
  start)
    (($# == 8)) || { sed -n '2,13p' "$0"; exit 2; }
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
  lua_shared_dict stall 64k;
  server { listen 127.0.0.1:$4; listen 127.0.0.11:80; root $data; }
  server { listen 127.0.0.1:$5; listen 127.0.0.13:80; root $data; limit_rate 90m;
           location / { access_by_lua_block { ngx.sleep(0.030) } } }
  server { listen 127.0.0.1:$6; listen 127.0.0.14:80; root $data; limit_rate 90m;
    # Every request but the stalled one takes the S3-like path: the static handler, Range and all.
    location / { access_by_lua_block {
      ngx.sleep(0.030)
      local start = tonumber((ngx.var.http_range or ""):match("^bytes=(%d+)-"))
      if ngx.req.get_method() == "GET" and start and start >= $7 and ngx.shared.stall:add("fired", start) then
        return ngx.exec("@stalled")
      end
    } }
    location = /__rearm { content_by_lua_block { ngx.shared.stall:delete("fired"); ngx.say("armed") } }
    location = /__stall { content_by_lua_block {
      local at = ngx.shared.stall:get("fired")
      ngx.say(at and ('{"fired": true, "range_start": ' .. at .. '}') or '{"fired": false}')
    } }
    # The stalled response, written in Lua because the static handler cannot pause mid-body. Its headers are
    # the static handler's (from a HEAD subrequest: same ETag, Last-Modified, size), If-Match is honoured.
    location @stalled { content_by_lua_block {
      local meta = ngx.location.capture(ngx.var.uri, { method = ngx.HTTP_HEAD })
      if meta.status ~= 200 then return ngx.exit(meta.status) end
      local etag, size = meta.header["ETag"], tonumber(meta.header["Content-Length"])
      local if_match = ngx.var.http_if_match
      if if_match and if_match ~= "*" and if_match ~= etag then return ngx.exit(412) end
      local first, last = ngx.var.http_range:match("^bytes=(%d+)-(%d*)$")
      first, last = tonumber(first), math.min(tonumber(last) or size - 1, size - 1)
      if not first or first > last then return ngx.exit(416) end
      local f = assert(io.open(ngx.var.request_filename, "rb"))
      f:seek("set", first)
      ngx.status = 206
      ngx.header["Content-Type"] = "application/octet-stream"
      ngx.header["Content-Length"] = last - first + 1
      ngx.header["Content-Range"] = string.format("bytes %d-%d/%d", first, last, size)
      ngx.header["ETag"] = etag
      ngx.header["Last-Modified"] = meta.header["Last-Modified"]
      local left, sent, stalled = last - first + 1, 0, false
      while left > 0 do
        if not stalled and sent >= 65536 then ngx.sleep($8); stalled = true end
        local n = math.min(left, stalled and 1048576 or 65536)
        local ok = ngx.print(f:read(n))
        if ok then ok = ngx.flush(true) end
        if not ok then break end  -- the client went away (a hedge won and the original was cancelled)
        left, sent = left - n, sent + n
      end
      f:close()
    } }
  }
}
CONF
    nginx -c "$run/nginx.conf"
    ;;
  stop)
    # Only the nginx started with this RUN_DIR's config: a stale pid file may name another process by now.
    pid=$(cat "$2/nginx.pid" 2>/dev/null || true)
    if [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$2/nginx.conf"; then
      kill "$pid"
    fi
    ;;
  *) sed -n '2,13p' "$0"; exit 2 ;;
esac
