// The transfer client: one per process, shared by every operation (a download, uploads, listings, a batch of
// thousands). It owns what is the same for all of them — one libcurl multi handle and its connection pool (reused
// across operations), the signer with the credential chain and the clock offset, the retry policy, the
// bucket→region cache, one concurrency budget shared fairly by the operations, and the aggregate counters — and runs
// them on network threads of its own: one per core (at most four) by default, each with its own multi handle and
// connection pool, each operation on one of them for its whole life (handed out in turn), all of them within the one
// budget. A single transfer thus runs on one thread as before, and many small ones spread over the cores (receiving
// and writing 1000 small objects kept one thread busy while the other core idled). It knows nothing of chunk
// windows or parts: those are the operations'.
//
// Threads: submit(), cancel(), wakeup() and stats() may be called from any thread; an operation's callbacks run on
// its network thread (see client/operation.h), one at a time. The network thread blocks every signal: the program (or the
// library's host) decides who handles them.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "client/operation.h"
#include "client/retry_policy.h"
#include "resolve/credentials.h"
#include "s3/endpoint.h"

namespace s3fcp {

inline constexpr uint32_t kMaxDefaultNetworkThreads = 4;

// The budget where many transfers share a client (a many-object copy, the library): small objects need many
// requests in flight to hide a 30 ms latency each (1,000 objects of 1 MiB at 90 MB/s per connection: ~42 ms a
// request), and they hold no buffers (see README). One large transfer still takes kOneTransferConcurrency.
inline constexpr uint32_t kManyConcurrency = 128;
inline constexpr uint32_t kOneTransferConcurrency = 32;

struct ClientSettings {
  EndpointSettings endpoint;                     // endpoint URL, region, addressing style, dual-stack, FIPS
  std::shared_ptr<CredentialChain> credentials;  // null: anonymous requests (--no-sign-request)
  HeaderList common_headers;                     // on every S3 request, signed: x-amz-request-payer
  // The budget: requests in flight at once over all operations. 32 connections of 4 MiB hide a 30 ms request
  // latency well (README's sweep); one more slot is kept for a checksum HEAD or a hedge.
  uint32_t concurrency = kOneTransferConcurrency;
  RetryConfig retry;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds stall_timeout{20};  // a request that sends or receives nothing for this long is retried
  // The CAs trusted for https: --ca-bundle, else AWS_CA_BUNDLE, else the profile's ca_bundle (resolve_client), else
  // empty: the system's.
  std::string ca_bundle;
  bool verify_tls = true;                  // false: --no-verify-ssl, the certificate is not checked
  bool verbose = false;                    // log every request and answer on stderr (never a secret)
  uint64_t seed = 0;                       // the jitter's seed; 0: from the clock
  uint32_t network_threads = 0;            // 0: one per core, at most kMaxDefaultNetworkThreads
};

uint32_t network_threads_of(const ClientSettings& settings);

struct ClientStats {
  uint64_t requests = 0;     // attempts started
  uint64_t connections = 0;  // new TCP connections made
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
};

class ClientCore;
class SharedBudget;

class Client {
 public:
  explicit Client(ClientSettings settings);  // starts the network thread
  ~Client();                                 // stops every operation still running and joins the thread
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  // The client takes `op` up on its network thread; op->wait() returns once it is finished and retired, after
  // `retired` (if any) ran on the network thread.
  void submit(std::shared_ptr<Operation> op, std::function<void()> retired = {});
  // Stops `op` with `why`: its attempts are dropped, Operation::stop(why) is called, it is retired. A no-op once
  // it is retired.
  void cancel(const std::shared_ptr<Operation>& op, Error why);
  // An operation may have something new to send (a writer freed window space): look now.
  void wakeup();
  ClientStats stats() const;
  const ClientSettings& settings() const;

 private:
  std::unique_ptr<SharedBudget> m_budget;
  std::vector<std::unique_ptr<ClientCore>> m_cores;  // never empty
  std::atomic<size_t> m_next{0};                     // the core the next operation goes to
};

// curl_global_init, once per process, before any thread starts.
void init_network();

}  // namespace s3fcp
