/* libs3fcp: s3fcp's transfer engine as a C library.
 *
 * One client (connections, signer, credentials, retries, one concurrency budget) serves many operations at once,
 * from any number of threads: get an object (into a buffer, a file descriptor, or through an in-order write
 * callback), put an object (from a buffer, a file descriptor, or a read callback of unknown length: multipart
 * above the part size, aborted on failure), head, list a prefix, delete. Every operation call blocks until it is
 * done; a cancel token lets another thread stop it (a multipart upload is then aborted before the call returns).
 *
 * Errors: every call returns an s3fcp_code (0 is success) and, when `err` is not NULL, fills it: a stable code (the
 * CLI's exit-code classes), S3's error code, a message, the HTTP status and the request id.
 *
 * Memory: strings passed in are copied before the call returns. What the library allocates for the caller
 * (s3fcp_get_to_buffer's data) is released with s3fcp_free, once. Structures the library fills (s3fcp_error,
 * s3fcp_object_info) hold fixed-size arrays: nothing to free. Pointers handed to a callback (list entries, write
 * data) are valid during that call only: copy what you keep.
 *
 * Threads: the client is safe to share; a client runs network threads of its own, one per core and at most four
 * (they block every signal; one call's transfer runs on one of them), plus, per call, a few short-lived helper
 * threads. Callbacks run on those threads, never two at once for one
 * call. Nothing is printed on stdout or stderr unless a log callback is set.
 *
 * Versioning: S3FCP_VERSION (compile time) and s3fcp_version() (run time); the shared library's SONAME carries
 * the major version. Option structures start with `struct_size`: set it with the *_init functions, so that a newer
 * library can tell an older caller's structure apart.
 */
#ifndef S3FCP_S3FCP_H
#define S3FCP_S3FCP_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define S3FCP_VERSION_MAJOR 0
#define S3FCP_VERSION_MINOR 5
#define S3FCP_VERSION_PATCH 0
#define S3FCP_VERSION_STRING "0.5.0"

#if defined(S3FCP_BUILDING_LIBRARY)
#define S3FCP_API __attribute__((visibility("default")))
#else
#define S3FCP_API
#endif

/* Result codes: the CLI's exit-code classes. */
typedef enum s3fcp_code {
  S3FCP_OK = 0,
  S3FCP_ERR_OTHER = 1,
  S3FCP_ERR_USAGE = 2,      /* a bad argument, option or bucket/key */
  S3FCP_ERR_NOT_FOUND = 3,  /* NoSuchKey, NoSuchBucket, NoSuchVersion, NoSuchUpload */
  S3FCP_ERR_AUTH = 4,       /* access denied, no usable credentials */
  S3FCP_ERR_CHANGED = 5,    /* the object changed during a download */
  S3FCP_ERR_NETWORK = 6,    /* retries exhausted: network, throttling, timeouts */
  S3FCP_ERR_CHECKSUM = 7,   /* a checksum mismatch, or a stated checksum that cannot be checked */
  S3FCP_ERR_IO = 8,         /* a local read or write failed (fd, callback) */
  S3FCP_ERR_RANGE = 9,      /* the range starts past the end of the object */
  S3FCP_ERR_EXISTS = 10,    /* no_clobber: the key exists */
  S3FCP_ERR_TOO_LARGE = 12, /* the object (or range) is larger than the caller allows: max_size, or the buffer of
                               s3fcp_get_into_buffer; nothing of it was delivered, its size is in *bytes / *size */
  S3FCP_ERR_CANCELLED = 130 /* s3fcp_cancel */
} s3fcp_code;

typedef struct s3fcp_error {
  int code;               /* an s3fcp_code */
  long http_status;       /* 0 when no HTTP answer was involved */
  char s3_code[64];       /* "NoSuchKey", or "" */
  char request_id[128];   /* x-amz-request-id, or "" */
  char message[512];      /* one line, truncated to fit; never a secret */
} s3fcp_error;

typedef struct s3fcp_client s3fcp_client;
typedef struct s3fcp_cancel_token s3fcp_cancel_token;

/* level: 0 error, 1 info, 2 debug (every request). Called from library threads; one whole line, no newline. */
typedef void (*s3fcp_log_fn)(void* user, int level, const char* line);

typedef enum s3fcp_addressing { S3FCP_ADDRESSING_AUTO = 0, S3FCP_ADDRESSING_PATH = 1, S3FCP_ADDRESSING_VIRTUAL = 2 } s3fcp_addressing;

