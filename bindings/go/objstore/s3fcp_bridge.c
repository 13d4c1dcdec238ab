//go:build cgo && !nos3fcp

// The library's callbacks for s3fcp_backend.go: the user pointer carries a runtime/cgo.Handle (an integer that
// Go maps back to the call's state), so no Go pointer is ever held by C.
#include <s3fcp/s3fcp.h>

#include "_cgo_export.h"

static int write_to_go(void* user, const void* data, size_t size) {
  return objstoreWrite((uintptr_t)user, (void*)data, size);
}

static long read_from_go(void* user, void* buffer, size_t capacity) {
  return objstoreRead((uintptr_t)user, buffer, capacity);
}

int objstore_get_to_go(s3fcp_client* client, const char* bucket, const char* key, const s3fcp_get_options* options,
                       uintptr_t handle, uint64_t* bytes, s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return s3fcp_get_to_callback(client, bucket, key, options, write_to_go, (void*)handle, bytes, cancel, err);
}

int objstore_put_from_go(s3fcp_client* client, const char* bucket, const char* key, uintptr_t handle,
                         const s3fcp_put_options* options, s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return s3fcp_put_from_callback(client, bucket, key, read_from_go, (void*)handle, options, cancel, err);
}
