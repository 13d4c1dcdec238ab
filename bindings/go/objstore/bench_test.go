package objstore

// The Go backend plan's benchmarks, both backends side by side (sub-benchmarks aws-sdk-v2 and s3fcp), against
// S3-like endpoints that scripts/bench starts (or bench.sh --start). A benchmark whose endpoint is not given skips.
//
// Environment:
//   S3FCP_BENCH_ENDPOINT         download endpoint URL (path-style), serving S3FCP_BENCH_BUCKET/S3FCP_BENCH_OBJECT
//   S3FCP_BENCH_BUCKET           its bucket (default "bench")
//   S3FCP_BENCH_OBJECT           the object to download, 1 GiB in the plan (default "obj.bin")
//   S3FCP_BENCH_UPLOAD_ENDPOINT  upload endpoint URL (path-style): PutObject, multipart uploads, and GET of objects
//                                stored by one PutObject; the many-object and mixed cases run there too
//   S3FCP_BENCH_UPLOAD_BUCKET    its bucket (default S3FCP_BENCH_BUCKET)
//   S3FCP_BENCH_SIZE_MIB         upload size (default 1024)
//   S3FCP_BENCH_MANY             objects in the many-object cases (default 1000, of 1 MiB)
//   S3FCP_BENCH_GOROUTINES       goroutines of the many-object cases (default 64)
//   S3FCP_BENCH_MIXED_OPS        operations of the mixed case (default 500), S3FCP_BENCH_MIXED_GOROUTINES (16)
//   S3FCP_BENCH_CONCURRENCY      Config.Concurrency of both backends (default 0: each backend's own default)
//   S3FCP_BENCH_PART_SIZE        Config.PartSize in bytes (default 0: each backend's own default)
//   S3FCP_BENCH_SIGNED=1         sign requests (default: anonymous; the endpoints check no signature)
//
// Metrics: MB/s is bytes / 2^20 per second of wall time, as in the plan; cpu-s/op is the process's user+system
// time (getrusage); peak-RSS-MiB is the process's VmHWM over the case (reset through /proc/self/clear_refs), and
// added-RSS-MiB that peak less the RSS at the start, so a source buffer held before the case does not count there.
// Both backends share the process when run together: the Go heap is returned to the OS before each case, but for
// memory figures run one backend per process (bench.sh does).

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math"
	"math/rand"
	"os"
	"runtime"
	"runtime/debug"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/s3"
)

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

func envInt(b *testing.B, name string, def int64) int64 {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		b.Fatalf("%s=%q: %v", name, v, err)
	}
	return n
}

// benchConfig is the Config of one backend on the endpoint named by the variable endpointVar; it skips without it.
func benchConfig(b *testing.B, bt BackendType, endpointVar string) *Config {
	endpoint := os.Getenv(endpointVar)
	if endpoint == "" {
		b.Skipf("%s not set: no endpoint to measure against (scripts/bench or bindings/go/bench.sh starts them)",
			endpointVar)
	}
	bucket := envOr("S3FCP_BENCH_BUCKET", "bench")
	if endpointVar == "S3FCP_BENCH_UPLOAD_ENDPOINT" {
		bucket = envOr("S3FCP_BENCH_UPLOAD_BUCKET", bucket)
	}
	return &Config{BackendType: bt, Bucket: bucket, Region: "us-east-1", Endpoint: endpoint, UsePathStyle: true,
		Anonymous: os.Getenv("S3FCP_BENCH_SIGNED") != "1", Concurrency: int(envInt(b, "S3FCP_BENCH_CONCURRENCY", 0)),
		PartSize: envInt(b, "S3FCP_BENCH_PART_SIZE", 0)}
}

// eachBackend runs fn as the sub-benchmarks aws-sdk-v2 and s3fcp, each with its own backend.
func eachBackend(b *testing.B, endpointVar string, fn func(b *testing.B, be Backend, cfg *Config)) {
	for _, bt := range backendTypes {
		b.Run(string(bt), func(b *testing.B) {
			cfg := benchConfig(b, bt, endpointVar)
			be, err := NewBackend(cfg)
			if err != nil {
				if strings.Contains(err.Error(), "built without libs3fcp") {
					b.Skip(err)
				}
				b.Fatal(err)
			}
			defer be.Close()
			fn(b, be, cfg)
		})
	}
}

