#include "client/curl_events.h"

#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <system_error>
#include <utility>

namespace s3fcp {

CurlEvents::CurlEvents()
    : m_epoll(epoll_create1(EPOLL_CLOEXEC)), m_wake(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  if (m_epoll.get() < 0 || m_wake.get() < 0) throw std::system_error(errno, std::generic_category(), "epoll");
  epoll_event wake{};
  wake.events = EPOLLIN;
  wake.data.fd = -1;  // no socket has this number
  if (epoll_ctl(m_epoll.get(), EPOLL_CTL_ADD, m_wake.get(), &wake) != 0) {
    throw std::system_error(errno, std::generic_category(), "epoll_ctl");
  }
}

void CurlEvents::attach(CURLM* multi) {
  m_multi = multi;
  curl_multi_setopt(m_multi, CURLMOPT_SOCKETFUNCTION, &CurlEvents::socket_cb);
  curl_multi_setopt(m_multi, CURLMOPT_SOCKETDATA, this);
  curl_multi_setopt(m_multi, CURLMOPT_TIMERFUNCTION, &CurlEvents::timer_cb);
  curl_multi_setopt(m_multi, CURLMOPT_TIMERDATA, this);
}

void CurlEvents::wakeup() {
  const uint64_t one = 1;
  // A full counter (never, at 2^64 - 2) or EAGAIN both leave the eventfd readable: the loop wakes either way.
  [[maybe_unused]] const ssize_t n = ::write(m_wake.get(), &one, sizeof one);
}

void CurlEvents::wait(int timeout_ms) {
  if (m_timer) {
    const auto due = std::chrono::ceil<std::chrono::milliseconds>(*m_timer - Clock::now()).count();
    timeout_ms = static_cast<int>(std::clamp<long long>(due, 0, timeout_ms));
  }
  const int n = epoll_wait(m_epoll.get(), m_events.data(), static_cast<int>(m_events.size()), timeout_ms);
  m_ready = std::max(n, 0);  // EINTR: no events, the turn goes on
  for (int i = 0; i < m_ready; ++i) {
    if (m_events[static_cast<size_t>(i)].data.fd < 0) {
      uint64_t count = 0;
      [[maybe_unused]] const ssize_t r = ::read(m_wake.get(), &count, sizeof count);
    }
  }
}

void CurlEvents::drive() {
  int running = 0;
  const int ready = std::exchange(m_ready, 0);
  for (int i = 0; i < ready; ++i) {
    const epoll_event& ev = m_events[static_cast<size_t>(i)];
    if (ev.data.fd < 0) continue;  // the wakeup: wait() has read it
    int mask = 0;
    if (ev.events & EPOLLIN) mask |= CURL_CSELECT_IN;
    if (ev.events & EPOLLOUT) mask |= CURL_CSELECT_OUT;
    if (ev.events & (EPOLLERR | EPOLLHUP)) mask |= CURL_CSELECT_ERR;
    // A socket curl closed while acting on an earlier one is unknown to it by now, and ignored.
    curl_multi_socket_action(m_multi, ev.data.fd, mask, &running);
  }
  if (m_timer && Clock::now() >= *m_timer) {
    m_timer.reset();  // curl sets it again from inside, if it wants to be called back
    curl_multi_socket_action(m_multi, CURL_SOCKET_TIMEOUT, 0, &running);
  }
}

int CurlEvents::socket_cb(CURL*, curl_socket_t fd, int what, void* user, void* socket_user) {
  auto* self = static_cast<CurlEvents*>(user);
  if (what == CURL_POLL_REMOVE) {
    // Fails harmlessly when curl has closed the socket already (epoll dropped it then).
    epoll_ctl(self->m_epoll.get(), EPOLL_CTL_DEL, fd, nullptr);
    curl_multi_assign(self->m_multi, fd, nullptr);
    return 0;
  }
  epoll_event ev{};
  ev.events = (what & CURL_POLL_IN ? EPOLLIN : 0u) | (what & CURL_POLL_OUT ? EPOLLOUT : 0u);
  ev.data.fd = fd;
  if (socket_user == nullptr) {
    // A number curl had closed and then got again for a new connection may still be in the set: then modify it.
    if (epoll_ctl(self->m_epoll.get(), EPOLL_CTL_ADD, fd, &ev) != 0 && errno == EEXIST) {
      epoll_ctl(self->m_epoll.get(), EPOLL_CTL_MOD, fd, &ev);
    }
    curl_multi_assign(self->m_multi, fd, self);  // any non-null: "in the set"
  } else {
    epoll_ctl(self->m_epoll.get(), EPOLL_CTL_MOD, fd, &ev);
  }
  return 0;
}

int CurlEvents::timer_cb(CURLM*, long timeout_ms, void* user) {
  auto* self = static_cast<CurlEvents*>(user);
  if (timeout_ms < 0) {
    self->m_timer.reset();
  } else {
    self->m_timer = Clock::now() + std::chrono::milliseconds(timeout_ms);
  }
  return 0;
}

}  // namespace s3fcp
