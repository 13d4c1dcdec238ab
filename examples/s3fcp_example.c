/* libs3fcp from C: put an object from a buffer, read it back four ways, look at it, list, delete.
 *   s3fcp_example ENDPOINT BUCKET [SIZE]
 * Credentials come from the usual AWS places (environment, profile). Exits 0 when every step checks out. */
#include <s3fcp/s3fcp.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int check(int code, const s3fcp_error* err, const char* what) {
  if (code != S3FCP_OK) fprintf(stderr, "%s failed: code %d (%s: %s, HTTP %ld)\n", what, code, err->s3_code, err->message,
                                err->http_status);
  return code == S3FCP_OK;
}

struct sink {
  unsigned char* data;
  size_t size;
};

static int collect(void* user, const void* data, size_t size) {
  struct sink* s = user;
  memcpy(s->data + s->size, data, size);
  s->size += size;
  return 0;
}

struct source {
  const unsigned char* data;
  size_t size, at;
};

static long produce(void* user, void* buffer, size_t capacity) {
  struct source* s = user;
  size_t n = s->size - s->at < capacity ? s->size - s->at : capacity;
  if (n > 7777) n = 7777; /* small pieces: the library must not care */
  memcpy(buffer, s->data + s->at, n);
  s->at += n;
  return (long)n;
}

