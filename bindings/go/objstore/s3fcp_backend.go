//go:build cgo && !nos3fcp

package objstore

/*
#cgo pkg-config: s3fcp
#include <stdlib.h>
#include <s3fcp/s3fcp.h>

// s3fcp_bridge.c: the library's callbacks, calling objstoreWrite and objstoreRead below with the user pointer.
int objstore_get_to_go(s3fcp_client* client, const char* bucket, const char* key, const s3fcp_get_options* options,
                       uintptr_t handle, uint64_t* bytes, s3fcp_cancel_token* cancel, s3fcp_error* err);
int objstore_put_from_go(s3fcp_client* client, const char* bucket, const char* key, uintptr_t handle,
                         const s3fcp_put_options* options, s3fcp_cancel_token* cancel, s3fcp_error* err);
*/
import "C"

import (
	"context"
	"io"
	"runtime/cgo"
	"strings"
	"sync"
	"unsafe"
)

// Memory and ownership across the boundary:
//   - Strings (bucket, key, region, endpoint) are C.CString copies this file allocates and frees; the library copies
//     what it keeps before a call returns. The bucket's copy lives as long as the client.
//   - PutObject passes the slice's own memory, not a copy: cgo lets C use Go memory that holds no Go pointers for
//     the duration of a call, and s3fcp_put_from_buffer reads it (from its threads) only until it returns.
//   - Bytes the library hands to the write callback are valid during that callback only: GetObject copies them
//     into a Go slice, GetObjectTo passes them to w.Write, which must not keep them (io.Writer's contract).
//   - A large GetObject passes a slice of the object's size to s3fcp_get_into_buffer, whose threads copy the ranges
//     into it at their offsets until the call returns (the same rule as PutObject's slice).
//   - The read callback fills the library's buffer in place (no Go memory reaches C).
//   - Per-call Go state reaches the callbacks as a runtime/cgo.Handle, deleted when the call returns.
//   - s3fcp_error is filled in Go memory (fixed arrays): nothing to free. No call here uses s3fcp_get_to_buffer,
//     so nothing the library allocates for the caller reaches Go.
//   - The client and each call's cancel token are freed exactly once, after every call using them returned.

// wholeHint: GetObject first asks for an object of at most this size, read in one GET into the library's memory and
// copied out through the write callback. A larger object comes back as S3FCP_ERR_TOO_LARGE with its size, and is
// then read in parallel ranges straight into a slice of that size (s3fcp_get_into_buffer): no window, no regrowing.
const wholeHint = 8 << 20

// codeTooLarge is S3FCP_ERR_TOO_LARGE: GetObject handles it, so it is not one of the Codes callers see.
const codeTooLarge Code = C.S3FCP_ERR_TOO_LARGE

type s3fcpBackend struct {
	mu     sync.RWMutex // held shared by calls, exclusively by Close (s3fcp_client_free waits for no call)
	client *C.s3fcp_client
	bucket *C.char
}

func newS3FCPBackend(cfg *Config) (Backend, error) {
	var cc C.s3fcp_config
	C.s3fcp_config_init(&cc)
	var strs []*C.char
	defer func() {
		for _, s := range strs {
			C.free(unsafe.Pointer(s))
		}
	}()
	cstr := func(s string) *C.char {
		if s == "" {
			return nil
		}
		p := C.CString(s)
		strs = append(strs, p)
		return p
	}
	for _, s := range []string{cfg.Bucket, cfg.Region, cfg.Endpoint} {
		if strings.IndexByte(s, 0) >= 0 {
			return nil, &Error{Code: CodeUsage, Op: "new", Message: "a NUL byte in Bucket, Region or Endpoint"}
		}
	}
	cc.region = cstr(cfg.Region)
	cc.endpoint_url = cstr(cfg.Endpoint)
	if cfg.UsePathStyle {
		cc.addressing = C.S3FCP_ADDRESSING_PATH
	}
	if cfg.Anonymous {
		cc.anonymous = 1
	}
	cc.concurrency = C.uint32_t(cfg.Concurrency)
	cc.part_size = C.uint64_t(cfg.PartSize)
	var cerr C.s3fcp_error
	client := C.s3fcp_client_new(&cc, &cerr)
	if client == nil {
		return nil, cError(context.Background(), "new", "", &cerr, nil)
	}
	return &s3fcpBackend{client: client, bucket: C.CString(cfg.Bucket)}, nil
}

