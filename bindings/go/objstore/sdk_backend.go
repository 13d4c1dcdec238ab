package objstore

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// sdkBackend is the plan's current backend: aws-sdk-go-v2's s3.Client, with feature/s3/manager for objects
// larger than one part (Downloader into a buffer sized from the first response, Uploader).
type sdkBackend struct {
	bucket     string
	client     *s3.Client
	idle       interface{ CloseIdleConnections() } // the HTTP client, or nil
	downloader *manager.Downloader
	uploader   *manager.Uploader
	downPart   int64 // objects up to this size are read in one GET
	upPart     int64 // and written in one PUT

	mu     sync.RWMutex // held shared by calls, exclusively by Close
	closed bool
}

func newSDKBackend(cfg *Config) (Backend, error) {
	opts := []func(*config.LoadOptions) error{}
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.Anonymous {
		opts = append(opts, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	}
	// The SDK's transport keeps 10 idle connections per host; a program running many transfers at once keeps more.
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = 256
		tr.MaxIdleConnsPerHost = 256
	})
	opts = append(opts, config.WithHTTPClient(hc))
	awsCfg, err := config.LoadDefaultConfig(context.Background(), opts...)
	if err != nil {
		return nil, sdkError(context.Background(), "new", "", err)
	}
	// Frozen (after the config applied AWS_CA_BUNDLE to it), so that Close can reach its connections.
	var idle interface{ CloseIdleConnections() }
	if bc, ok := awsCfg.HTTPClient.(*awshttp.BuildableClient); ok {
		frozen := bc.Freeze()
		awsCfg.HTTPClient = frozen
		idle, _ = frozen.(interface{ CloseIdleConnections() })
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		o.UsePathStyle = cfg.UsePathStyle
		if cfg.Endpoint != "" {
			o.EndpointResolver = s3.EndpointResolverFromURL(cfg.Endpoint, func(e *aws.Endpoint) {
				e.HostnameImmutable = cfg.UsePathStyle
				// Set here: left empty, this SDK's resolver fills it on every call, a data race between calls.
				e.SigningRegion = awsCfg.Region
			})
		}
	})
	b := &sdkBackend{bucket: cfg.Bucket, client: client, idle: idle,
		downPart: manager.DefaultDownloadPartSize, upPart: manager.DefaultUploadPartSize}
	if cfg.PartSize > 0 {
		b.downPart, b.upPart = cfg.PartSize, cfg.PartSize
	}
	b.downloader = manager.NewDownloader(client, func(d *manager.Downloader) {
		d.PartSize = b.downPart
		d.Concurrency = cfg.Concurrency // 0: the manager's default (5)
	})
	b.uploader = manager.NewUploader(client, func(u *manager.Uploader) {
		u.PartSize = b.upPart
		u.Concurrency = cfg.Concurrency
		// The manager aborts a failed upload with the call's ctx, which fails once ctx is cancelled and leaves the
		// upload behind; abortUpload does it with a context of its own instead.
		u.LeavePartsOnError = true
	})
	return b, nil
}

// begin holds the backend open for a call; end releases it.
func (b *sdkBackend) begin(ctx context.Context, op, key string) error {
	if err := checkKey(op, key); err != nil {
		return err
	}
	b.mu.RLock()
	if b.closed {
		b.mu.RUnlock()
		return &Error{Code: CodeUsage, Op: op, Key: key, Message: "backend closed"}
	}
	if ctx.Err() != nil {
		b.mu.RUnlock()
		return cancelled(ctx, op, key)
	}
	return nil
}

func (b *sdkBackend) end() { b.mu.RUnlock() }

func (b *sdkBackend) GetObject(ctx context.Context, key string) ([]byte, error) {
	if err := b.begin(ctx, "get", key); err != nil {
		return nil, err
	}
	defer b.end()
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		return nil, sdkError(ctx, "get", key, err)
	}
	size := out.ContentLength
	if size >= 0 && size <= b.downPart {
		defer out.Body.Close()
		buf := make([]byte, size)
		if _, err := io.ReadFull(out.Body, buf); err != nil {
			return nil, sdkError(ctx, "get", key, err)
		}
		return buf, nil
	}
	// A large object: the Downloader's ranged GETs, pinned to this version, into a buffer of the size just learnt.
	out.Body.Close()
	in := &s3.GetObjectInput{Bucket: &b.bucket, Key: &key, IfMatch: out.ETag}
	if size < 0 {
		size = 0 // no length given: the buffer grows
	}
	buf := manager.NewWriteAtBuffer(make([]byte, 0, size))
	n, err := b.downloader.Download(ctx, buf, in)
	if err != nil {
		return nil, sdkError(ctx, "get", key, err)
	}
	return buf.Bytes()[:n], nil
}