typedef struct s3fcp_config {
  uint32_t struct_size;
  const char* region;        /* NULL: AWS_REGION, AWS_DEFAULT_REGION, the profile's, EC2 metadata, us-east-1 */
  const char* endpoint_url;  /* NULL: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, the profile's, else AWS */
  int addressing;            /* s3fcp_addressing */
  int anonymous;             /* non-zero: unsigned requests (public objects) */
  const char* profile;       /* NULL: AWS_PROFILE, else "default" */
  uint32_t concurrency;      /* requests in flight at once over all calls, and for one call's transfer at most;
                                0: 128 over all calls, 32 for one (64 into a buffer: s3fcp_get_into_buffer holds no
                                chunk buffers), as many small calls need many requests */
  uint64_t part_size;        /* bytes per ranged GET and per uploaded part; 0: 4 MiB down (8 MiB into a buffer),
                                8 MiB up (6 MiB from a callback or a pipe) */
  uint64_t memory_limit;     /* buffers of one upload from a callback or pipe; 0: (concurrency + 2) x part, at
                                most 144 MiB, yet 6 parts */
  uint32_t connect_timeout_ms;  /* 0: 10 s */
  uint32_t read_timeout_ms;     /* a request silent this long is retried; 0: 20 s */
  uint32_t max_attempts;        /* requests per range or part without progress; 0: 10 */
  s3fcp_log_fn log;             /* NULL: silent */
  void* log_user;
  int verbose;                  /* non-zero: log every request (level 2) */
  const char* ca_bundle;        /* a PEM file of the CAs trusted for https; NULL: AWS_CA_BUNDLE, the profile's
                                   ca_bundle, else the system's. Since 0.4.0 */
} s3fcp_config;

S3FCP_API void s3fcp_config_init(s3fcp_config* config);
S3FCP_API const char* s3fcp_version(void);

/* NULL on failure (err says why: a bad endpoint URL, no usable credentials). A client keeps the buffers of its
 * whole-object gets (objects up to 8 MiB, read in one GET) for the next ones, at most 64 MiB: memory handed back
 * and faulted in again costs more than it saves. */
S3FCP_API s3fcp_client* s3fcp_client_new(const s3fcp_config* config, s3fcp_error* err);
/* Waits for no call: every call on the client must have returned. */
S3FCP_API void s3fcp_client_free(s3fcp_client* client);

/* A cancel token: pass it to calls, s3fcp_cancel() it from any thread; calls that carry it stop with
 * S3FCP_ERR_CANCELLED (a call that starts on a cancelled token stops at once). Free it after the calls returned. */
S3FCP_API s3fcp_cancel_token* s3fcp_cancel_new(void);
S3FCP_API void s3fcp_cancel(s3fcp_cancel_token* token);
S3FCP_API void s3fcp_cancel_free(s3fcp_cancel_token* token);

/* Releases memory the library allocated for the caller. NULL is fine. */
S3FCP_API void s3fcp_free(void* p);

typedef struct s3fcp_get_options {
  uint32_t struct_size;
  const char* version_id; /* NULL: the current version */
  int has_range;          /* non-zero: only bytes [range_first, range_last] (inclusive; range_last < 0: to the end) */
  uint64_t range_first;
  int64_t range_last;
  int verify_checksum;    /* non-zero (default): verify the object's full-object checksum when it has one */
  uint64_t max_size;      /* non-zero: an object (or range) larger than this is not read: S3FCP_ERR_TOO_LARGE,
                             its size in *bytes / *size (since 0.3.0) */
} s3fcp_get_options;
S3FCP_API void s3fcp_get_options_init(s3fcp_get_options* options);

/* The object's bytes into a new buffer (*data, *size; s3fcp_free it). An empty object gives *data non-NULL. */
S3FCP_API int s3fcp_get_to_buffer(s3fcp_client* client, const char* bucket, const char* key,
                                  const s3fcp_get_options* options, void** data, size_t* size, s3fcp_cancel_token* cancel,
                                  s3fcp_error* err);
/* The object's bytes into the caller's `buffer` of `capacity` bytes, each range copied to its offset as it arrives
 * (in parallel, out of order: no window, no copy after it); *size is the object's (or range's) size. When that is
 * more than `capacity`, nothing more than the first answer's headers is read and the call returns
 * S3FCP_ERR_TOO_LARGE with *size set: call again with a buffer that large (the object may change in between; the
 * check repeats). On any error the buffer's contents are unspecified. The buffer's whole 2 MiB pages are advised
 * to the kernel for transparent huge pages (madvise): filling fresh memory then costs a page fault per 2 MiB, not per
 * 4 KiB. Since 0.3.0. */
S3FCP_API int s3fcp_get_into_buffer(s3fcp_client* client, const char* bucket, const char* key,
                                    const s3fcp_get_options* options, void* buffer, size_t capacity, uint64_t* size,
                                    s3fcp_cancel_token* cancel, s3fcp_error* err);
/* The bytes written to `fd` in order (a pipe, a socket, a file at its current offset). */
S3FCP_API int s3fcp_get_to_fd(s3fcp_client* client, const char* bucket, const char* key,
                              const s3fcp_get_options* options, int fd, uint64_t* bytes, s3fcp_cancel_token* cancel,
                              s3fcp_error* err);