// call runs one library call with the backend held open, key as a C string and a cancel token tied to ctx.
func (b *s3fcpBackend) call(ctx context.Context, op, key string,
	fn func(ckey *C.char, cancel *C.s3fcp_cancel_token, cerr *C.s3fcp_error) C.int, ioErr func() error) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.client == nil {
		return &Error{Code: CodeUsage, Op: op, Key: key, Message: "backend closed"}
	}
	if err := checkKey(op, key); err != nil {
		return err
	}
	if ctx.Err() != nil {
		return cancelled(ctx, op, key)
	}
	ckey := C.CString(key)
	defer C.free(unsafe.Pointer(ckey))
	token, release := watchCancel(ctx)
	var cerr C.s3fcp_error
	rc := fn(ckey, token, &cerr)
	release()
	if rc == C.S3FCP_OK {
		return nil
	}
	if cerr.code == 0 { // not expected: the return value and err.code agree
		cerr.code = rc
	}
	var cause error
	if ioErr != nil {
		cause = ioErr()
	}
	return cError(ctx, op, key, &cerr, cause)
}

// watchCancel returns a token that is cancelled when ctx is done, and the function that ends the watch and frees
// the token once the call returned. A ctx that can never be done gets no token.
func watchCancel(ctx context.Context) (*C.s3fcp_cancel_token, func()) {
	if ctx.Done() == nil {
		return nil, func() {}
	}
	token := C.s3fcp_cancel_new()
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		select {
		case <-ctx.Done():
			C.s3fcp_cancel(token)
		case <-done:
		}
	}()
	return token, func() {
		close(done)
		<-exited // the watcher no longer touches the token
		C.s3fcp_cancel_free(token)
	}
}

func (b *s3fcpBackend) getOptions() C.s3fcp_get_options {
	var o C.s3fcp_get_options
	C.s3fcp_get_options_init(&o)
	if !verifyChecksum {
		o.verify_checksum = 0
	}
	return o
}

func (b *s3fcpBackend) GetObject(ctx context.Context, key string) ([]byte, error) {
	gb := &getBuffer{}
	st := &writeState{w: gb}
	size, err := b.get(ctx, key, st, wholeHint)
	if err == nil {
		return gb.bytes(), nil
	}
	// Larger than wholeHint: read it into a slice of its size. An object that grows meanwhile comes back as
	// TooLarge again, with its new size; one that keeps growing is reported as changed.
	for tries := 0; isTooLarge(err) && tries < 3; tries++ {
		buf := make([]byte, size)
		size, err = b.getInto(ctx, key, buf)
		if err == nil {
			return buf[:size], nil
		}
	}
	if isTooLarge(err) {
		e := err.(*Error)
		e.Code, e.Message = CodeChanged, "the object kept growing while it was read: "+e.Message
	}
	return nil, err
}

func isTooLarge(err error) bool {
	e, ok := err.(*Error)
	return ok && e.Code == codeTooLarge
}

func (b *s3fcpBackend) GetObjectTo(ctx context.Context, key string, w io.Writer) (int64, error) {
	st := &writeState{w: w}
	_, err := b.get(ctx, key, st, 0)
	return st.n, err
}

// get runs s3fcp_get_to_callback into st.w, for an object of at most maxSize bytes when that is not 0; it returns
// the library's *bytes (the object's size after TooLarge).
func (b *s3fcpBackend) get(ctx context.Context, key string, st *writeState, maxSize uint64) (int64, error) {
	h := cgo.NewHandle(st)
	defer h.Delete()
	opts := b.getOptions()
	opts.max_size = C.uint64_t(maxSize)
	var bytes C.uint64_t
	err := b.call(ctx, "get", key, func(ckey *C.char, cancel *C.s3fcp_cancel_token, cerr *C.s3fcp_error) C.int {
		return C.objstore_get_to_go(b.client, b.bucket, ckey, &opts, C.uintptr_t(h), &bytes, cancel, cerr)
	}, func() error { return st.err })
	st.rethrow()
	return int64(bytes), err
}