func (b *sdkBackend) GetObjectTo(ctx context.Context, key string, w io.Writer) (int64, error) {
	if err := b.begin(ctx, "get", key); err != nil {
		return 0, err
	}
	defer b.end()
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: &b.bucket, Key: &key})
	if err != nil {
		return 0, sdkError(ctx, "get", key, err)
	}
	defer out.Body.Close()
	rw := &recWriter{w: w}
	_, err = io.Copy(rw, out.Body)
	if rw.err != nil {
		return rw.n, &Error{Code: CodeIO, Op: "get", Key: key, Message: "write: " + rw.err.Error(), Err: rw.err}
	}
	if err != nil {
		return rw.n, sdkError(ctx, "get", key, err)
	}
	return rw.n, nil
}

func (b *sdkBackend) PutObject(ctx context.Context, key string, data []byte) error {
	if err := b.begin(ctx, "put", key); err != nil {
		return err
	}
	defer b.end()
	if int64(len(data)) <= b.upPart {
		_, err := b.client.PutObject(ctx, &s3.PutObjectInput{Bucket: &b.bucket, Key: &key,
			Body: bytes.NewReader(data), ContentLength: int64(len(data))})
		if err != nil {
			return sdkError(ctx, "put", key, err)
		}
		return nil
	}
	return b.upload(ctx, key, bytes.NewReader(data), nil)
}

func (b *sdkBackend) PutObjectFrom(ctx context.Context, key string, r io.Reader) error {
	if err := b.begin(ctx, "put", key); err != nil {
		return err
	}
	defer b.end()
	cr := &ctxReader{ctx: ctx, r: r} // only Read: the Uploader must not take it for a seekable source
	return b.upload(ctx, key, cr, cr)
}

func (b *sdkBackend) upload(ctx context.Context, key string, body io.Reader, cr *ctxReader) error {
	_, err := b.uploader.Upload(ctx, &s3.PutObjectInput{Bucket: &b.bucket, Key: &key, Body: body})
	if err == nil {
		return nil
	}
	var mu manager.MultiUploadFailure
	if errors.As(err, &mu) && mu.UploadID() != "" {
		b.abortUpload(key, mu.UploadID())
	}
	if cr != nil && cr.err != nil {
		return &Error{Code: CodeIO, Op: "put", Key: key, Message: "read: " + cr.err.Error(), Err: cr.err}
	}
	return sdkError(ctx, "put", key, err)
}

// abortUpload aborts a failed multipart upload with its own deadline: the call's ctx may be cancelled already.
func (b *sdkBackend) abortUpload(key, uploadID string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, _ = b.client.AbortMultipartUpload(ctx, &s3.AbortMultipartUploadInput{Bucket: &b.bucket, Key: &key,
		UploadId: &uploadID})
}

func (b *sdkBackend) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if !b.closed {
		b.closed = true
		if b.idle != nil {
			b.idle.CloseIdleConnections()
		}
	}
	return nil
}

// sdkError maps an SDK error into the classes of libs3fcp's codes.
func sdkError(ctx context.Context, op, key string, err error) *Error {
	e := &Error{Code: CodeOther, Op: op, Key: key, Message: err.Error(), Err: err}
	if ctx.Err() != nil || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		e.Code = CodeCancelled
		if ctx.Err() != nil {
			e.Err = ctx.Err()
		}
		e.Message = e.Err.Error()
		return e
	}
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		e.Status = re.HTTPStatusCode()
		e.RequestID = re.ServiceRequestID()
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		e.S3Code = ae.ErrorCode()
		e.Message = ae.ErrorMessage() // often empty (a HEAD, or a GET's error body as the SDK reads it): the code says it
	}
	if c, ok := s3CodeClass[e.S3Code]; ok {
		e.Code = c
		return e
	}
	switch {
	case e.Status == 404:
		e.Code = CodeNotFound
	case e.Status == 401 || e.Status == 403:
		e.Code = CodeAuth
	case e.Status == 412:
		e.Code = CodeChanged
	case e.Status == 416:
		e.Code = CodeRange
	case e.Status == 429 || e.Status >= 500:
		e.Code = CodeNetwork
	case e.Status == 0 && isNetwork(err):
		e.Code = CodeNetwork
	}
	var pe smithy.InvalidParamsError
	if errors.As(err, &pe) {
		e.Code = CodeUsage
	}
	return e
}

var s3CodeClass = map[string]Code{
	"NoSuchKey": CodeNotFound, "NoSuchBucket": CodeNotFound, "NoSuchVersion": CodeNotFound,
	"NoSuchUpload": CodeNotFound, "NotFound": CodeNotFound,
	"AccessDenied": CodeAuth, "InvalidAccessKeyId": CodeAuth, "SignatureDoesNotMatch": CodeAuth,
	"ExpiredToken": CodeAuth, "InvalidToken": CodeAuth, "AllAccessDisabled": CodeAuth,
	// This backend sends no If-None-Match; its only precondition is the Downloader's If-Match.
	"PreconditionFailed": CodeChanged,
	"InvalidRange":       CodeRange,
	"SlowDown":           CodeNetwork, "InternalError": CodeNetwork, "ServiceUnavailable": CodeNetwork,
	"RequestTimeout": CodeNetwork,
}

func isNetwork(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}