static int count_keys(void* user, const s3fcp_list_entry* entries, size_t count) {
  size_t* seen = user;
  for (size_t i = 0; i < count; ++i) {
    if (strncmp(entries[i].key, "example/", 8) == 0) ++*seen;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ENDPOINT BUCKET [SIZE]\n", argv[0]);
    return 2;
  }
  const size_t size = argc > 3 ? (size_t)strtoull(argv[3], NULL, 10) : 12u << 20;
  unsigned char* data = malloc(size + 1);
  for (size_t i = 0; i < size; ++i) data[i] = (unsigned char)(i * 131 + (i >> 13));

  s3fcp_config config;
  s3fcp_config_init(&config);
  config.endpoint_url = argv[1];
  config.addressing = S3FCP_ADDRESSING_PATH;
  config.part_size = 5u << 20;
  s3fcp_error err;
  s3fcp_client* client = s3fcp_client_new(&config, &err);
  if (!client) return check(err.code, &err, "client"), 1;
  const char* bucket = argv[2];
  int ok = 1;

  s3fcp_put_options put;
  s3fcp_put_options_init(&put);
  put.content_type = "application/x-example";
  ok = ok && check(s3fcp_put_from_buffer(client, bucket, "example/a.bin", data, size, &put, NULL, &err), &err, "put");
  struct source src = {data, size, 0};
  ok = ok && check(s3fcp_put_from_callback(client, bucket, "example/b.bin", produce, &src, &put, NULL, &err), &err,
                   "put from a callback");

  s3fcp_get_options get;
  s3fcp_get_options_init(&get);
  get.verify_checksum = 0; /* some S3 emulators store no usable full-object checksum for multipart objects */
  void* back = NULL;
  size_t back_size = 0;
  ok = ok && check(s3fcp_get_to_buffer(client, bucket, "example/a.bin", &get, &back, &back_size, NULL, &err), &err,
                   "get to a buffer");
  if (ok && (back_size != size || memcmp(back, data, size) != 0)) ok = 0, fprintf(stderr, "buffer: wrong bytes\n");
  s3fcp_free(back);

  struct sink s = {malloc(size + 1), 0};
  uint64_t bytes = 0;
  ok = ok && check(s3fcp_get_to_callback(client, bucket, "example/b.bin", &get, collect, &s, &bytes, NULL, &err), &err,
                   "get through a callback");
  if (ok && (s.size != size || bytes != size || memcmp(s.data, data, size) != 0)) ok = 0, fprintf(stderr, "callback: wrong bytes\n");
  free(s.data);

  /* Into a buffer of ours: one too small says how large the object is, and reads nothing of it. */
  unsigned char* mine = malloc(size + 1);
  uint64_t got = 0;
  if (ok && size > 0) {
    int code = s3fcp_get_into_buffer(client, bucket, "example/a.bin", &get, mine, size - 1, &got, NULL, &err);
    if (code != S3FCP_ERR_TOO_LARGE || got != size) ok = 0, fprintf(stderr, "small buffer: code %d, size %llu\n", code, (unsigned long long)got);
  }
  ok = ok && check(s3fcp_get_into_buffer(client, bucket, "example/a.bin", &get, mine, size + 1, &got, NULL, &err), &err,
                   "get into a buffer");
  if (ok && (got != size || memcmp(mine, data, size) != 0)) ok = 0, fprintf(stderr, "into a buffer: wrong bytes\n");
  free(mine);
  /* Options zeroed instead of initialised (struct_size 0) still count: here, a range of 10 bytes. */
  if (ok && size >= 10) {
    s3fcp_get_options zeroed;
    memset(&zeroed, 0, sizeof zeroed);
    zeroed.has_range = 1;
    zeroed.range_first = 0;
    zeroed.range_last = 9;
    ok = ok && check(s3fcp_get_to_buffer(client, bucket, "example/a.bin", &zeroed, &back, &back_size, NULL, &err), &err,
                     "get a range with zeroed options");
    if (ok && (back_size != 10 || memcmp(back, data, 10) != 0)) ok = 0, fprintf(stderr, "zeroed options: %zu bytes\n", back_size);
    s3fcp_free(back);
  }
  /* max_size: a larger object is not read, and its size comes back. */
  if (ok && size > 0) {
    s3fcp_get_options small = get;
    small.max_size = size - 1;
    struct sink none = {NULL, 0};
    int code = s3fcp_get_to_callback(client, bucket, "example/b.bin", &small, collect, &none, &bytes, NULL, &err);
    if (code != S3FCP_ERR_TOO_LARGE || bytes != size || none.size != 0) ok = 0, fprintf(stderr, "max_size: code %d, size %llu\n", code, (unsigned long long)bytes);
  }

  s3fcp_object_info info;
  ok = ok && check(s3fcp_head(client, bucket, "example/a.bin", NULL, &info, NULL, &err), &err, "head");
  if (ok && (info.size != size || strcmp(info.content_type, "application/x-example") != 0)) ok = 0, fprintf(stderr, "head: %llu %s\n", (unsigned long long)info.size, info.content_type);

  size_t seen = 0;
  ok = ok && check(s3fcp_list(client, bucket, "example/", count_keys, &seen, NULL, &err), &err, "list");
  if (ok && seen != 2) ok = 0, fprintf(stderr, "list: %zu keys\n", seen);

  /* A copy by S3 itself keeps the bytes and the Content-Type. */
  ok = ok && check(s3fcp_copy(client, bucket, "example/a.bin", NULL, bucket, "example/c.bin", NULL, &err), &err,
                   "copy");
  ok = ok && check(s3fcp_get_to_buffer(client, bucket, "example/c.bin", &get, &back, &back_size, NULL, &err), &err,
                   "get the copy");
  if (ok && (back_size != size || (size > 0 && memcmp(back, data, size) != 0))) ok = 0, fprintf(stderr, "copy: wrong bytes\n");
  if (ok) s3fcp_free(back);
  ok = ok && check(s3fcp_head(client, bucket, "example/c.bin", NULL, &info, NULL, &err), &err, "head the copy");
  if (ok && strcmp(info.content_type, "application/x-example") != 0) ok = 0, fprintf(stderr, "copy: %s\n", info.content_type);
  ok = ok && check(s3fcp_delete(client, bucket, "example/c.bin", NULL, NULL, &err), &err, "delete c");

  int code = s3fcp_head(client, bucket, "example/missing", NULL, &info, NULL, &err);
  if (code != S3FCP_ERR_NOT_FOUND) ok = 0, fprintf(stderr, "missing key: code %d\n", code);

  s3fcp_cancel_token* cancel = s3fcp_cancel_new();
  s3fcp_cancel(cancel);
  code = s3fcp_get_to_buffer(client, bucket, "example/a.bin", &get, &back, &back_size, cancel, &err);
  if (code != S3FCP_ERR_CANCELLED) ok = 0, fprintf(stderr, "cancelled get: code %d\n", code);
  s3fcp_cancel_free(cancel);

  ok = ok && check(s3fcp_delete(client, bucket, "example/a.bin", NULL, NULL, &err), &err, "delete a");
  ok = ok && check(s3fcp_delete(client, bucket, "example/b.bin", NULL, NULL, &err), &err, "delete b");
  code = s3fcp_head(client, bucket, "example/a.bin", NULL, &info, NULL, &err);
  if (code != S3FCP_ERR_NOT_FOUND) ok = 0, fprintf(stderr, "deleted key: code %d\n", code);

  s3fcp_client_free(client);
  free(data);
  printf("%s %s\n", s3fcp_version(), ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
