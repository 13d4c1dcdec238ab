// Private to the client (client.cpp, client_core.cpp): a network thread's state. With resolve/http_fetch.cpp the
// only files that include curl.
//
// A client runs one or more cores, each a network thread with its own multi handle; an operation lives on one core
// for its whole life. The budget is shared (SharedBudget): requests in flight over all cores.
//
// Slots. Each core has `concurrency + 1` attempt slots, each with its own easy handle that is reused for request
// after request (libcurl keeps the connections in the multi handle's pool, so they are reused across operations
// too). A request of the budget may start while fewer than `concurrency` requests are in flight over all cores; an
// auxiliary one (a checksum HEAD, a hedge) also in the one more.
//
// A slot's life: Idle → Busy (curl runs it; Paused while its operation has no room for the body) → Finishing (the
// operation's on_done runs; the slot is not reused before it returns, so the Attempt it reads stays intact) → Idle.
#pragma once

#include <curl/curl.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "client/client.h"
#include "client/curl_events.h"
#include "client/request_signer.h"
#include "client/shared_budget.h"

namespace s3fcp {

class ClientCore final : public OpContext {
 public:
  ClientCore(ClientSettings settings, SharedBudget& budget);
  ~ClientCore() override;
  // Stops the network thread (operations still running are retired, failed) and joins it. Idempotent.
  void stop();

  // --- any thread ---
  void submit(std::shared_ptr<Operation> op, std::function<void()> retired);
  void cancel_op(const std::shared_ptr<Operation>& op, Error why);
  void wakeup() { m_io.wakeup(); }
  ClientStats stats() const;
  const ClientSettings& settings() const { return m_settings; }

  // --- OpContext, network thread ---
  bool start(Operation& op, Request request) override;
  void cancel(Operation& op, uint64_t tag) override;
  void resume(Operation& op, uint64_t tag) override;
  uint32_t budget() const override { return std::max<uint32_t>(1, m_settings.concurrency); }
  Clock::time_point now() const override { return Clock::now(); }
  double jitter() override { return std::uniform_real_distribution<double>(0.0, 1.0)(m_rng); }
  const RetryPolicy& retry_policy() const override { return m_policy; }
  bool verbose() const override { return m_settings.verbose; }
  std::string display(const Target& target) const override { return m_signer.display(target); }
  std::string host(const Target& target) const override { return m_signer.host(target); }

 private:
  enum class Phase { Idle, Busy, Paused, Finishing };
  struct Slot {
    explicit Slot(uint32_t id) : attempt(id) {}
    Attempt attempt;
    ClientCore* core = nullptr;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    char error_buffer[CURL_ERROR_SIZE] = {};
    Phase phase = Phase::Idle;
    Operation* op = nullptr;
    bool head_done = false;  // the final header block has ended
    std::string error_body;  // the body of an error answer, capped
  };
  struct Running {
    std::shared_ptr<Operation> op;
    std::function<void()> retired;
  };

  void run();
  void take_inbox();
  bool fill();
  void process_done();
  void finish(Slot& slot, CURLcode result);
  void check_stalls();
  void retire_finished(bool all, const Error* why);
  int poll_timeout_ms() const;
  void setup_slot(Slot& slot);
  void launch(Operation& op, Request request);  // its budget taken
  void drop(Slot& slot);
  void release_budget();  // an attempt ended: its share of the budget goes back
  Slot* find_slot(const Operation& op, uint64_t tag);  // its attempt in flight (Busy or Paused) with that tag
  Error transport_error(const Slot& slot, CURLcode result) const;
  Error http_error(Slot& slot, Outcome& outcome);

  size_t on_header(Slot& slot, std::string_view line);
  size_t on_write(Slot& slot, const char* data, size_t n);
  size_t on_read(Slot& slot, char* buffer, size_t max);
  int on_seek(Slot& slot, curl_off_t offset, int origin);
  static size_t header_cb(char* buf, size_t size, size_t n, void* user);
  static size_t write_cb(char* buf, size_t size, size_t n, void* user);
  static size_t read_cb(char* buf, size_t size, size_t n, void* user);
  static int seek_cb(void* user, curl_off_t offset, int origin);

  const ClientSettings m_settings;
  RetryPolicy m_policy;
  RequestSigner m_signer;  // network thread only
  std::mt19937_64 m_rng;
  SharedBudget& m_budget;
  CurlEvents m_io;  // the wait for m_multi's sockets and timer
  CURLM* m_multi = nullptr;
  std::vector<std::unique_ptr<Slot>> m_slots;
  std::vector<Running> m_running;  // network thread only
  size_t m_turn = 0;             // whose turn fill() starts with

  std::mutex m_inbox_mutex;  // guards the two queues below and m_quit
  std::vector<Running> m_submitted;
  std::vector<std::pair<std::weak_ptr<Operation>, Error>> m_cancelled;
  bool m_quit = false;

  std::atomic<uint64_t> m_requests{0}, m_connections{0}, m_received{0}, m_sent{0};
  std::thread m_thread;  // last: starts when everything above exists
};

}  // namespace s3fcp
