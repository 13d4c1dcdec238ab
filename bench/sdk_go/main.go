// The AWS SDK for Go v2 peer (Debian's golang-github-aws-aws-sdk-go-v2-dev, the baseline of the Go backend plan).
// scripts/bench builds it in GOPATH mode (GO111MODULE=off GOPATH=/usr/share/gocode) into its work folder.
//
//	sdk-go-put [flags] BUCKET KEY < DATA          feature/s3/manager's Uploader reads stdin and uploads it as
//	                                              BUCKET/KEY, -c parts in flight, parts of -part bytes
//	sdk-go-put [flags] many-get BUCKET PREFIX N   N GetObjects of PREFIX000000 .. on -c goroutines, each body written
//	                                              to -dir DIR/000000 .. (without -dir: counted and dropped)
//	sdk-go-put [flags] many-put BUCKET PREFIX N   N PutObjects of PREFIX000000 .. on -c goroutines, each read from the
//	                                              file -dir DIR/000000 .. (without -dir: -size bytes from memory)
//	sdk-go-put [flags] run FILE                   the copies of an `s3fcp run` file (`cp s3://B/K PATH` a GetObject
//	                                              to PATH, `cp PATH s3://B/K` a PutObject of PATH) on -c goroutines
//
// The many modes and run print one JSON line: objects, bytes, wall_s, mb_s, ops_s, mean_latency_ms, p50_latency_ms,
// p99_latency_ms (latency: one object's request, from its goroutine taking it to its body written or sent).
// Flags: -endpoint URL (path-style), -anon (no signing), -region, -c, -part, -size, -dir.
package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/feature/s3/manager"
	"github.com/aws/aws-sdk-go-v2/service/s3"
)

const usage = "usage: sdk-go-put [flags] BUCKET KEY < DATA | many-get BUCKET PREFIX N | many-put BUCKET PREFIX N | " +
	"run FILE"

