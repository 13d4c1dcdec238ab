/* A mixed workload through libs3fcp, for leak and soak checks: 60 % reads, 40 % writes of 1 KiB to MAX bytes,
 * from THREADS threads on one shared client, every byte checked.
 *   lib_mixed ENDPOINT BUCKET (--ops N | --seconds S) [--threads T] [--max-size BYTES] [--seed N] [--tolerate-errors]
 * Each key's content is a function of (key, generation): a read knows what it must see. With --tolerate-errors a
 * failed call (the fault server's injected errors that outlast the retries) is counted, not fatal; a wrong byte is
 * always fatal. Prints one JSON line of counts; exit 0 when no byte was wrong (and, without --tolerate-errors, no
 * call failed). */
#include <s3fcp/s3fcp.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

enum { KEYS = 64 };

static const char* g_bucket;
static s3fcp_client* g_client;
static uint64_t g_max_size = 256 * 1024;
static int g_tolerate;
static atomic_long g_ops, g_reads, g_writes, g_failures, g_wrong, g_bytes;
static atomic_int g_stop;
/* Per key: the generation last written (0: none yet), guarded by a lock per key. */
static pthread_mutex_t g_key_lock[KEYS];
static uint32_t g_generation[KEYS];

static uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  return x ^ (x >> 33);
}

static size_t size_of(int key, uint32_t generation) {
  return 1024 + (size_t)(mix((uint64_t)key << 32 | generation) % (g_max_size - 1024 + 1));
}

static unsigned char byte_at(int key, uint32_t generation, size_t i) {
  return (unsigned char)(mix(((uint64_t)key << 40) ^ ((uint64_t)generation << 20) ^ (i / 8)) >> ((i % 8) * 8));
}

static void fill(unsigned char* p, int key, uint32_t generation, size_t n) {
  for (size_t i = 0; i < n; ++i) p[i] = byte_at(key, generation, i);
}

static void failed(const char* what, int key, const s3fcp_error* err) {
  atomic_fetch_add(&g_failures, 1);
  if (!g_tolerate) {
    fprintf(stderr, "%s of key %d failed: %d %s: %s\n", what, key, err->code, err->s3_code, err->message);
    atomic_store(&g_stop, 1);
  }
}

struct reader_state {
  int key;
  uint32_t generation;
  size_t at;
  int wrong;
};

static int check_piece(void* user, const void* data, size_t size) {
  struct reader_state* r = user;
  const unsigned char* p = data;
  for (size_t i = 0; i < size; ++i) {
    if (p[i] != byte_at(r->key, r->generation, r->at + i)) r->wrong = 1;
  }
  r->at += size;
  return 0;
}

struct writer_state {
  int key;
  uint32_t generation;
  size_t at, size;
};

static long produce(void* user, void* buffer, size_t capacity) {
  struct writer_state* w = user;
  size_t n = w->size - w->at < capacity ? w->size - w->at : capacity;
  for (size_t i = 0; i < n; ++i) ((unsigned char*)buffer)[i] = byte_at(w->key, w->generation, w->at + i);
  w->at += n;
  return (long)n;
}