// meter measures one case: wall time, CPU time and peak RSS of the process.
type meter struct {
	start    time.Time
	cpu0     time.Duration
	rssStart float64
}

func startMeter(b *testing.B) *meter {
	runtime.GC()
	debug.FreeOSMemory()
	// "5" resets VmHWM to the current RSS (Linux 4.0+); without it the peak is the process's whole life.
	_ = os.WriteFile("/proc/self/clear_refs", []byte("5"), 0)
	b.ResetTimer()
	return &meter{start: time.Now(), cpu0: cpuTime(), rssStart: procStatusMiB("VmRSS")}
}

func (m *meter) report(b *testing.B, bytes int64) time.Duration {
	wall := time.Since(m.start)
	peak := procStatusMiB("VmHWM")
	b.ReportMetric(float64(bytes)/(1<<20)/wall.Seconds(), "MB/s")
	b.ReportMetric((cpuTime()-m.cpu0).Seconds()/float64(b.N), "cpu-s/op")
	b.ReportMetric(peak, "peak-RSS-MiB")
	b.ReportMetric(peak-m.rssStart, "added-RSS-MiB")
	return wall
}

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procStatusMiB reads a "kB" field of /proc/self/status, in MiB.
func procStatusMiB(field string) float64 {
	data, _ := os.ReadFile("/proc/self/status")
	for _, line := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(line, field+":") {
			var kb float64
			fmt.Sscan(strings.TrimSpace(strings.TrimSuffix(line[len(field)+1:], "kB")), &kb)
			return kb / 1024
		}
	}
	return 0
}

// block is 1 MiB of random bytes; bench data repeats it (the endpoints do not compress).
var block = func() []byte {
	p := make([]byte, 1<<20)
	rand.New(rand.NewSource(7)).Read(p)
	return p
}()

func benchData(size int64) []byte {
	p := make([]byte, size)
	for off := int64(0); off < size; off += int64(len(block)) {
		copy(p[off:], block)
	}
	return p
}

// genReader yields size bytes of the repeated block, with nothing but Read (a stream of unknown length).
type genReader struct{ off, size int64 }

func (g *genReader) Read(p []byte) (int, error) {
	if g.off >= g.size {
		return 0, io.EOF
	}
	if rest := g.size - g.off; int64(len(p)) > rest {
		p = p[:rest]
	}
	n := copy(p, block[g.off%int64(len(block)):])
	g.off += int64(n)
	return n, nil
}

func uploadSize(b *testing.B) int64 { return envInt(b, "S3FCP_BENCH_SIZE_MIB", 1024) << 20 }

// BenchmarkUpload1GiB: PutObject from a buffer in memory (the plan's case; the buffer counts in peak-RSS-MiB).
func BenchmarkUpload1GiB(b *testing.B) {
	eachBackend(b, "S3FCP_BENCH_UPLOAD_ENDPOINT", func(b *testing.B, be Backend, cfg *Config) {
		data := benchData(uploadSize(b))
		m := startMeter(b)
		for i := 0; i < b.N; i++ {
			if err := be.PutObject(context.Background(), "go-bench/up/"+string(cfg.BackendType), data); err != nil {
				b.Fatal(err)
			}
		}
		m.report(b, int64(b.N)*int64(len(data)))
	})
}

// BenchmarkUploadStream1GiB: PutObjectFrom a reader of unknown length (memory is the backend's own).
func BenchmarkUploadStream1GiB(b *testing.B) {
	eachBackend(b, "S3FCP_BENCH_UPLOAD_ENDPOINT", func(b *testing.B, be Backend, cfg *Config) {
		size := uploadSize(b)
		m := startMeter(b)
		for i := 0; i < b.N; i++ {
			err := be.PutObjectFrom(context.Background(), "go-bench/upstream/"+string(cfg.BackendType),
				&genReader{size: size})
			if err != nil {
				b.Fatal(err)
			}
		}
		m.report(b, int64(b.N)*size)
	})
}

