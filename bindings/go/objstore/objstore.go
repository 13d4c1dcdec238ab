package objstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Backend is an object store bound to one bucket. Its methods are safe for concurrent use.
type Backend interface {
	// GetObject returns the object's bytes.
	GetObject(ctx context.Context, key string) ([]byte, error)
	// PutObject stores data under key. data is read during the call only and must not change meanwhile.
	PutObject(ctx context.Context, key string, data []byte) error
	// GetObjectTo writes the object's bytes to w, in order, and returns how many were written.
	GetObjectTo(ctx context.Context, key string, w io.Writer) (int64, error)
	// PutObjectFrom stores everything r yields until io.EOF under key; the length need not be known.
	PutObjectFrom(ctx context.Context, key string, r io.Reader) error
	// Close releases the backend. Calls in flight are waited for; later calls fail.
	Close() error
}

// BackendType names an implementation.
type BackendType string

const (
	BackendAWSSDK BackendType = "aws-sdk-v2" // aws-sdk-go-v2 (feature/s3/manager for large objects)
	BackendS3FCP  BackendType = "s3fcp"      // libs3fcp through cgo
)

// Config configures NewBackend.
type Config struct {
	BackendType              BackendType // "" = BackendAWSSDK
	Bucket, Region, Endpoint string      // Region "": the environment's, else us-east-1; Endpoint "": AWS
	UsePathStyle             bool
	Anonymous                bool  // unsigned requests
	Concurrency              int   // 0 = the backend's default
	PartSize                 int64 // 0 = the backend's default
}

// NewBackend returns the backend cfg names.
func NewBackend(cfg *Config) (Backend, error) {
	if cfg == nil {
		return nil, &Error{Code: CodeUsage, Op: "new", Message: "nil Config"}
	}
	if cfg.Bucket == "" {
		return nil, &Error{Code: CodeUsage, Op: "new", Message: "no bucket"}
	}
	if cfg.Concurrency < 0 || cfg.PartSize < 0 {
		return nil, &Error{Code: CodeUsage, Op: "new", Message: "negative Concurrency or PartSize"}
	}
	switch cfg.BackendType {
	case BackendAWSSDK, "":
		return newSDKBackend(cfg)
	case BackendS3FCP:
		return newS3FCPBackend(cfg)
	}
	return nil, &Error{Code: CodeUsage, Op: "new", Message: fmt.Sprintf("unknown backend type %q", cfg.BackendType)}
}

// verifyChecksum is the s3fcp backend's verify_checksum for every download. Only the tests turn it off: moto 5.2
// stores an invalid CRC64NVME for multipart objects.
var verifyChecksum = true

// Code classifies an error. The values are libs3fcp's s3fcp_code (and s3fcp's exit codes); the SDK backend maps
// its errors into the same classes.
type Code int

const (
	CodeOther     Code = 1
	CodeUsage     Code = 2   // a bad argument: no bucket, a key with a NUL byte, a closed backend
	CodeNotFound  Code = 3   // NoSuchKey, NoSuchBucket, NoSuchVersion, NoSuchUpload
	CodeAuth      Code = 4   // access denied, no usable credentials
	CodeChanged   Code = 5   // the object changed during a download
	CodeNetwork   Code = 6   // retries exhausted: network, throttling, timeouts, 5xx
	CodeChecksum  Code = 7   // a checksum mismatch
	CodeIO        Code = 8   // the caller's reader or writer failed (Err holds its error)
	CodeRange     Code = 9   // a range past the end of the object
	CodeExists    Code = 10  // a conditional put found the key
	CodeCancelled Code = 130 // ctx was cancelled or timed out (Err holds ctx.Err())
)

var codeNames = map[Code]string{
	CodeOther: "Other", CodeUsage: "Usage", CodeNotFound: "NotFound", CodeAuth: "Auth", CodeChanged: "Changed",
	CodeNetwork: "Network", CodeChecksum: "Checksum", CodeIO: "IO", CodeRange: "Range", CodeExists: "Exists",
	CodeCancelled: "Cancelled",
}

func (c Code) String() string {
	if s, ok := codeNames[c]; ok {
		return s
	}
	return fmt.Sprintf("Code(%d)", int(c))
}

// Error is the error both backends return (errors.As finds it).
type Error struct {
	Code      Code
	S3Code    string // S3's error code ("NoSuchKey"), or ""
	Message   string // one line
	Status    int    // HTTP status, 0 when no answer was involved
	RequestID string // x-amz-request-id, or ""
	Op        string // "get", "put", "new", ...
	Key       string
	Err       error // the cause when it is a Go error: ctx.Err(), a reader's or writer's error, the SDK's error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("objstore: ")
	if e.Op != "" {
		b.WriteString(e.Op)
		if e.Key != "" {
			fmt.Fprintf(&b, " %q", e.Key)
		}
		b.WriteString(": ")
	}
	b.WriteString(e.Code.String())
	if e.S3Code != "" {
		b.WriteString(" " + e.S3Code)
	}
	if e.Status != 0 {
		fmt.Fprintf(&b, " (HTTP %d)", e.Status)
	}
	if e.Message != "" {
		b.WriteString(": " + oneLine(e.Message))
	}
	if e.RequestID != "" {
		b.WriteString(" [request id " + e.RequestID + "]")
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// IsNotFound reports whether err is an *Error with CodeNotFound.
func IsNotFound(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Code == CodeNotFound
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// checkKey refuses what no backend can send: an empty key (a GET of the bucket) or a NUL byte (C strings).
func checkKey(op, key string) error {
	if key == "" || strings.IndexByte(key, 0) >= 0 {
		return &Error{Code: CodeUsage, Op: op, Key: key, Message: "an empty key or a NUL byte in the key"}
	}
	return nil
}

// cancelled is the error of a call whose ctx is done.
func cancelled(ctx context.Context, op, key string) *Error {
	return &Error{Code: CodeCancelled, Op: op, Key: key, Message: ctx.Err().Error(), Err: ctx.Err()}
}

// ctxReader stops a read loop once ctx is done, so that a slow reader cannot hold a cancelled upload.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
	err error // the reader's own error (not io.EOF), kept to tell it from the backend's
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := c.r.Read(p)
	if err != nil && err != io.EOF && c.err == nil {
		c.err = err
	}
	return n, err
}

// recWriter keeps the first error of w.
type recWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (r *recWriter) Write(p []byte) (int, error) {
	n, err := r.w.Write(p)
	r.n += int64(n)
	if err == nil && n < len(p) {
		err = io.ErrShortWrite
	}
	if err != nil && r.err == nil {
		r.err = err
	}
	return n, err
}
