//go:build cgo && !nos3fcp

package objstore

/*
#include <stddef.h>
#include <stdint.h>
*/
import "C"

import (
	"context"
	"io"
	"runtime/cgo"
	"unsafe"
)

// The library's callbacks run on its own threads, one at a time per call. A panic must not unwind through C
// frames: it is caught here and raised again on the caller's goroutine once the call returned.

type writeState struct {
	w     io.Writer
	n     int64
	err   error // w's error: it stopped the transfer
	panic interface{}
}

type readState struct {
	ctx   context.Context
	r     io.Reader
	eof   bool
	err   error // r's error (not io.EOF): it stopped the transfer
	panic interface{}
}

func (s *writeState) rethrow() {
	if s.panic != nil {
		panic(s.panic)
	}
}

func (s *readState) rethrow() {
	if s.panic != nil {
		panic(s.panic)
	}
}

// objstoreWrite is the s3fcp_write_fn: data is the library's, valid during this call only.
//
//export objstoreWrite
func objstoreWrite(handle C.uintptr_t, data unsafe.Pointer, size C.size_t) (rc C.int) {
	st := cgo.Handle(handle).Value().(*writeState)
	defer func() {
		if p := recover(); p != nil {
			st.panic, rc = p, 1
		}
	}()
	if size == 0 {
		return 0
	}
	p := unsafe.Slice((*byte)(data), int(size))
	n, err := st.w.Write(p)
	st.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil {
		st.err = err
		return 1
	}
	return 0
}

// objstoreRead is the s3fcp_read_fn: it fills the library's buffer as far as r allows, so that a large buffer
// costs few crossings. Returning 0 means the end, so a cancelled ctx must return -1, never a short 0.
//
//export objstoreRead
func objstoreRead(handle C.uintptr_t, buffer unsafe.Pointer, capacity C.size_t) (rc C.long) {
	st := cgo.Handle(handle).Value().(*readState)
	defer func() {
		if p := recover(); p != nil {
			st.panic, rc = p, -1
		}
	}()
	if st.eof || capacity == 0 {
		return 0
	}
	p := unsafe.Slice((*byte)(buffer), int(capacity))
	n, empty := 0, 0
	for n < len(p) {
		if st.ctx.Err() != nil {
			return -1 // the token's cancel follows (or came first): the call returns S3FCP_ERR_CANCELLED or _IO
		}
		m, err := st.r.Read(p[n:])
		n += m
		if err == io.EOF {
			st.eof = true
			break
		}
		if err != nil {
			st.err = err
			return -1
		}
		if m == 0 {
			if empty++; empty >= 100 {
				st.err = io.ErrNoProgress
				return -1
			}
		}
	}
	return C.long(n)
}

// getBuffer collects a small GetObject's bytes in a Go slice (the library hands a whole object of at most wholeHint
// bytes over in one write, after its checksum checked out).
type getBuffer struct {
	buf []byte
}

func (g *getBuffer) Write(p []byte) (int, error) {
	// append to nil allocates exactly and does not clear what it then copies over (make would clear it first).
	g.buf = append(g.buf, p...)
	return len(p), nil
}

// bytes returns the object's bytes.
func (g *getBuffer) bytes() []byte {
	if g.buf == nil {
		return []byte{} // an empty object, as the SDK backend returns it
	}
	return g.buf
}
