//go:build !cgo || nos3fcp

package objstore

// Built without libs3fcp (CGO_ENABLED=0 or the nos3fcp tag): only the SDK backend exists.
func newS3FCPBackend(cfg *Config) (Backend, error) {
	return nil, &Error{Code: CodeUsage, Op: "new", Message: "objstore built without libs3fcp (cgo off or tag nos3fcp)"}
}
