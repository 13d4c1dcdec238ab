package objstore

// The tests run every method of both backends against moto_server through the same cases. The endpoint is
// S3FCP_TEST_ENDPOINT when set (path-style, any credentials), else a moto_server started here on a free port (it
// must be on PATH). A backend that is not built (the nos3fcp tag) is skipped.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const mib = 1 << 20

var (
	testEndpoint string
	testBucket   = fmt.Sprintf("objstore-test-%d", time.Now().UnixNano()%1e9)
	motoCmd      *exec.Cmd
	motoExited   chan struct{} // closed when motoCmd has been waited for
	setupOnce    sync.Once
	setupErr     error
)

func TestMain(m *testing.M) {
	// Never reach for instance metadata or a proxy; moto takes any credentials.
	for k, v := range map[string]string{"AWS_EC2_METADATA_DISABLED": "true", "AWS_ACCESS_KEY_ID": "testing",
		"AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1"} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3",
		"http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "all_proxy"} {
		os.Unsetenv(k)
	}
	code := m.Run()
	if motoCmd != nil {
		motoCmd.Process.Kill()
		<-motoExited
	}
	os.Exit(code)
}

// setup starts moto (once) unless S3FCP_TEST_ENDPOINT is given, and creates the test bucket.
func setup(t testing.TB) {
	verifyChecksum = false // moto's CRC64NVME of a multipart object is wrong (benchmarks keep it on)
	setupOnce.Do(func() {
		testEndpoint = os.Getenv("S3FCP_TEST_ENDPOINT")
		if testEndpoint == "" {
			testEndpoint, setupErr = startMoto()
			if setupErr != nil {
				return
			}
		}
		client := sdkClient(t)
		_, setupErr = client.CreateBucket(context.Background(), &s3.CreateBucketInput{Bucket: &testBucket})
	})
	if setupErr != nil {
		t.Fatalf("test endpoint: %v", setupErr)
	}
}

func startMoto() (string, error) {
	if _, err := exec.LookPath("moto_server"); err != nil {
		return "", fmt.Errorf("moto_server not on PATH (pip install 'moto[server]'), and S3FCP_TEST_ENDPOINT not set")
	}
	var lastErr error
	for attempt := 0; attempt < 3; attempt++ { // a free port can be taken before moto binds it
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return "", err
		}
		port := l.Addr().(*net.TCPAddr).Port
		l.Close()
		cmd := exec.Command("moto_server", "-H", "127.0.0.1", "-p", fmt.Sprint(port))
		if err := cmd.Start(); err != nil {
			return "", err
		}
		exited := make(chan struct{})
		go func() { cmd.Wait(); close(exited) }()
		url := fmt.Sprintf("http://127.0.0.1:%d", port)
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
			if resp, err := http.Get(url + "/moto-api/"); err == nil {
				resp.Body.Close()
				motoCmd, motoExited = cmd, exited
				return url, nil
			}
			select {
			case <-exited:
				deadline = time.Time{}
			case <-time.After(50 * time.Millisecond):
			}
		}
		cmd.Process.Kill()
		<-exited
		lastErr = fmt.Errorf("moto_server on port %d did not come up", port)
	}
	return "", lastErr
}

func testConfig(bt BackendType) *Config {
	return &Config{BackendType: bt, Bucket: testBucket, Region: "us-east-1", Endpoint: testEndpoint, UsePathStyle: true}
}

// sdkClient is a plain SDK client on the test endpoint, for checks behind the backends' backs.
func sdkClient(t testing.TB) *s3.Client {
	b, err := NewBackend(testConfig(BackendAWSSDK))
	if err != nil {
		t.Fatal(err)
	}
	return b.(*sdkBackend).client
}

var backendTypes = []BackendType{BackendAWSSDK, BackendS3FCP}

// forEachBackend runs fn as a subtest per backend, with a fresh backend closed afterwards.
func forEachBackend(t *testing.T, fn func(t *testing.T, b Backend)) {
	setup(t)
	for _, bt := range backendTypes {
		t.Run(string(bt), func(t *testing.T) {
			b := newTestBackend(t, bt)
			defer b.Close()
			fn(t, b)
		})
	}
}

func newTestBackend(t testing.TB, bt BackendType) Backend {
	b, err := NewBackend(testConfig(bt))
	if err != nil {
		if strings.Contains(err.Error(), "built without libs3fcp") {
			t.Skip(err)
		}
		t.Fatal(err)
	}
	return b
}

func testData(size int) []byte {
	p := make([]byte, size)
	rand.New(rand.NewSource(int64(size))).Read(p)
	return p
}

var testSizes = []int{0, 1, 5*mib + 1, 50 * mib}

