// The client's public face: it runs its network threads (ClientCore, client/client_core.h), hands each operation
// to one of them in turn, and sums what they count. The loop itself is in client_core.cpp.
#include "client/client.h"

#include <curl/curl.h>

#include <algorithm>
#include <thread>

#include "client/client_core.h"

namespace s3fcp {

void init_network() { curl_global_init(CURL_GLOBAL_DEFAULT); }

uint32_t network_threads_of(const ClientSettings& settings) {
  if (settings.network_threads != 0) return settings.network_threads;
  return std::clamp<uint32_t>(std::thread::hardware_concurrency(), 1, kMaxDefaultNetworkThreads);
}

Client::Client(ClientSettings settings) : m_budget(std::make_unique<SharedBudget>(settings.concurrency)) {
  const uint32_t threads = network_threads_of(settings);
  for (uint32_t i = 0; i < threads; ++i) m_cores.push_back(std::make_unique<ClientCore>(settings, *m_budget));
  // Read by the cores only once an operation ran, after a submit (whose lock orders it after this).
  m_budget->wake_all = [this] {
    for (auto& core : m_cores) core->wakeup();
  };
}

Client::~Client() {
  for (auto& core : m_cores) core->stop();  // every thread first: a stopping core may still wake the others
}

void Client::submit(std::shared_ptr<Operation> op, std::function<void()> retired) {
  const size_t next = m_next.fetch_add(1, std::memory_order_relaxed) % m_cores.size();
  m_cores[next]->submit(std::move(op), std::move(retired));
}
void Client::cancel(const std::shared_ptr<Operation>& op, Error why) {
  for (auto& core : m_cores) core->cancel_op(op, why);  // the one running it stops it; the others find nothing
}
void Client::wakeup() {
  for (auto& core : m_cores) core->wakeup();
}
ClientStats Client::stats() const {
  ClientStats sum;
  for (const auto& core : m_cores) {
    const ClientStats s = core->stats();
    sum.requests += s.requests;
    sum.connections += s.connections;
    sum.bytes_received += s.bytes_received;
    sum.bytes_sent += s.bytes_sent;
  }
  return sum;
}
const ClientSettings& Client::settings() const { return m_cores.front()->settings(); }

}  // namespace s3fcp