// BenchmarkDownload1GiB: GetObject into memory (the SDK backend: Downloader into a buffer of the object's size).
func BenchmarkDownload1GiB(b *testing.B) {
	eachBackend(b, "S3FCP_BENCH_ENDPOINT", func(b *testing.B, be Backend, cfg *Config) {
		object := envOr("S3FCP_BENCH_OBJECT", "obj.bin")
		var total int64
		m := startMeter(b)
		for i := 0; i < b.N; i++ {
			data, err := be.GetObject(context.Background(), object)
			if err != nil {
				b.Fatal(err)
			}
			total += int64(len(data))
		}
		m.report(b, total)
	})
}

// firstByteWriter discards what it gets and notes when the first byte came.
type firstByteWriter struct {
	first time.Time
	n     int64
}

func (w *firstByteWriter) Write(p []byte) (int, error) {
	if w.first.IsZero() && len(p) > 0 {
		w.first = time.Now()
	}
	w.n += int64(len(p))
	return len(p), nil
}

// BenchmarkDownloadStream1GiB: GetObjectTo a writer, in order, with the time to the first byte (the SDK backend:
// one GetObject stream, as the plan's current backend reads).
func BenchmarkDownloadStream1GiB(b *testing.B) {
	eachBackend(b, "S3FCP_BENCH_ENDPOINT", func(b *testing.B, be Backend, cfg *Config) {
		object := envOr("S3FCP_BENCH_OBJECT", "obj.bin")
		var total int64
		var firstByte time.Duration
		m := startMeter(b)
		for i := 0; i < b.N; i++ {
			w := &firstByteWriter{}
			start := time.Now()
			if _, err := be.GetObjectTo(context.Background(), object, w); err != nil {
				b.Fatal(err)
			}
			firstByte += w.first.Sub(start)
			total += w.n
		}
		m.report(b, total)
		b.ReportMetric(float64(firstByte.Microseconds())/1000/float64(b.N), "first-byte-ms")
	})
}

// runOps runs ops operations on n goroutines and reports ops/s, mean, p50 and p99 latency; op returns the bytes
// it moved.
func runOps(b *testing.B, n, ops int, op func(i int) (int64, error)) (int64, []time.Duration) {
	var mu sync.Mutex
	var total int64
	var lat []time.Duration
	var firstErr error
	next := make(chan int)
	var wg sync.WaitGroup
	for g := 0; g < n; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				start := time.Now()
				moved, err := op(i)
				d := time.Since(start)
				mu.Lock()
				total += moved
				lat = append(lat, d)
				if err != nil && firstErr == nil {
					firstErr = err
				}
				mu.Unlock()
			}
		}()
	}
	for i := 0; i < ops; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		b.Fatal(firstErr)
	}
	return total, lat
}

func reportLatency(b *testing.B, wall time.Duration, lat []time.Duration) {
	sort.Slice(lat, func(i, j int) bool { return lat[i] < lat[j] })
	var sum time.Duration
	for _, d := range lat {
		sum += d
	}
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	pct := func(p float64) time.Duration { return lat[int(math.Ceil(p*float64(len(lat))))-1] }
	b.ReportMetric(float64(len(lat))/wall.Seconds(), "ops/s")
	b.ReportMetric(ms(sum)/float64(len(lat)), "mean-ms")
	b.ReportMetric(ms(pct(0.50)), "p50-ms")
	b.ReportMetric(ms(pct(0.99)), "p99-ms")
}

func manyKey(i int) string { return fmt.Sprintf("go-bench/many/%06d", i) }

// BenchmarkManyPut1MiB: 1000 × PutObject of 1 MiB from S3FCP_BENCH_GOROUTINES goroutines on one backend.
func BenchmarkManyPut1MiB(b *testing.B) {
	eachBackend(b, "S3FCP_BENCH_UPLOAD_ENDPOINT", func(b *testing.B, be Backend, cfg *Config) {
		n, g := int(envInt(b, "S3FCP_BENCH_MANY", 1000)), int(envInt(b, "S3FCP_BENCH_GOROUTINES", 64))
		var lat []time.Duration
		var total int64
		m := startMeter(b)
		for i := 0; i < b.N; i++ {
			moved, l := runOps(b, g, n, func(i int) (int64, error) {
				return int64(len(block)), be.PutObject(context.Background(), manyKey(i), block)
			})
			total += moved
			lat = append(lat, l...)
		}
		reportLatency(b, m.report(b, total), lat)
	})
}