// onlyReader hides every method but Read (no Len, Seek, WriterTo): a stream of unknown length, handed out in
// pieces of varying size as a pipe would.
type onlyReader struct {
	data []byte
	rnd  *rand.Rand
}

func newOnlyReader(data []byte) *onlyReader {
	return &onlyReader{data: data, rnd: rand.New(rand.NewSource(1))}
}

func (r *onlyReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, io.EOF
	}
	n := 1 + r.rnd.Intn(256<<10)
	if n > len(p) {
		n = len(p)
	}
	n = copy(p[:n], r.data)
	r.data = r.data[n:]
	return n, nil
}

func key(t *testing.T, suffix string) string {
	return "test/" + strings.ReplaceAll(t.Name(), "/", "-") + "/" + suffix
}

func checkBytes(t *testing.T, what string, got, want []byte) {
	t.Helper()
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: got %d bytes, want %d (contents differ: %v)", what, len(got), len(want), len(got) == len(want))
	}
}

// wantError checks that err is an *Error of the code, found by errors.As through any wrapping.
func wantError(t *testing.T, err error, code Code) *Error {
	t.Helper()
	var e *Error
	if !errors.As(fmt.Errorf("wrapped: %w", err), &e) {
		t.Fatalf("want an *objstore.Error of code %v, got %T: %v", code, err, err)
	}
	if e.Code != code {
		t.Fatalf("want code %v, got %v: %v", code, e.Code, e)
	}
	if strings.Contains(e.Error(), "\n") {
		t.Errorf("Error() is not one line: %q", e.Error())
	}
	return e
}

func TestRoundTrip(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		for _, size := range testSizes {
			data := testData(size)
			put := map[string]func(ctx context.Context, k string) error{
				"PutObject":     func(ctx context.Context, k string) error { return b.PutObject(ctx, k, data) },
				"PutObjectFrom": func(ctx context.Context, k string) error { return b.PutObjectFrom(ctx, k, newOnlyReader(data)) },
			}
			for _, method := range []string{"PutObject", "PutObjectFrom"} {
				method := method
				t.Run(fmt.Sprintf("%d/%s", size, method), func(t *testing.T) {
					ctx := context.Background()
					k := key(t, "obj")
					if err := put[method](ctx, k); err != nil {
						t.Fatalf("%s: %v", method, err)
					}
					got, err := b.GetObject(ctx, k)
					if err != nil {
						t.Fatalf("GetObject: %v", err)
					}
					checkBytes(t, "GetObject", got, data)
					var buf bytes.Buffer
					n, err := b.GetObjectTo(ctx, k, &buf)
					if err != nil {
						t.Fatalf("GetObjectTo: %v", err)
					}
					if n != int64(size) {
						t.Errorf("GetObjectTo returned n=%d, want %d", n, size)
					}
					checkBytes(t, "GetObjectTo", buf.Bytes(), data)
				})
			}
		}
	})
}

func TestMissingKey(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		ctx := context.Background()
		_, err := b.GetObject(ctx, "test/no-such-key")
		e := wantError(t, err, CodeNotFound)
		if e.S3Code != "NoSuchKey" || e.Status != 404 {
			t.Errorf("GetObject: want NoSuchKey (404), got %q (%d): %v", e.S3Code, e.Status, e)
		}
		if !IsNotFound(err) {
			t.Errorf("IsNotFound is false for %v", err)
		}
		var buf bytes.Buffer
		n, err := b.GetObjectTo(ctx, "test/no-such-key", &buf)
		e = wantError(t, err, CodeNotFound)
		if e.S3Code != "NoSuchKey" || n != 0 || buf.Len() != 0 {
			t.Errorf("GetObjectTo: want NoSuchKey and nothing written, got %q, n=%d, %d bytes", e.S3Code, n, buf.Len())
		}
	})
}

func TestNoSuchBucket(t *testing.T) {
	setup(t)
	for _, bt := range backendTypes {
		t.Run(string(bt), func(t *testing.T) {
			cfg := testConfig(bt)
			cfg.Bucket = "objstore-no-such-bucket"
			b, err := NewBackend(cfg)
			if err != nil {
				newTestBackend(t, bt) // skips an unbuilt backend
				t.Fatal(err)
			}
			defer b.Close()
			_, err = b.GetObject(context.Background(), "k")
			if e := wantError(t, err, CodeNotFound); e.S3Code != "NoSuchBucket" {
				t.Errorf("want NoSuchBucket, got %v", e)
			}
		})
	}
}

