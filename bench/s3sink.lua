-- The upload endpoint's S3 handlers (nginx + lua, path-style, unsigned), loaded by bench/sink.sh:
--   PutObject, CreateMultipartUpload, UploadPart, CompleteMultipartUpload (part order and ETags checked),
--   AbortMultipartUpload, ListObjectsV2 (prefix, start-after, continuation-token, max-keys <= 1000);
--   GET and HEAD are nginx's static handler.
-- Objects live under $sink_data/<bucket>/<key>; parts in progress under $sink_data/.mpu/<uploadId>/NNNNN. A completed
-- multipart upload is not concatenated (that would cost the run a second copy of the object): its folder moves to
-- $sink_data/.completed/<uploadId> with `key` (bucket/key) and `manifest` (its part files in order), for the bench to
-- check and delete after the run. aws-chunked bodies (Content-Encoding: aws-chunked) are decoded.
-- ETags are a digest of the part's name and size, not an MD5 (as S3's under SSE-KMS): clients must not rely on them.
-- handle(rate): rate 0 answers at once; else no sooner than 30 ms + bytes / rate after the request's headers arrived,
-- the S3-like pace (90 MB/s per connection of ingest, 30 ms before every answer).
local M = {}

local function xml(status, body)
  ngx.status = status
  ngx.header["Content-Type"] = "application/xml"
  ngx.header["x-amz-request-id"] = "s3fcp-bench-sink"
  ngx.print('<?xml version="1.0" encoding="UTF-8"?>' .. body)
end

local function err(status, code, msg)
  xml(status, "<Error><Code>" .. code .. "</Code><Message>" .. msg .. "</Message></Error>")
end

local function pace(bytes, rate)
  if rate == 0 then return end
  ngx.update_time()
  local d = ngx.req.start_time() + 0.030 + bytes / rate - ngx.now()
  if d > 0 then ngx.sleep(d) end
end

local function esc_xml(s) return (s:gsub("&", "&amp;"):gsub("<", "&lt;"):gsub(">", "&gt;")) end
local function quote(path) return "'" .. path:gsub("'", "'\\''") .. "'" end
local function mkdirs(path) os.execute("mkdir -p " .. quote(path)) end
local function dirname(p) return p:match("^(.*)/[^/]*$") or "." end

local function split_path()
  local uri = ngx.var.request_uri:match("^[^?]*")
  local b, k = uri:match("^/([^/]+)/?(.*)$")
  if not b then return nil end
  return ngx.unescape_uri(b), ngx.unescape_uri(k)
end

-- rename, making the target's folder only when the first try fails (no fork per request)
local function move(from, to)
  if os.rename(from, to) then return end
  mkdirs(dirname(to))
  assert(os.rename(from, to))
end

