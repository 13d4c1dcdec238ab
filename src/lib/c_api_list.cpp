// s3fcp_list: ListObjectsV2 pages handed to the caller's callback on the calling thread (never on the network
// thread, which must not wait for the caller), at most two pages ahead of it.
#include <condition_variable>
#include <deque>
#include <mutex>

#include "lib/c_api.h"
#include "ops/list/list_objects.h"

using namespace s3fcp;

extern "C" {

S3FCP_API int s3fcp_list(s3fcp_client* client, const char* bucket, const char* prefix, s3fcp_list_fn page,
                         void* user, s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, nullptr, false); !ok) return report_error(ok.error(), err);
    if (page == nullptr) return report_error(Error::usage("no page callback"), err);
    Client& c = *client->client;
    std::mutex mutex;
    std::condition_variable cv;
    std::deque<ListObjectsPage> pages;
    bool listed = false;
    StopSignal stop;
    stop.add_waker([&] {
      { std::lock_guard lock(mutex); }
      cv.notify_all();
    });
    ListObjects::Callbacks callbacks;
    callbacks.page = [&](ListObjectsPage&& p) {
      {
        std::lock_guard lock(mutex);
        pages.push_back(std::move(p));
      }
      cv.notify_all();
    };
    callbacks.wants_more = [&] {
      std::lock_guard lock(mutex);
      return pages.size() < 2;
    };
    auto op = std::make_shared<ListObjects>(bucket, prefix != nullptr ? prefix : "", std::move(callbacks), stop);
    // The operation's callbacks refer to this frame's state: whatever way this call leaves (an exception from the
    // loop below among them), the operation has ended first and the token no longer holds `stop`.
    struct Ending {
      Client& client;
      const std::shared_ptr<ListObjects>& op;
      s3fcp_cancel_token* cancel;
      StopSignal* stop;
      ~Ending() {
        if (!op->retired()) client.cancel(op, Error{ErrorKind::Other, "the listing call ended"});
        op->wait();
        if (cancel != nullptr) cancel->detach(stop);
      }
    };
    c.submit(op, [&] {
      {
        std::lock_guard lock(mutex);
        listed = true;
      }
      cv.notify_all();
    });
    const Ending ending{c, op, cancel, &stop};
    if (cancel != nullptr) cancel->attach(&stop);
    bool caller_stopped = false;
    std::vector<s3fcp_list_entry> entries;
    while (true) {
      std::unique_lock lock(mutex);
      cv.wait(lock, [&] { return !pages.empty() || listed || stop.stopping(); });
      if (pages.empty()) break;
      ListObjectsPage p = std::move(pages.front());
      pages.pop_front();
      lock.unlock();
      c.wakeup();  // room for the next page
      if (stop.stopping()) continue;
      entries.clear();
      for (const auto& o : p.objects) {
        entries.push_back({o.key.c_str(), o.size, o.etag.c_str(), o.last_modified.c_str(), o.storage_class.c_str()});
      }
      if (!entries.empty() && page(user, entries.data(), entries.size()) != 0) {
        caller_stopped = true;
        c.cancel(op, Error{ErrorKind::Other, "stopped by the caller"});
        break;
      }
    }
    op->wait();
    if (caller_stopped) return report_ok(err);
    if (auto error = stop.error()) return report_error(*error, err);
    return report_ok(err);
  });
}

}  // extern "C"
