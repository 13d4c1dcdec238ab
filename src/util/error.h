// One error type for everything below main(). Only main() turns an Error into a message and an exit code
// (see exit_code()); the layers below return std::expected<T, Error> and never throw through C callbacks.
#pragma once

#include <expected>
#include <string>
#include <string_view>

namespace s3fcp {

enum class ErrorKind {
  Other,        // anything not listed below                     -> exit 1
  Usage,        // bad flag, bad URI, bad size                   -> exit 2
  NotFound,     // NoSuchKey / NoSuchBucket / NoSuchVersion      -> exit 3
  Auth,         // AccessDenied, bad or missing credentials      -> exit 4
  Changed,      // 412 on If-Match: object changed mid-download  -> exit 5
  Network,      // retries exhausted, timeouts, throttling       -> exit 6
  Checksum,     // end-to-end checksum mismatch                  -> exit 7
  Io,           // writing the destination failed                -> exit 8
  Range,        // --range starts past the end of the object     -> exit 9
  Exists,       // --no-clobber: the destination exists          -> exit 10
  Partial,      // a many-object copy where some items failed    -> exit 11
  TooLarge,     // the library: more bytes than the caller allows -> 12 (the CLI never ends so)
  Interrupted,  // SIGINT                                        -> exit 130
  Terminated,   // SIGTERM                                       -> exit 143
  BrokenPipe,   // EPIPE on stdout (`| head`)                    -> exit 141
};

struct Error {
  Error() = default;
  Error(ErrorKind k, std::string msg, long status = 0) : kind(k), message(std::move(msg)), http_status(status) {}

  ErrorKind kind = ErrorKind::Other;
  std::string message;      // one line, no trailing newline, never a secret
  long http_status = 0;     // 0 when no HTTP response was involved
  std::string s3_code;      // e.g. "NoSuchKey", empty if none
  std::string request_id;   // x-amz-request-id, empty if none
  bool retryable = false;
  int attempt_limit = 0;    // when retryable: at most this many requests in all (a malformed answer: 2); 0 = policy

  static Error usage(std::string msg) { return {ErrorKind::Usage, std::move(msg)}; }
  // A network failure worth another attempt (a reset, a stall, an answer that does not add up).
  static Error transient(std::string msg) {
    Error e{ErrorKind::Network, std::move(msg)};
    e.retryable = true;
    return e;
  }
};

template <typename T>
using Result = std::expected<T, Error>;

inline std::unexpected<Error> fail(Error e) { return std::unexpected<Error>(std::move(e)); }
inline std::unexpected<Error> fail(ErrorKind kind, std::string msg) {
  return std::unexpected<Error>(Error{kind, std::move(msg)});
}

int exit_code(ErrorKind kind);

// The same error with "PREFIX: " before its message (a file's path, the credential source it came from).
Error prefixed(Error e, std::string_view prefix);

// An error as one line: "CODE: message (context, HTTP n, request id …)". No status for a not-found.
std::string describe(const Error& e, const std::string& context);

}  // namespace s3fcp