-- The request body to PATH: a rename of nginx's temp file (on the same tmpfs), or decoded when aws-chunked.
-- Returns its (decoded) size and an ETag.
local function body_to(path, name)
  ngx.req.read_body()
  local f = ngx.req.get_body_file()
  local ce = ngx.var.http_content_encoding or ""
  if not ce:find("aws%-chunked") then
    if f then
      local h = io.open(f, "rb"); local size = h:seek("end"); h:close()
      move(f, path)
      return size, ngx.md5(name .. ":" .. size)
    end
    local raw = ngx.req.get_body_data() or ""
    mkdirs(dirname(path))
    local h = assert(io.open(path, "wb")); h:write(raw); h:close()
    return #raw, ngx.md5(name .. ":" .. #raw)
  end
  local raw
  if f then local h = io.open(f, "rb"); raw = h:read("*a"); h:close() else raw = ngx.req.get_body_data() or "" end
  local out, pos = {}, 1
  while true do
    local line_end = raw:find("\r\n", pos, true)
    if not line_end then break end
    local size = tonumber(raw:sub(pos, line_end - 1):match("^(%x+)"), 16)
    if not size or size == 0 then break end
    out[#out + 1] = raw:sub(line_end + 2, line_end + 1 + size)
    pos = line_end + 2 + size + 2
  end
  raw = table.concat(out)
  mkdirs(dirname(path))
  local h = assert(io.open(path, "wb")); h:write(raw); h:close()
  return #raw, ngx.md5(name .. ":" .. #raw)
end

local function read_body_text()
  ngx.req.read_body()
  local body = ngx.req.get_body_data()
  if not body then
    local bf = ngx.req.get_body_file()
    if bf then local h = io.open(bf, "rb"); body = h:read("*a"); h:close() end
  end
  return body or ""
end

local function upload_dir(data, id)
  local dir = data .. "/.mpu/" .. id:gsub("[^%w]", "")
  local h = io.open(dir .. "/key", "rb")
  if not h then return nil end
  h:close()
  return dir
end

function M.handle(rate)
  local data = ngx.var.sink_data
  local method = ngx.req.get_method()
  local args = ngx.req.get_uri_args(1000)
  local bucket, key = split_path()
  if not bucket then return err(400, "InvalidURI", "no bucket") end

  if method == "PUT" and args.uploadId and args.partNumber then  -- UploadPart
    local dir = upload_dir(data, args.uploadId)
    if not dir then pace(0, rate); return err(404, "NoSuchUpload", "no such upload") end
    local n = tonumber(args.partNumber)
    if not n or n < 1 or n > 10000 then return err(400, "InvalidArgument", "bad part number") end
    local name = dir .. "/" .. string.format("%05d", n)
    local size, etag = body_to(name, args.uploadId .. n)
    local et = assert(io.open(name .. ".etag", "wb")); et:write('"' .. etag .. '"'); et:close()
    pace(size, rate)
    ngx.header["ETag"] = '"' .. etag .. '"'; ngx.status = 200; return
  elseif method == "PUT" then
    if key == "" then pace(0, rate); ngx.status = 200; return end  -- CreateBucket
    local size, etag = body_to(data .. "/" .. bucket .. "/" .. key, bucket .. "/" .. key)  -- PutObject
    pace(size, rate)
    ngx.header["ETag"] = '"' .. etag .. '"'; ngx.status = 200; return
  elseif method == "POST" and args.uploads then  -- CreateMultipartUpload
    local id = ngx.md5(ngx.now() .. ":" .. ngx.worker.pid() .. ":" .. math.random() .. key)
    mkdirs(data .. "/.mpu/" .. id)
    local h = assert(io.open(data .. "/.mpu/" .. id .. "/key", "wb")); h:write(bucket .. "/" .. key); h:close()
    pace(0, rate)
    return xml(200, "<InitiateMultipartUploadResult><Bucket>" .. esc_xml(bucket) .. "</Bucket><Key>" .. esc_xml(key) ..
      "</Key><UploadId>" .. id .. "</UploadId></InitiateMultipartUploadResult>")
  elseif method == "POST" and args.uploadId then  -- CompleteMultipartUpload
    local dir = upload_dir(data, args.uploadId)
    if not dir then pace(0, rate); return err(404, "NoSuchUpload", "no such upload") end
    local body = read_body_text()
    local parts, last, files = 0, 0, {}
    local function bare(x) return (x:gsub("&quot;", ""):gsub("&#34;", ""):gsub('"', "")) end
    for part in body:gmatch("<Part>(.-)</Part>") do
      local n = tonumber(part:match("<PartNumber>%s*(%d+)%s*</PartNumber>"))
      local etag = part:match("<ETag>%s*([^<]-)%s*</ETag>") or ""
      if not n then return err(400, "MalformedXML", "part without number") end
      if n <= last then return err(400, "InvalidPartOrder", "parts not ascending") end
      last = n
      local name = string.format("%05d", n)
      local e = io.open(dir .. "/" .. name .. ".etag", "rb")
      if not e then return err(400, "InvalidPart", "part " .. n .. " not uploaded") end
      local want = e:read("*a"); e:close()
      if bare(etag) ~= bare(want) then
        return err(400, "InvalidPart", "part " .. n .. " etag " .. etag .. " want " .. want)
      end
      files[#files + 1] = name
      parts = parts + 1
    end
    if parts == 0 then return err(400, "MalformedXML", "no parts") end
    local m = assert(io.open(dir .. "/manifest", "wb")); m:write(table.concat(files, "\n") .. "\n"); m:close()
    mkdirs(data .. "/.completed")
    assert(os.rename(dir, data .. "/.completed/" .. args.uploadId:gsub("[^%w]", "")))
    pace(0, rate)
    return xml(200, "<CompleteMultipartUploadResult><Bucket>" .. esc_xml(bucket) .. "</Bucket><Key>" .. esc_xml(key) ..
      "</Key><ETag>\"" .. ngx.md5(args.uploadId) .. "-" .. parts .. "\"</ETag></CompleteMultipartUploadResult>")
  elseif method == "DELETE" and args.uploadId then  -- AbortMultipartUpload
    os.execute("rm -rf " .. quote(data .. "/.mpu/" .. args.uploadId:gsub("[^%w]", "")))
    pace(0, rate); ngx.status = 204; return
  elseif method == "GET" and key == "" and args["list-type"] == "2" then  -- ListObjectsV2
    local prefix = args.prefix or ""
    local after = args["continuation-token"] or args["start-after"] or ""
    local maxk = math.min(tonumber(args["max-keys"] or 1000) or 1000, 1000)
    local p = io.popen("cd " .. quote(data .. "/" .. bucket) ..
      " 2>/dev/null && find . -type f -printf '%P\\t%s\\t%T@\\n' | LC_ALL=C sort")
    local items, truncated, lastkey = {}, false, nil
    for line in p:lines() do
      local k, s, mtime = line:match("^(.*)\t(%d+)\t(%d+)[.%d]*$")
      if k and k:sub(1, #prefix) == prefix and k > after then
        if #items >= maxk then truncated = true; break end
        -- The ETag nginx's static GET and HEAD give the file ("mtime-size" in hex), which a client may send back
        -- in If-Match on its ranged GETs (aws-cli does, for objects past its multipart threshold).
        local etag = string.format('"%x-%x"', tonumber(mtime), tonumber(s))
        items[#items + 1] = "<Contents><Key>" .. esc_xml(k) .. "</Key><LastModified>2026-01-01T00:00:00.000Z" ..
          "</LastModified><Size>" .. s .. "</Size><ETag>" .. esc_xml(etag) ..
          "</ETag><StorageClass>STANDARD</StorageClass></Contents>"
        lastkey = k
      end
    end
    p:close()
    local tail = truncated and ("<IsTruncated>true</IsTruncated><NextContinuationToken>" .. esc_xml(lastkey) ..
      "</NextContinuationToken>") or "<IsTruncated>false</IsTruncated>"
    pace(0, rate)
    return xml(200, "<ListBucketResult><Name>" .. esc_xml(bucket) .. "</Name><Prefix>" .. esc_xml(prefix) ..
      "</Prefix><KeyCount>" .. #items .. "</KeyCount><MaxKeys>" .. maxk .. "</MaxKeys>" .. tail ..
      table.concat(items) .. "</ListBucketResult>")
  end
  return err(405, "MethodNotAllowed", method .. " not supported by the bench sink")
end

return M