// getInto runs s3fcp_get_into_buffer into buf; it returns the object's size (also after TooLarge).
func (b *s3fcpBackend) getInto(ctx context.Context, key string, buf []byte) (int64, error) {
	var p unsafe.Pointer
	if len(buf) > 0 {
		p = unsafe.Pointer(&buf[0])
	}
	opts := b.getOptions()
	var size C.uint64_t
	err := b.call(ctx, "get", key, func(ckey *C.char, cancel *C.s3fcp_cancel_token, cerr *C.s3fcp_error) C.int {
		return C.s3fcp_get_into_buffer(b.client, b.bucket, ckey, &opts, p, C.size_t(len(buf)), &size, cancel, cerr)
	}, nil)
	return int64(size), err
}

func (b *s3fcpBackend) PutObject(ctx context.Context, key string, data []byte) error {
	var p unsafe.Pointer
	if len(data) > 0 {
		p = unsafe.Pointer(&data[0])
	}
	var opts C.s3fcp_put_options
	C.s3fcp_put_options_init(&opts)
	return b.call(ctx, "put", key, func(ckey *C.char, cancel *C.s3fcp_cancel_token, cerr *C.s3fcp_error) C.int {
		return C.s3fcp_put_from_buffer(b.client, b.bucket, ckey, p, C.size_t(len(data)), &opts, cancel, cerr)
	}, nil)
}

func (b *s3fcpBackend) PutObjectFrom(ctx context.Context, key string, r io.Reader) error {
	st := &readState{ctx: ctx, r: r}
	h := cgo.NewHandle(st)
	defer h.Delete()
	var opts C.s3fcp_put_options
	C.s3fcp_put_options_init(&opts)
	err := b.call(ctx, "put", key, func(ckey *C.char, cancel *C.s3fcp_cancel_token, cerr *C.s3fcp_error) C.int {
		return C.objstore_put_from_go(b.client, b.bucket, ckey, C.uintptr_t(h), &opts, cancel, cerr)
	}, func() error { return st.err })
	st.rethrow()
	return err
}

func (b *s3fcpBackend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.client != nil {
		C.s3fcp_client_free(b.client)
		C.free(unsafe.Pointer(b.bucket))
		b.client, b.bucket = nil, nil
	}
	return nil
}

// cError converts the library's error; cause is the Go error behind an S3FCP_ERR_IO (a reader's or writer's).
func cError(ctx context.Context, op, key string, cerr *C.s3fcp_error, cause error) *Error {
	e := &Error{
		Code:      Code(cerr.code),
		S3Code:    C.GoString(&cerr.s3_code[0]),
		Message:   C.GoString(&cerr.message[0]),
		Status:    int(cerr.http_status),
		RequestID: C.GoString(&cerr.request_id[0]),
		Op:        op,
		Key:       key,
	}
	switch {
	case e.Code == CodeCancelled || (e.Code == CodeIO && cause == nil && ctx.Err() != nil):
		// A read callback that saw ctx done stops the upload before the token's cancel may have landed.
		e.Code, e.Err = CodeCancelled, ctx.Err()
		if e.Err == nil {
			e.Err = context.Canceled
		}
	case e.Code == CodeIO:
		e.Err = cause
	}
	return e
}

// The Code values are the library's: each index below is a compile error unless the two agree.
var _ = [1]struct{}{}[CodeOther-C.S3FCP_ERR_OTHER]
var _ = [1]struct{}{}[CodeUsage-C.S3FCP_ERR_USAGE]
var _ = [1]struct{}{}[CodeNotFound-C.S3FCP_ERR_NOT_FOUND]
var _ = [1]struct{}{}[CodeAuth-C.S3FCP_ERR_AUTH]
var _ = [1]struct{}{}[CodeChanged-C.S3FCP_ERR_CHANGED]
var _ = [1]struct{}{}[CodeNetwork-C.S3FCP_ERR_NETWORK]
var _ = [1]struct{}{}[CodeChecksum-C.S3FCP_ERR_CHECKSUM]
var _ = [1]struct{}{}[CodeIO-C.S3FCP_ERR_IO]
var _ = [1]struct{}{}[CodeRange-C.S3FCP_ERR_RANGE]
var _ = [1]struct{}{}[CodeExists-C.S3FCP_ERR_EXISTS]
var _ = [1]struct{}{}[CodeCancelled-C.S3FCP_ERR_CANCELLED]
