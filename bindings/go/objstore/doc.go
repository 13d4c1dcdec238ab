// Package objstore is an S3 object store with two interchangeable backends behind one interface, as the Go
// backend plan proposes: BackendAWSSDK (aws-sdk-go-v2, with feature/s3/manager for objects larger than a part) and
// BackendS3FCP (libs3fcp, s3fcp's C++ transfer engine, through cgo).
//
//	b, err := objstore.NewBackend(&objstore.Config{BackendType: objstore.BackendS3FCP, Bucket: "bucket"})
//	if err != nil { ... }
//	defer b.Close()
//	data, err := b.GetObject(ctx, "key")
//	var e *objstore.Error
//	if errors.As(err, &e) && e.Code == objstore.CodeNotFound { ... }
//
// # Building
//
// The s3fcp backend needs libs3fcp installed where pkg-config finds it (s3fcp.pc, from cmake --install) and cgo.
// Built with CGO_ENABLED=0 or the tag nos3fcp, the package has only the SDK backend, and NewBackend refuses
// BackendS3FCP. In this repository the package is built in GOPATH mode, with bindings/go as $GOPATH/src/s3fcp
// and Debian's Go sources under /usr/share/gocode: see bindings/go/test.sh.
//
// # Errors
//
// Every error a backend returns is an *Error (errors.As finds it through any wrapping): Code is one of libs3fcp's
// classes (CodeNotFound, CodeAuth, CodeCancelled, ...; the SDK backend maps its errors into the same classes),
// S3Code, Status and RequestID are S3's answer where there was one, and Err the Go error behind it: ctx.Err() for
// CodeCancelled, the reader's or writer's error for CodeIO, the SDK's error otherwise.
//
// # Cancellation
//
// A ctx that is done before a call makes it return CodeCancelled at once, without a request. Cancelling ctx during
// a call stops the transfer: requests in flight are abandoned and a multipart upload is aborted before the call
// returns, so no upload is left behind (the SDK backend aborts with a context of its own, since the manager's
// abort on the cancelled ctx would fail). An operation that completed before the cancellation landed succeeds.
//
// # Memory and threads (s3fcp backend)
//
// PutObject passes data's own memory to the library, which reads it until the call returns and keeps no pointer
// to it: data must not change during the call. GetObject copies an object of up to 8 MiB into a Go slice; a larger
// one comes back as its size, and the library's threads then copy its ranges straight into a slice of that size
// until the call returns (one request more, no copy after it). GetObjectTo hands w slices of the library's memory,
// valid during each Write only, as io.Writer's contract allows. Nothing the library allocates for the caller is
// handed to Go. The reader and writer are called from the library's threads, one call at a time; a panic in them
// is raised again on the calling goroutine. One C client serves all goroutines; Close waits for calls in flight.
//
// Concurrency means requests in flight over the whole client for the s3fcp backend, and parts in flight per call
// for the SDK backend's manager.
package objstore