func TestCancelledBefore(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		k := key(t, "never")
		start := time.Now()
		_, err := b.GetObject(ctx, k)
		wantError(t, err, CodeCancelled)
		_, err = b.GetObjectTo(ctx, k, io.Discard)
		wantError(t, err, CodeCancelled)
		err = b.PutObject(ctx, k, []byte("x"))
		wantError(t, err, CodeCancelled)
		err = b.PutObjectFrom(ctx, k, strings.NewReader("x"))
		wantError(t, err, CodeCancelled)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("errors.Is(err, context.Canceled) is false: %v", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("four calls on a cancelled ctx took %v", d)
		}
		_, err = b.GetObject(context.Background(), k)
		wantError(t, err, CodeNotFound)
	})
}

// slowReader yields size bytes in 256 KiB pieces, one per tick, and calls atByte once it has handed out that many.
type slowReader struct {
	left, done, at int
	atByte         func()
	tick           time.Duration
}

func (r *slowReader) Read(p []byte) (int, error) {
	if r.left == 0 {
		return 0, io.EOF
	}
	if r.done >= r.at && r.atByte != nil {
		r.atByte()
		r.atByte = nil
	}
	time.Sleep(r.tick)
	n := 256 << 10
	if n > len(p) {
		n = len(p)
	}
	if n > r.left {
		n = r.left
	}
	for i := range p[:n] {
		p[i] = byte(r.done + i)
	}
	r.left -= n
	r.done += n
	return n, nil
}

// checkNoUpload fails if key exists or has a multipart upload in progress.
func checkNoUpload(t *testing.T, k string) {
	t.Helper()
	client := sdkClient(t)
	out, err := client.ListMultipartUploads(context.Background(), &s3.ListMultipartUploadsInput{Bucket: &testBucket})
	if err != nil {
		t.Fatalf("ListMultipartUploads: %v", err)
	}
	for _, u := range out.Uploads {
		if u.Key != nil && *u.Key == k {
			t.Errorf("a multipart upload of %s is left: %s", k, *u.UploadId)
		}
	}
	if _, err := client.HeadObject(context.Background(), &s3.HeadObjectInput{Bucket: &testBucket, Key: &k}); err == nil {
		t.Errorf("%s exists after a failed upload", k)
	}
}

func TestCancelDuringUpload(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		k := key(t, "cancelled")
		// 50 MiB at 256 KiB per 5 ms (~50 MB/s); cancelled at 20 MiB, when parts are in flight.
		var cancelledAt time.Time
		r := &slowReader{left: 50 * mib, at: 20 * mib, tick: 5 * time.Millisecond,
			atByte: func() { cancelledAt = time.Now(); cancel() }}
		err := b.PutObjectFrom(ctx, k, r)
		wantError(t, err, CodeCancelled)
		if !errors.Is(err, context.Canceled) {
			t.Errorf("errors.Is(err, context.Canceled) is false: %v", err)
		}
		if cancelledAt.IsZero() {
			t.Fatal("the call returned before the cancel")
		}
		if d := time.Since(cancelledAt); d > 10*time.Second {
			t.Errorf("the call returned %v after the cancel", d)
		}
		if r.done >= 40*mib {
			t.Errorf("the reader was drained to %d MiB after the cancel at 20 MiB", r.done/mib)
		}
		t.Logf("returned %v after the cancel, the reader at %d MiB", time.Since(cancelledAt).Round(time.Millisecond),
			r.done/mib)
		checkNoUpload(t, k)
	})
}

// TestDeadlineDuringTransfer cancels a 50 MiB PutObject and GetObject by a deadline in the middle. A transfer that
// beats the deadline on a fast machine is fine; one that fails must fail as Cancelled, leaving no upload.
func TestDeadlineDuringTransfer(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		data := testData(50 * mib)
		k := key(t, "obj")
		ctx, cancel := context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		err := b.PutObject(ctx, k, data)
		if err == nil {
			t.Logf("PutObject finished within the deadline")
		} else {
			wantError(t, err, CodeCancelled)
			if !errors.Is(err, context.DeadlineExceeded) {
				t.Errorf("errors.Is(err, context.DeadlineExceeded) is false: %v", err)
			}
			checkNoUpload(t, k)
			if err := b.PutObject(context.Background(), k, data); err != nil {
				t.Fatal(err)
			}
		}
		ctx, cancel = context.WithTimeout(context.Background(), 150*time.Millisecond)
		defer cancel()
		got, err := b.GetObject(ctx, k)
		if err == nil {
			checkBytes(t, "GetObject within the deadline", got, data)
		} else {
			wantError(t, err, CodeCancelled)
		}
	})
}

var errReader = errors.New("the reader failed")

type failingReader struct {
	r    io.Reader
	left int
}

func (f *failingReader) Read(p []byte) (int, error) {
	if f.left <= 0 {
		return 0, errReader
	}
	if len(p) > f.left {
		p = p[:f.left]
	}
	n, err := f.r.Read(p)
	f.left -= n
	return n, err
}