static void one_op(unsigned int* seed, int thread) {
  char key_name[64];
  const int key = (int)(rand_r(seed) % KEYS);
  snprintf(key_name, sizeof key_name, "mixed/k%02d", key);
  const int roll = (int)(rand_r(seed) % 100);
  s3fcp_error err;
  pthread_mutex_lock(&g_key_lock[key]);
  const uint32_t generation = g_generation[key];
  if (roll < 60 && generation != 0) {
    s3fcp_get_options get;
    s3fcp_get_options_init(&get);
    get.verify_checksum = 0; /* the fault server's injected headers are not the object's */
    const size_t expect = size_of(key, generation);
    if (roll % 2 == 0) {
      void* data = NULL;
      size_t size = 0;
      if (s3fcp_get_to_buffer(g_client, g_bucket, key_name, &get, &data, &size, NULL, &err) != S3FCP_OK) {
        failed("get", key, &err);
      } else {
        struct reader_state r = {key, generation, 0, 0};
        check_piece(&r, data, size);
        if (r.wrong || size != expect) atomic_fetch_add(&g_wrong, 1);
        atomic_fetch_add(&g_bytes, (long)size);
      }
      s3fcp_free(data);
    } else {
      struct reader_state r = {key, generation, 0, 0};
      uint64_t bytes = 0;
      if (s3fcp_get_to_callback(g_client, g_bucket, key_name, &get, check_piece, &r, &bytes, NULL, &err) != S3FCP_OK) {
        failed("get (callback)", key, &err);
      } else {
        if (r.wrong || r.at != expect || bytes != expect) atomic_fetch_add(&g_wrong, 1);
        atomic_fetch_add(&g_bytes, (long)bytes);
      }
    }
    atomic_fetch_add(&g_reads, 1);
  } else {
    const uint32_t next = generation + 1;
    const size_t size = size_of(key, next);
    s3fcp_put_options put;
    s3fcp_put_options_init(&put);
    int code;
    if (roll % 2 == 0) {
      /* Mapped, not malloc'd: the soak watches RSS, and glibc would keep these large blocks in its heaps. */
      unsigned char* data = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      fill(data, key, next, size);
      code = s3fcp_put_from_buffer(g_client, g_bucket, key_name, data, size, &put, NULL, &err);
      munmap(data, size);
    } else {
      struct writer_state w = {key, next, 0, size};
      code = s3fcp_put_from_callback(g_client, g_bucket, key_name, produce, &w, &put, NULL, &err);
    }
    if (code == S3FCP_OK) {
      g_generation[key] = next;
      atomic_fetch_add(&g_bytes, (long)size);
    } else {
      /* A put that failed may or may not have landed: the key's content is unknown until it is written again. */
      g_generation[key] = 0;
      failed("put", key, &err);
    }
    atomic_fetch_add(&g_writes, 1);
  }
  if (roll == 99 && thread == 0) { /* now and then the other calls: head, list, delete */
    s3fcp_object_info info;
    if (g_generation[key] != 0 && s3fcp_head(g_client, g_bucket, key_name, NULL, &info, NULL, &err) != S3FCP_OK) {
      failed("head", key, &err);
    }
  }
  pthread_mutex_unlock(&g_key_lock[key]);
  atomic_fetch_add(&g_ops, 1);
}

static long g_ops_limit;
static double g_seconds_limit;
static struct timespec g_start;

static double elapsed(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (double)(now.tv_sec - g_start.tv_sec) + (double)(now.tv_nsec - g_start.tv_nsec) / 1e9;
}

static void* worker(void* arg) {
  const int thread = (int)(intptr_t)arg;
  unsigned int seed = (unsigned int)(thread * 7919 + 17);
  while (!atomic_load(&g_stop)) {
    if (g_ops_limit > 0 && atomic_load(&g_ops) >= g_ops_limit) break;
    if (g_seconds_limit > 0 && elapsed() >= g_seconds_limit) break;
    one_op(&seed, thread);
  }
  return NULL;
}

static int count_page(void* user, const s3fcp_list_entry* entries, size_t count) {
  (void)entries;
  *(size_t*)user += count;
  return 0;
}

// Ends the listing at its first page: returns non-zero.
static int stop_at_first_page(void* user, const s3fcp_list_entry* entries, size_t count) {
  (void)entries;
  *(size_t*)user += count;
  return 1;
}

// Cancels the listing's token from inside its first page, as another thread might while the listing runs.
static int cancel_at_first_page(void* user, const s3fcp_list_entry* entries, size_t count) {
  (void)entries;
  (void)count;
  s3fcp_cancel((s3fcp_cancel_token*)user);
  return 0;
}