func main() {
	endpoint := flag.String("endpoint", "", "endpoint URL (path-style)")
	anon := flag.Bool("anon", false, "anonymous requests (no signing)")
	region := flag.String("region", "us-east-1", "region")
	conc := flag.Int("c", 5, "parts in flight (upload), goroutines (many-get, many-put, run)")
	part := flag.Int64("part", 8<<20, "part size (upload)")
	size := flag.Int("size", 1<<20, "object size (many-put without -dir)")
	dir := flag.String("dir", "", "many-get: write the objects here; many-put: read them from here")
	flag.Parse()
	os.Setenv("AWS_EC2_METADATA_DISABLED", "true") // a bench tool never reaches for instance metadata
	a := flag.Args()
	ctx := context.Background()
	opts := []func(*config.LoadOptions) error{config.WithRegion(*region)}
	if *anon {
		opts = append(opts, config.WithCredentialsProvider(aws.AnonymousCredentials{}))
	}
	// A transport sized for the concurrency, as a tuned Go program would have.
	hc := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.MaxIdleConns = *conc * 2
		tr.MaxIdleConnsPerHost = *conc * 2
	})
	opts = append(opts, config.WithHTTPClient(hc))
	if *endpoint != "" {
		ep := *endpoint
		opts = append(opts, config.WithEndpointResolverWithOptions(aws.EndpointResolverWithOptionsFunc(
			func(service, reg string, _ ...interface{}) (aws.Endpoint, error) {
				return aws.Endpoint{URL: ep, HostnameImmutable: true, SigningRegion: reg}, nil
			})))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	die(err)
	client := s3.NewFromConfig(cfg, func(o *s3.Options) { o.UsePathStyle = true })

	switch {
	case len(a) == 4 && (a[0] == "many-get" || a[0] == "many-put"):
		n, err := strconv.Atoi(a[3])
		die(err)
		var jobs []job
		for i := 0; i < n; i++ {
			j := job{get: a[0] == "many-get", bucket: a[1], key: fmt.Sprintf("%s%06d", a[2], i)}
			if *dir != "" {
				j.path = filepath.Join(*dir, fmt.Sprintf("%06d", i))
			}
			jobs = append(jobs, j)
		}
		if a[0] == "many-get" && *dir != "" {
			die(os.MkdirAll(*dir, 0o755))
		}
		runJobs(ctx, client, jobs, *conc, bytes.Repeat([]byte{'x'}, *size))
	case len(a) == 2 && a[0] == "run":
		jobs, err := readRunFile(a[1])
		die(err)
		runJobs(ctx, client, jobs, *conc, nil)
	case len(a) == 2:
		bucket, key := a[0], a[1]
		u := manager.NewUploader(client, func(u *manager.Uploader) { u.Concurrency = *conc; u.PartSize = *part })
		// Hide stdin's other methods (Seek, ...): the Uploader reads it as the stream it is.
		_, err = u.Upload(ctx, &s3.PutObjectInput{Bucket: &bucket, Key: &key, Body: struct{ io.Reader }{os.Stdin}})
		die(err)
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
}

// One object to copy: a GetObject into path (none: dropped), or a PutObject from path (none: from memory).
type job struct {
	get         bool
	bucket, key string
	path        string
}

// readRunFile reads the lines of an `s3fcp run` file this peer understands: `cp SOURCE DEST`, plain words, one of
// them s3://BUCKET/KEY; blank lines and # comments skipped.
func readRunFile(name string) ([]job, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var jobs []job
	scanner := bufio.NewScanner(f)
	for line := 1; scanner.Scan(); line++ {
		words := strings.Fields(scanner.Text())
		if len(words) == 0 || strings.HasPrefix(words[0], "#") {
			continue
		}
		if len(words) != 3 || words[0] != "cp" {
			return nil, fmt.Errorf("%s line %d: not `cp SOURCE DEST`", name, line)
		}
		src, dst := words[1], words[2]
		j := job{get: strings.HasPrefix(src, "s3://")}
		object, path := dst, src
		if j.get {
			object, path = src, dst
		}
		bucket, key, ok := strings.Cut(strings.TrimPrefix(object, "s3://"), "/")
		if !ok || !strings.HasPrefix(object, "s3://") || strings.HasPrefix(path, "s3://") {
			return nil, fmt.Errorf("%s line %d: one of SOURCE and DEST must be s3://BUCKET/KEY", name, line)
		}
		j.bucket, j.key, j.path = bucket, key, path
		jobs = append(jobs, j)
	}
	return jobs, scanner.Err()
}

// copyOne does one job and returns the bytes it moved.
func copyOne(ctx context.Context, client *s3.Client, j job, body []byte) (int64, error) {
	if j.get {
		out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: &j.bucket, Key: &j.key})
		if err != nil {
			return 0, err
		}
		defer out.Body.Close()
		if j.path == "" {
			return io.Copy(io.Discard, out.Body)
		}
		f, err := os.Create(j.path)
		if err != nil {
			return 0, err
		}
		n, err := io.Copy(f, out.Body)
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		return n, err
	}
	if j.path == "" {
		_, err := client.PutObject(ctx, &s3.PutObjectInput{Bucket: &j.bucket, Key: &j.key,
			Body: bytes.NewReader(body), ContentLength: int64(len(body))})
		return int64(len(body)), err
	}
	f, err := os.Open(j.path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	_, err = client.PutObject(ctx, &s3.PutObjectInput{Bucket: &j.bucket, Key: &j.key, Body: f,
		ContentLength: st.Size()})
	return st.Size(), err
}

// runJobs copies the jobs on conc goroutines, stops at the first failure, and prints the JSON line of figures.
func runJobs(ctx context.Context, client *s3.Client, jobs []job, conc int, body []byte) {
	queue := make(chan job)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var total int64
	var latencies []float64
	var firstErr error
	t0 := time.Now()
	for w := 0; w < conc; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range queue {
				started := time.Now()
				n, err := copyOne(ctx, client, j, body)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = fmt.Errorf("s3://%s/%s: %w", j.bucket, j.key, err)
				}
				total += n
				latencies = append(latencies, time.Since(started).Seconds())
				mu.Unlock()
			}
		}()
	}
	for _, j := range jobs {
		queue <- j
	}
	close(queue)
	wg.Wait()
	die(firstErr)
	wall := time.Since(t0).Seconds()
	sort.Float64s(latencies)
	var sum float64
	for _, l := range latencies {
		sum += l
	}
	percentile := func(p float64) float64 {
		if len(latencies) == 0 {
			return 0
		}
		i := int(p * float64(len(latencies)))
		if i > len(latencies)-1 {
			i = len(latencies) - 1
		}
		return latencies[i] * 1000
	}
	mean := 0.0
	if len(latencies) > 0 {
		mean = sum / float64(len(latencies)) * 1000
	}
	line, _ := json.Marshal(map[string]interface{}{"objects": len(jobs), "bytes": total, "wall_s": wall,
		"mb_s": float64(total) / wall / 1e6, "ops_s": float64(len(jobs)) / wall, "mean_latency_ms": mean,
		"p50_latency_ms": percentile(0.50), "p99_latency_ms": percentile(0.99)})
	fmt.Println(string(line))
}

func die(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "sdk-go-put:", err)
		os.Exit(1)
	}
}