func TestReaderError(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		k := key(t, "failed")
		err := b.PutObjectFrom(context.Background(), k, &failingReader{r: newOnlyReader(testData(50 * mib)), left: 20 * mib})
		wantError(t, err, CodeIO)
		if !errors.Is(err, errReader) {
			t.Errorf("errors.Is(err, errReader) is false: %v", err)
		}
		checkNoUpload(t, k)
	})
}

var errWriter = errors.New("the writer failed")

// stopWriter fails, or cancels, once it has taken limit bytes.
type stopWriter struct {
	n, limit int
	cancel   func()
}

func (w *stopWriter) Write(p []byte) (int, error) {
	if w.n >= w.limit {
		if w.cancel == nil {
			return 0, errWriter
		}
		w.cancel()
		time.Sleep(10 * time.Millisecond) // a slow consumer: the cancel lands while bytes are still coming
	}
	w.n += len(p)
	return len(p), nil
}

func TestWriterErrorAndCancelDuringDownload(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		k := key(t, "obj")
		data := testData(50 * mib)
		_, err := sdkClient(t).PutObject(context.Background(), &s3.PutObjectInput{Bucket: &testBucket, Key: &k,
			Body: bytes.NewReader(data), ContentLength: int64(len(data))}) // the fixture in one PUT, by neither backend
		if err != nil {
			t.Fatal(err)
		}
		n, err := b.GetObjectTo(context.Background(), k, &stopWriter{limit: mib})
		wantError(t, err, CodeIO)
		if !errors.Is(err, errWriter) {
			t.Errorf("errors.Is(err, errWriter) is false: %v", err)
		}
		if n < mib || n >= 50*mib {
			t.Errorf("n=%d after a writer that failed past 1 MiB", n)
		}

		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		_, err = b.GetObjectTo(ctx, k, &stopWriter{limit: mib, cancel: cancel})
		wantError(t, err, CodeCancelled)

		ctx, cancel2 := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel2()
		time.Sleep(2 * time.Millisecond)
		_, err = b.GetObject(ctx, k)
		wantError(t, err, CodeCancelled)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("errors.Is(err, context.DeadlineExceeded) is false: %v", err)
		}
	})
}

func TestConcurrentUse(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := 0; i < 16; i++ {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				k := fmt.Sprintf("%s-%d", key(t, "c"), i)
				data := testData(mib + i)
				if err := b.PutObject(context.Background(), k, data); err != nil {
					errs <- err
					return
				}
				got, err := b.GetObject(context.Background(), k)
				if err == nil && !bytes.Equal(got, data) {
					err = fmt.Errorf("%s: the bytes read differ from those written", k)
				}
				if err != nil {
					errs <- err
				}
			}(i)
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

func TestClose(t *testing.T) {
	setup(t)
	for _, bt := range backendTypes {
		t.Run(string(bt), func(t *testing.T) {
			b := newTestBackend(t, bt)
			if err := b.PutObject(context.Background(), key(t, "k"), []byte("x")); err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			if err := b.Close(); err != nil {
				t.Fatalf("a second Close: %v", err)
			}
			_, err := b.GetObject(context.Background(), key(t, "k"))
			wantError(t, err, CodeUsage)
		})
	}
}

func TestBadKeys(t *testing.T) {
	forEachBackend(t, func(t *testing.T, b Backend) {
		for _, k := range []string{"", "a\x00b"} {
			_, err := b.GetObject(context.Background(), k)
			wantError(t, err, CodeUsage)
			err = b.PutObject(context.Background(), k, []byte("x"))
			wantError(t, err, CodeUsage)
		}
	})
}

func TestConfigErrors(t *testing.T) {
	if _, err := NewBackend(nil); err == nil {
		t.Error("NewBackend(nil) succeeded")
	}
	if _, err := NewBackend(&Config{BackendType: "nope", Bucket: "b"}); err == nil {
		t.Error("an unknown backend type succeeded")
	} else {
		wantError(t, err, CodeUsage)
	}
	if _, err := NewBackend(&Config{}); err == nil {
		t.Error("a Config without a bucket succeeded")
	}
}

func TestErrorString(t *testing.T) {
	e := &Error{Code: CodeNotFound, S3Code: "NoSuchKey", Message: "The specified key\ndoes not exist.", Status: 404,
		RequestID: "R1", Op: "get", Key: "a/b"}
	want := `objstore: get "a/b": NotFound NoSuchKey (HTTP 404): The specified key does not exist. [request id R1]`
	if e.Error() != want {
		t.Errorf("got  %s\nwant %s", e.Error(), want)
	}
}