// A listing stopped by its callback succeeds with what it was given; one cancelled through its token says so.
static void list_stopped_early(void) {
  s3fcp_error err;
  size_t first = 0;
  int code = s3fcp_list(g_client, g_bucket, "mixed/", stop_at_first_page, &first, NULL, &err);
  if (code != S3FCP_OK || first == 0) {
    fprintf(stderr, "list stopped by its callback: code %d, %zu keys\n", code, first);
    atomic_fetch_add(&g_failures, 1);
  }
  s3fcp_cancel_token* token = s3fcp_cancel_new();
  code = s3fcp_list(g_client, g_bucket, "mixed/", cancel_at_first_page, token, token, &err);
  if (code != S3FCP_ERR_CANCELLED) {
    fprintf(stderr, "list cancelled from its callback: code %d (%s)\n", code, err.message);
    atomic_fetch_add(&g_failures, 1);
  }
  s3fcp_cancel_free(token);
}

int main(int argc, char** argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s ENDPOINT BUCKET (--ops N | --seconds S) [--threads T] [--max-size B] [--tolerate-errors] [--ca-bundle PEM]\n", argv[0]);
    return 2;
  }
  int threads = 4;
  const char* ca_bundle = NULL;
  for (int i = 3; i < argc; ++i) {
    if (strcmp(argv[i], "--ops") == 0 && i + 1 < argc) g_ops_limit = atol(argv[++i]);
    else if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) g_seconds_limit = atof(argv[++i]);
    else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) threads = atoi(argv[++i]);
    else if (strcmp(argv[i], "--max-size") == 0 && i + 1 < argc) g_max_size = strtoull(argv[++i], NULL, 10);
    else if (strcmp(argv[i], "--tolerate-errors") == 0) g_tolerate = 1;
    else if (strcmp(argv[i], "--ca-bundle") == 0 && i + 1 < argc) ca_bundle = argv[++i];
    else {
      fprintf(stderr, "unknown argument %s\n", argv[i]);
      return 2;
    }
  }
  if (g_max_size < 1024) g_max_size = 1024;
  g_bucket = argv[2];
  for (int k = 0; k < KEYS; ++k) pthread_mutex_init(&g_key_lock[k], NULL);
  s3fcp_config config;
  s3fcp_config_init(&config);
  config.endpoint_url = argv[1];
  config.addressing = S3FCP_ADDRESSING_PATH;
  config.concurrency = 16;
  config.part_size = 5u << 20;
  config.max_attempts = 6;
  config.ca_bundle = ca_bundle;
  s3fcp_error err;
  g_client = s3fcp_client_new(&config, &err);
  if (!g_client) {
    fprintf(stderr, "client: %s\n", err.message);
    return 1;
  }
  clock_gettime(CLOCK_MONOTONIC, &g_start);
  pthread_t* ids = calloc((size_t)threads, sizeof *ids);
  for (int t = 0; t < threads; ++t) pthread_create(&ids[t], NULL, worker, (void*)(intptr_t)t);
  for (int t = 0; t < threads; ++t) pthread_join(ids[t], NULL);
  free(ids);
  size_t listed = 0;
  if (s3fcp_list(g_client, g_bucket, "mixed/", count_page, &listed, NULL, &err) != S3FCP_OK) failed("list", -1, &err);
  if (!g_tolerate) list_stopped_early();
  for (int k = 0; k < KEYS && !g_tolerate; ++k) {
    char key_name[64];
    snprintf(key_name, sizeof key_name, "mixed/k%02d", k);
    if (s3fcp_delete(g_client, g_bucket, key_name, NULL, NULL, &err) != S3FCP_OK) failed("delete", k, &err);
  }
  s3fcp_client_free(g_client);
  for (int k = 0; k < KEYS; ++k) pthread_mutex_destroy(&g_key_lock[k]);
  const double seconds = elapsed();
  printf("{\"ops\": %ld, \"reads\": %ld, \"writes\": %ld, \"failures\": %ld, \"wrong\": %ld, \"bytes\": %ld, "
         "\"listed\": %zu, \"seconds\": %.2f}\n",
         atomic_load(&g_ops), atomic_load(&g_reads), atomic_load(&g_writes), atomic_load(&g_failures),
         atomic_load(&g_wrong), atomic_load(&g_bytes), listed, seconds);
  if (atomic_load(&g_wrong) != 0) return 1;
  return (!g_tolerate && atomic_load(&g_failures) != 0) ? 1 : 0;
}
