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
	"sync"
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

// getBuffer collects a GetObject's bytes in a Go slice. Past growHint it asks for the object's size once, and
// moves to a buffer of that size when the answer is in, instead of regrowing by copies up to the end.
type getBuffer struct {
	buf       []byte
	startHead func() *sizeHead // set by get: starts a HEAD beside the GET
	mu        sync.Mutex       // guards head: set on a library thread, read by get after the call
	head      *sizeHead
	sized     bool
}

func (g *getBuffer) Write(p []byte) (int, error) {
	need := len(g.buf) + len(p)
	if !g.sized && need > growHint {
		g.mu.Lock()
		if g.head == nil && g.startHead != nil {
			g.head = g.startHead()
		}
		h := g.head
		g.mu.Unlock()
		if h != nil {
			select {
			case <-h.done:
				g.sized = true
				if h.size >= int64(need) && h.size > int64(cap(g.buf)) {
					g.grow(int(h.size))
				}
			default:
			}
		}
	}
	if need > cap(g.buf) {
		// Doubling (append's growth is 1.25x for large slices: more copies of more bytes).
		c := 2 * cap(g.buf)
		if c < need {
			c = need
		}
		if c < 64<<10 {
			c = 64 << 10
		}
		g.grow(c)
	}
	g.buf = append(g.buf, p...)
	return len(p), nil
}

func (g *getBuffer) grow(capacity int) {
	nb := make([]byte, len(g.buf), capacity)
	copy(nb, g.buf)
	g.buf = nb
}

// bytes returns the object's bytes, trimmed when doubling left much more room than a small object needs.
func (g *getBuffer) bytes() []byte {
	if g.buf == nil {
		return []byte{} // an empty object, as the SDK backend returns it
	}
	if len(g.buf) <= growHint && cap(g.buf)-len(g.buf) > len(g.buf)/8 {
		return append([]byte(nil), g.buf...)
	}
	return g.buf
}

// waitHead waits for the HEAD, if one was started.
func (g *getBuffer) waitHead() {
	g.mu.Lock()
	h := g.head
	g.mu.Unlock()
	if h != nil {
		<-h.done
	}
}