/* `write` gets the bytes strictly in order, in pieces; return 0 to go on, non-zero to stop (S3FCP_ERR_IO). */
typedef int (*s3fcp_write_fn)(void* user, const void* data, size_t size);
S3FCP_API int s3fcp_get_to_callback(s3fcp_client* client, const char* bucket, const char* key,
                                    const s3fcp_get_options* options, s3fcp_write_fn write, void* user,
                                    uint64_t* bytes, s3fcp_cancel_token* cancel, s3fcp_error* err);

typedef struct s3fcp_put_options {
  uint32_t struct_size;
  const char* content_type;   /* NULL: application/octet-stream */
  const char* const* metadata; /* NULL, or "name", "value", ..., NULL: x-amz-meta-* */
  const char* storage_class;  /* NULL: the bucket's default */
  int checksum;               /* 0 (default): CRC64NVME on every part and the whole; -1: none */
  int no_clobber;             /* non-zero: If-None-Match: * (an existing key: S3FCP_ERR_EXISTS) */
  uint64_t expected_size;     /* a callback or pipe source: its size if known (parts sized to fit), else 0 */
} s3fcp_put_options;
S3FCP_API void s3fcp_put_options_init(s3fcp_put_options* options);

S3FCP_API int s3fcp_put_from_buffer(s3fcp_client* client, const char* bucket, const char* key, const void* data,
                                    size_t size, const s3fcp_put_options* options, s3fcp_cancel_token* cancel,
                                    s3fcp_error* err);
/* A regular file (read with pread from offset 0, in parallel) or a pipe/socket (streamed to its end). */
S3FCP_API int s3fcp_put_from_fd(s3fcp_client* client, const char* bucket, const char* key, int fd,
                                const s3fcp_put_options* options, s3fcp_cancel_token* cancel, s3fcp_error* err);
/* `read` fills up to `capacity` bytes and returns how many, 0 at the end, a negative value for an error
 * (S3FCP_ERR_IO). Called from one library thread at a time. A cancel takes effect between calls. */
typedef long (*s3fcp_read_fn)(void* user, void* buffer, size_t capacity);
S3FCP_API int s3fcp_put_from_callback(s3fcp_client* client, const char* bucket, const char* key,
                                      s3fcp_read_fn read, void* user, const s3fcp_put_options* options,
                                      s3fcp_cancel_token* cancel, s3fcp_error* err);

typedef struct s3fcp_object_info {
  uint64_t size;
  char etag[128];
  char version_id[256];
  char content_type[256];
  char last_modified[64];  /* as S3 sent it (an HTTP date) */
  char checksum_crc64nvme[32]; /* base64, when the object has one */
} s3fcp_object_info;
/* S3FCP_ERR_NOT_FOUND for a missing object. `version_id` may be NULL. */
S3FCP_API int s3fcp_head(s3fcp_client* client, const char* bucket, const char* key, const char* version_id,
                         s3fcp_object_info* info, s3fcp_cancel_token* cancel, s3fcp_error* err);

typedef struct s3fcp_list_entry {
  const char* key;
  uint64_t size;
  const char* etag;
  const char* last_modified;  /* ISO 8601, as S3 sent it */
  const char* storage_class;
} s3fcp_list_entry;
/* Called once per page (up to 1,000 keys, in key order) on the calling thread; return 0 to go on, non-zero to
 * stop (the call then returns S3FCP_OK). */
typedef int (*s3fcp_list_fn)(void* user, const s3fcp_list_entry* entries, size_t count);
S3FCP_API int s3fcp_list(s3fcp_client* client, const char* bucket, const char* prefix, s3fcp_list_fn page,
                         void* user, s3fcp_cancel_token* cancel, s3fcp_error* err);

/* DeleteObject (of `version_id` if not NULL). Deleting a missing key succeeds, as on S3. */
S3FCP_API int s3fcp_delete(s3fcp_client* client, const char* bucket, const char* key, const char* version_id,
                           s3fcp_cancel_token* cancel, s3fcp_error* err);

/* A copy made by S3 itself: src_bucket/src_key (its version `src_version_id` if not NULL) to dst_bucket/dst_key,
 * the bytes never passing through here. The source's metadata and tags are kept. Up to 5 GiB it is one CopyObject;
 * larger, a multipart copy in parts of 128 MiB (UploadPartCopy, in parallel), aborted if it fails or is cancelled.
 * Every request is pinned to the source's ETag as its HEAD found it: a source replaced meanwhile is
 * S3FCP_ERR_CHANGED. Where the source has a full-object checksum, the copy's must equal it (S3FCP_ERR_CHECKSUM).
 * Since 0.5.0 */
S3FCP_API int s3fcp_copy(s3fcp_client* client, const char* src_bucket, const char* src_key,
                         const char* src_version_id, const char* dst_bucket, const char* dst_key,
                         s3fcp_cancel_token* cancel, s3fcp_error* err);

#ifdef __cplusplus
}
#endif

#endif /* S3FCP_S3FCP_H */
