// Private to the client (client_core.cpp): how a core's thread waits for curl. curl tells which sockets to watch
// (its socket callback) and when to be called back (its timer callback); they are waited on in one epoll set, with
// an eventfd that wakeup() writes from any thread, and curl is then driven through its socket interface
// (curl_multi_socket_action): a turn costs what the ready sockets cost. curl_multi_perform + curl_multi_poll, which
// polled every connection on every turn, had cost a tenth of the CPU time of 1000 small gets from 64 threads.
#pragma once

#include <curl/curl.h>
#include <sys/epoll.h>

#include <array>
#include <chrono>
#include <optional>

#include "util/fd.h"

namespace s3fcp {

class CurlEvents {
 public:
  using Clock = std::chrono::steady_clock;

  // Throws std::system_error when the epoll set or the eventfd cannot be made.
  CurlEvents();
  CurlEvents(const CurlEvents&) = delete;
  CurlEvents& operator=(const CurlEvents&) = delete;

  // Installs its callbacks on `multi`, which must be cleaned up while this still exists (cleanup calls them).
  void attach(CURLM* multi);
  // Any thread: the waiting thread's wait() returns.
  void wakeup();
  // Sleeps until a socket is ready, wakeup() is called, curl's timer is due, or `timeout_ms` passes.
  void wait(int timeout_ms);
  // Lets curl act on the sockets the last wait() found ready, and on its timer when due.
  void drive();

 private:
  static int socket_cb(CURL* easy, curl_socket_t fd, int what, void* user, void* socket_user);
  static int timer_cb(CURLM* multi, long timeout_ms, void* user);

  CURLM* m_multi = nullptr;
  Fd m_epoll;
  Fd m_wake;
  std::array<epoll_event, 64> m_events{};
  int m_ready = 0;                           // events of the last wait, not yet handed to curl
  std::optional<Clock::time_point> m_timer;  // when curl asked to be called back (none: not asked)
};

}  // namespace s3fcp