// BenchmarkManyGet1MiB: 1000 × GetObject of 1 MiB (stored first, outside the timing).
func BenchmarkManyGet1MiB(b *testing.B) {
	eachBackend(b, "S3FCP_BENCH_UPLOAD_ENDPOINT", func(b *testing.B, be Backend, cfg *Config) {
		n, g := int(envInt(b, "S3FCP_BENCH_MANY", 1000)), int(envInt(b, "S3FCP_BENCH_GOROUTINES", 64))
		runOps(b, g, n, func(i int) (int64, error) { return 0, be.PutObject(context.Background(), manyKey(i), block) })
		var lat []time.Duration
		var total int64
		m := startMeter(b)
		for i := 0; i < b.N; i++ {
			moved, l := runOps(b, g, n, func(i int) (int64, error) {
				data, err := be.GetObject(context.Background(), manyKey(i))
				if err == nil && len(data) != len(block) {
					err = fmt.Errorf("%s: %d bytes, want %d", manyKey(i), len(data), len(block))
				}
				return int64(len(data)), err
			})
			total += moved
			lat = append(lat, l...)
		}
		reportLatency(b, m.report(b, total), lat)
	})
}

// mixedSize is 1 KiB to 10 MiB, uniform in log scale.
func mixedSize(r *rand.Rand) int {
	return int(math.Exp(math.Log(1<<10) + r.Float64()*(math.Log(10<<20)-math.Log(1<<10))))
}

// BenchmarkMixed: 60 % GetObject of stored objects, 40 % PutObject of new ones, 1 KiB–10 MiB, from
// S3FCP_BENCH_MIXED_GOROUTINES goroutines. The objects read are stored first with one plain PUT each (objects
// stored in parts are not readable on the upload endpoint until it assembles them).
func BenchmarkMixed(b *testing.B) {
	eachBackend(b, "S3FCP_BENCH_UPLOAD_ENDPOINT", func(b *testing.B, be Backend, cfg *Config) {
		ops, g := int(envInt(b, "S3FCP_BENCH_MIXED_OPS", 500)), int(envInt(b, "S3FCP_BENCH_MIXED_GOROUTINES", 16))
		const stored = 64
		r := rand.New(rand.NewSource(11))
		sizes := make([]int, stored)
		for i := range sizes {
			sizes[i] = mixedSize(r)
		}
		populate(b, cfg, sizes)
		big := benchData(10 << 20)
		type op struct {
			read      bool
			key, size int
		}
		plan := make([]op, ops)
		for i := range plan {
			plan[i] = op{read: r.Intn(10) < 6, key: r.Intn(stored), size: mixedSize(r)}
		}
		var lat []time.Duration
		var total int64
		m := startMeter(b)
		for i := 0; i < b.N; i++ {
			moved, l := runOps(b, g, ops, func(i int) (int64, error) {
				o := plan[i]
				if o.read {
					data, err := be.GetObject(context.Background(), mixedKey("r", o.key))
					if err == nil && len(data) != sizes[o.key] {
						err = fmt.Errorf("%s: %d bytes, want %d", mixedKey("r", o.key), len(data), sizes[o.key])
					}
					return int64(len(data)), err
				}
				return int64(o.size), be.PutObject(context.Background(), mixedKey("w", i%stored), big[:o.size])
			})
			total += moved
			lat = append(lat, l...)
		}
		reportLatency(b, m.report(b, total), lat)
	})
}

func mixedKey(kind string, i int) string { return fmt.Sprintf("go-bench/mixed/%s%03d", kind, i) }

// populate stores the mixed case's objects with one plain PutObject each, through the SDK's client.
func populate(b *testing.B, cfg *Config, sizes []int) {
	c := *cfg
	c.BackendType = BackendAWSSDK
	sb, err := NewBackend(&c)
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	client := sb.(*sdkBackend).client
	data := benchData(10 << 20)
	for i, size := range sizes {
		key := mixedKey("r", i)
		_, err := client.PutObject(context.Background(), &s3.PutObjectInput{Bucket: &c.Bucket, Key: &key,
			Body: bytes.NewReader(data[:size]), ContentLength: int64(size)})
		if err != nil {
			b.Fatalf("storing %s: %v", key, err)
		}
	}
}
