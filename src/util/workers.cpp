#include "util/workers.h"

#include <thread>

namespace s3fcp {

Result<void> run_workers(const Workers& workers) {
  std::vector<std::thread> threads;
  threads.reserve(workers.threads.size());
  for (const auto& work : workers.threads) threads.emplace_back(work);
  for (auto& t : threads) t.join();
  return {};
}

}  // namespace s3fcp
