// A network thread of the client (a core): one loop over one curl multi handle. The client (client.cpp) hands
// operations to its cores in turn, and they share one budget.
//
// Each turn: take up what other threads submitted or cancelled; let the operations fill the free slots of the
// budget, taking turns (round robin, one request each per round, so a big download cannot starve a listing);
// let curl move bytes on the sockets found ready; hand every finished attempt, classified, to its operation; tick the
// operations (hedges, draining); abandon attempts that have been silent for the stall timeout; retire finished
// operations; then sleep in epoll_wait until a socket is ready, curl's timer or an operation's backoff ends, another
// thread calls wakeup(), or 100 ms pass (the granularity of stall detection). curl runs on its socket interface
// (curl_multi_socket_action): a turn costs what the ready sockets cost, not a poll over every connection.
//
// What is the same for every operation is done here, before the operation hears of an answer: a transport failure
// becomes a retryable Network error; an error answer is parsed and classified (s3/response.h); a wrong-region answer
// moves the bucket to its region once (RequestSigner::follow_region) and becomes retryable; RequestTimeTooSkewed
// corrects the signing clock; ExpiredToken makes the credentials reload.
#include "client/client_core.h"

#include <pthread.h>
#include <signal.h>

#include <algorithm>

#include <fmt/format.h>

#include "util/header_line.h"
#include "util/log.h"
#include "util/strings.h"

namespace s3fcp {

namespace {

constexpr size_t kMaxErrorBody = 64 * 1024;
constexpr uint32_t kReserve = 1;  // slots only an auxiliary request (a HEAD, a hedge) may take
constexpr long kReceiveBuffer = 64 << 10;  // curl's receive buffer: see setup_slot
constexpr int kTickMs = 100;

}  // namespace

std::optional<std::string_view> ResponseHead::find(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

// --- construction, the other threads' side -------------------------------------------------------------------------

ClientCore::ClientCore(ClientSettings settings, SharedBudget& budget)
    : m_settings(std::move(settings)),
      m_policy(m_settings.retry),
      m_signer(m_settings.endpoint, m_settings.credentials, m_settings.common_headers),
      m_rng(m_settings.seed != 0 ? m_settings.seed
                                 : static_cast<uint64_t>(Clock::now().time_since_epoch().count())),
      m_budget(budget) {
  m_multi = curl_multi_init();  // after m_io, whose making may throw
  m_io.attach(m_multi);
  const uint32_t in_flight = std::max<uint32_t>(1, m_settings.concurrency) + kReserve;  // at most, over all cores
  curl_multi_setopt(m_multi, CURLMOPT_MAX_HOST_CONNECTIONS, static_cast<long>(in_flight));
  curl_multi_setopt(m_multi, CURLMOPT_MAXCONNECTS, static_cast<long>(in_flight) + 4);
  const uint32_t slots = in_flight + 1;  // and one whose on_done runs (launch)
  for (uint32_t i = 0; i < slots; ++i) {
    m_slots.push_back(std::make_unique<Slot>(i));
    setup_slot(*m_slots.back());
  }
  m_thread = std::thread([this] {
    sigset_t all;
    sigfillset(&all);
    pthread_sigmask(SIG_BLOCK, &all, nullptr);
    run();
  });
}

void ClientCore::stop() {
  {
    std::lock_guard lock(m_inbox_mutex);
    m_quit = true;
  }
  wakeup();
  if (m_thread.joinable()) m_thread.join();
}

ClientCore::~ClientCore() {
  stop();
  for (auto& slot : m_slots) {
    if (slot->phase == Phase::Busy || slot->phase == Phase::Paused) curl_multi_remove_handle(m_multi, slot->easy);
    curl_easy_cleanup(slot->easy);
    curl_slist_free_all(slot->headers);
  }
  curl_multi_cleanup(m_multi);
}

void ClientCore::submit(std::shared_ptr<Operation> op, std::function<void()> retired) {
  {
    std::lock_guard lock(m_inbox_mutex);
    m_submitted.push_back({std::move(op), std::move(retired)});
  }
  wakeup();
}

void ClientCore::cancel_op(const std::shared_ptr<Operation>& op, Error why) {
  {
    std::lock_guard lock(m_inbox_mutex);
    m_cancelled.emplace_back(op, std::move(why));
  }
  wakeup();
}

ClientStats ClientCore::stats() const {
  return {m_requests.load(std::memory_order_relaxed), m_connections.load(std::memory_order_relaxed),
          m_received.load(std::memory_order_relaxed), m_sent.load(std::memory_order_relaxed)};
}

void ClientCore::setup_slot(Slot& slot) {
  slot.core = this;
  CURL* e = curl_easy_init();
  slot.easy = e;
  curl_easy_setopt(e, CURLOPT_PRIVATE, &slot);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, &ClientCore::write_cb);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, &slot);
  curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, &ClientCore::header_cb);
  curl_easy_setopt(e, CURLOPT_HEADERDATA, &slot);
  curl_easy_setopt(e, CURLOPT_READFUNCTION, &ClientCore::read_cb);
  curl_easy_setopt(e, CURLOPT_READDATA, &slot);
  curl_easy_setopt(e, CURLOPT_SEEKFUNCTION, &ClientCore::seek_cb);
  curl_easy_setopt(e, CURLOPT_SEEKDATA, &slot);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, slot.error_buffer);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(e, CURLOPT_PATH_AS_IS, 1L);  // S3 keys are not normalised: "a//b" and "./" stay
  curl_easy_setopt(e, CURLOPT_TCP_NODELAY, 1L);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(m_settings.connect_timeout.count()));
  // curl (7.88) frees its receive buffer at the end of every transfer and allocates it again for the next: at
  // 256 KiB, above glibc's mmap threshold, each request mapped fresh pages and faulted every one of them in. At
  // 64 KiB the buffer comes from malloc's heap, warm. 1000 library gets of 1 MiB from 64 threads: 1.0-1.1 s and
  // 1.0-1.1 CPU-s, against 1.5-1.8 s and 2.0-2.5 CPU-s; a 1 GiB download the same within noise.
  curl_easy_setopt(e, CURLOPT_BUFFERSIZE, kReceiveBuffer);
  curl_easy_setopt(e, CURLOPT_UPLOAD_BUFFERSIZE, 256L * 1024);
  curl_easy_setopt(e, CURLOPT_USERAGENT, "s3fcp/" S3FCP_VERSION);
  curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
  if (!m_settings.ca_bundle.empty()) curl_easy_setopt(e, CURLOPT_CAINFO, m_settings.ca_bundle.c_str());
  if (!m_settings.verify_tls) {
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
    curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
  }
}

// --- the loop ------------------------------------------------------------------------------------------------------

void ClientCore::run() {
  while (true) {
    take_inbox();
    bool quit = false;
    {
      std::lock_guard lock(m_inbox_mutex);
      quit = m_quit;
    }
    if (quit) break;
    fill();
    m_io.drive();
    process_done();
    for (size_t i = 0; i < m_running.size(); ++i) m_running[i].op->tick(*this);
    check_stalls();
    retire_finished(false, nullptr);
    const bool started = fill();
    m_io.wait(started ? 0 : poll_timeout_ms());  // 0: curl's timer for the new request is due at once
  }
  const Error closed{ErrorKind::Interrupted, "the client was closed"};
  retire_finished(true, &closed);
}

void ClientCore::take_inbox() {
  std::vector<Running> submitted;
  std::vector<std::pair<std::weak_ptr<Operation>, Error>> cancelled;
  {
    std::lock_guard lock(m_inbox_mutex);
    submitted.swap(m_submitted);
    cancelled.swap(m_cancelled);
  }
  for (auto& r : submitted) {
    m_running.push_back(std::move(r));
    m_running.back().op->start(*this);
  }
  for (auto& [weak, why] : cancelled) {
    const auto op = weak.lock();
    const auto it = std::ranges::find_if(m_running, [&](const Running& r) { return r.op == op; });
    if (op && it != m_running.end()) op->stop(why);
  }
}

// Asks the operations for requests, one each per round, while the budget has room. True if any started. The room
// is taken before an operation is asked (another core may take it meanwhile): a request asked for always starts.
bool ClientCore::fill() {
  bool any = false;
  bool full = false;
  while (!full && !m_running.empty()) {
    bool asked_any = false;
    for (size_t n = 0; n < m_running.size(); ++n) {
      Operation& op = *m_running[(m_turn + n) % m_running.size()].op;
      if (op.finished()) continue;
      if (!m_budget.try_take(0)) {
        full = true;
        break;
      }
      auto request = op.next_request(*this);
      if (!request) {
        // Not release_budget(): waking every core for room held this briefly would make this loop spin while an
        // operation at the budget's edge has nothing to send. A core that found it full looks again next turn.
        m_budget.give_back();
        continue;
      }
      asked_any = true;
      launch(op, std::move(*request));
      any = true;
    }
    m_turn = m_running.empty() ? 0 : (m_turn + 1) % m_running.size();
    if (!asked_any) break;
  }
  return any;
}

int ClientCore::poll_timeout_ms() const {
  int timeout = kTickMs;
  const auto now = Clock::now();
  for (const auto& r : m_running) {
    if (const auto at = r.op->wake_at()) {
      const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(*at - now).count();
      timeout = static_cast<int>(std::clamp<long long>(wait + 1, 0, timeout));
    }
  }
  return timeout;
}

bool ClientCore::start(Operation& op, Request request) {
  if (!m_budget.try_take(is_auxiliary(request.role) ? kReserve : 0)) return false;
  launch(op, std::move(request));
  return true;
}

// With its share of the budget taken. A core has a slot for every request the budget allows, and one more for an
// attempt whose on_done is running (it gave its share back first); past that (an on_done that starts a request whose
// own start fails at once, and so on), a slot is added.
void ClientCore::launch(Operation& op, Request request) {
  auto idle = std::ranges::find_if(m_slots, [](const auto& s) { return s->phase == Phase::Idle; });
  if (idle == m_slots.end()) {
    m_slots.push_back(std::make_unique<Slot>(static_cast<uint32_t>(m_slots.size())));
    setup_slot(*m_slots.back());
    idle = std::prev(m_slots.end());
  }
  Slot& slot = **idle;
  Attempt& a = slot.attempt;
  a.m_request = std::move(request);
  a.m_head = ResponseHead{};
  a.m_failure.reset();
  a.m_finished_early = false;
  a.m_body_bytes = a.m_sent = 0;
  a.m_started = a.m_last_activity = Clock::now();
  a.m_head_at = {};
  slot.op = &op;
  slot.head_done = false;
  slot.error_body.clear();
  slot.error_buffer[0] = '\0';
  m_requests.fetch_add(1, std::memory_order_relaxed);

  auto prepared = m_signer.prepare(a.m_request);
  if (!prepared) {  // no usable credentials, an unusable bucket name: the attempt fails before it starts
    release_budget();
    slot.phase = Phase::Finishing;
    op.on_done(*this, a, Outcome{prepared.error(), std::nullopt});
    slot.phase = Phase::Idle;
    return;
  }
  CURL* e = slot.easy;
  curl_slist_free_all(slot.headers);
  slot.headers = nullptr;
  for (const auto& h : prepared->header_lines) slot.headers = curl_slist_append(slot.headers, h.c_str());
  const Request& r = a.m_request;
  const bool has_body = r.streamed_size || !r.body.empty() || r.method == Method::Put || r.method == Method::Post;
  if (has_body) slot.headers = curl_slist_append(slot.headers, "Expect:");  // no 100-continue round trip
  curl_easy_setopt(e, CURLOPT_URL, prepared->url.c_str());
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, slot.headers);
  curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);  // resets NOBODY, UPLOAD and POST from the slot's last request
  curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, static_cast<char*>(nullptr));
  const auto body_size = static_cast<curl_off_t>(r.streamed_size.value_or(r.body.size()));
  switch (r.method) {
    case Method::Get: break;
    case Method::Head: curl_easy_setopt(e, CURLOPT_NOBODY, 1L); break;
    case Method::Put:
      curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
      curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, body_size);
      break;
    case Method::Post:
      curl_easy_setopt(e, CURLOPT_POST, 1L);
      curl_easy_setopt(e, CURLOPT_POSTFIELDS, static_cast<char*>(nullptr));  // the body comes through read_cb
      curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, body_size);
      break;
    case Method::Delete: curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, "DELETE"); break;
  }
  slot.phase = Phase::Busy;
  curl_multi_add_handle(m_multi, e);
  if (m_settings.verbose) {
    log_line(fmt::format("> {} {}{}{}", method_name(r.method), prepared->display, r.note.empty() ? "" : " ", r.note));
  }
}

void ClientCore::release_budget() {
  if (m_budget.give_back() && m_budget.wake_all) m_budget.wake_all();  // a core may wait for this room
}

void ClientCore::drop(Slot& slot) {
  curl_multi_remove_handle(m_multi, slot.easy);
  release_budget();
  slot.phase = Phase::Idle;
  slot.op = nullptr;
}

ClientCore::Slot* ClientCore::find_slot(const Operation& op, uint64_t tag) {
  for (auto& s : m_slots) {
    if (s->op == &op && s->attempt.tag() == tag && (s->phase == Phase::Busy || s->phase == Phase::Paused)) {
      return s.get();
    }
  }
  return nullptr;
}

void ClientCore::cancel(Operation& op, uint64_t tag) {
  if (Slot* slot = find_slot(op, tag)) drop(*slot);
}

void ClientCore::resume(Operation& op, uint64_t tag) {
  Slot* slot = find_slot(op, tag);
  if (slot == nullptr || slot->phase != Phase::Paused) return;
  slot->phase = Phase::Busy;
  slot->attempt.m_last_activity = Clock::now();
  curl_easy_pause(slot->easy, CURLPAUSE_CONT);
}

void ClientCore::process_done() {
  int left = 0;
  while (CURLMsg* msg = curl_multi_info_read(m_multi, &left)) {
    if (msg->msg != CURLMSG_DONE) continue;
    Slot* slot = nullptr;
    curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &slot);
    if (slot != nullptr && (slot->phase == Phase::Busy || slot->phase == Phase::Paused)) {
      finish(*slot, msg->data.result);  // removes the handle, which invalidates msg
    }
  }
}

Error ClientCore::transport_error(const Slot& slot, CURLcode result) const {
  const std::string detail = slot.error_buffer[0] != '\0' ? slot.error_buffer : curl_easy_strerror(result);
  const Request& r = slot.attempt.request();
  switch (result) {
    case CURLE_PEER_FAILED_VERIFICATION:
      return Error{ErrorKind::Other,
                   fmt::format("{} ({}); the CAs to trust: --ca-bundle FILE, AWS_CA_BUNDLE or the profile's ca_bundle",
                               detail, m_signer.host(r.target))};
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_UNSUPPORTED_PROTOCOL:
    case CURLE_URL_MALFORMAT:
      return Error{ErrorKind::Other, fmt::format("{} ({})", detail, m_signer.host(r.target))};
    default:
      return Error::transient(
          fmt::format("{} ({} {})", detail, method_name(r.method), m_signer.host(r.target)));
  }
}

// An error answer: parse its body, classify it, and do what is the client's to do about it.
Error ClientCore::http_error(Slot& slot, Outcome& outcome) {
  const Attempt& a = slot.attempt;
  const ResponseHead& head = a.head();
  outcome.error_body = parse_s3_error(slot.error_body);
  const auto& body = outcome.error_body;
  Error error = classify_http_error(head.status, body, head.request_id);
  // S3 names the bucket's region when we asked the wrong one: 301 PermanentRedirect, 400
  // AuthorizationHeaderMalformed (a HEAD says it only in x-amz-bucket-region). Follow it once per bucket.
  const bool wrong_region = head.status == 301 || (body && (body->code == "PermanentRedirect" ||
                                                            body->code == "AuthorizationHeaderMalformed" ||
                                                            body->code == "IllegalLocationConstraintException")) ||
                            (a.request().method == Method::Head && head.status == 400 && !head.bucket_region.empty());
  const std::string& bucket = a.request().target.bucket;
  if (wrong_region && !a.request().target.fixed) {
    const std::string region = !head.bucket_region.empty() ? head.bucket_region : body ? body->region : "";
    const std::string from = m_signer.region_of(bucket);
    if (m_signer.follow_region(bucket, region)) {
      outcome.redirected = true;
      error.retryable = true;
      error.message = "the bucket is in region " + region;
      if (m_settings.verbose) log_line(fmt::format("the bucket is in {}, not {}: following it there", region, from));
    }
  }
  if (error.s3_code == "RequestTimeTooSkewed") {
    if (const auto server_now = parse_http_date(head.date)) m_signer.correct_clock(*server_now);
  }
  if (is_expired_token_code(error.s3_code)) m_signer.credentials_expired();
  return error;
}

void ClientCore::finish(Slot& slot, CURLcode result) {
  Attempt& a = slot.attempt;
  Operation& op = *slot.op;
  curl_multi_remove_handle(m_multi, slot.easy);
  release_budget();
  slot.phase = Phase::Finishing;
  long connects = 0;
  curl_easy_getinfo(slot.easy, CURLINFO_NUM_CONNECTS, &connects);
  m_connections.fetch_add(static_cast<uint64_t>(connects), std::memory_order_relaxed);

  if (a.m_finished_early && result == CURLE_WRITE_ERROR) result = CURLE_OK;  // we ended it, with all we wanted
  Outcome outcome;
  if (a.m_failure) {
    outcome.error = a.m_failure;
  } else if (result != CURLE_OK) {
    outcome.error = transport_error(slot, result);
  } else if (a.m_head.status < 200 || a.m_head.status >= 300) {
    outcome.error = http_error(slot, outcome);
  }
  if (outcome.error) {
    if (outcome.error->request_id.empty()) outcome.error->request_id = a.m_head.request_id;
    if (outcome.error->http_status == 0) outcome.error->http_status = a.m_head.status;
  }
  op.on_done(*this, a, outcome);
  slot.phase = Phase::Idle;
  slot.op = nullptr;
}

// A request that has sent and received nothing for the stall timeout is abandoned and handed back as retryable.
// Tracked here rather than with curl's low-speed limit, which averages over a window and so fires seconds late
// after a burst. A paused attempt waits for its operation, not for the network.
void ClientCore::check_stalls() {
  const auto now = Clock::now();
  for (auto& s : m_slots) {
    if (s->phase != Phase::Busy || now - s->attempt.m_last_activity < m_settings.stall_timeout) continue;
    s->attempt.fail(Error::transient(
        fmt::format("stalled: nothing sent or received for {} s ({} {})", m_settings.stall_timeout.count(),
                    method_name(s->attempt.request().method), m_signer.host(s->attempt.request().target))));
    finish(*s, CURLE_OPERATION_TIMEDOUT);
  }
}

// Retires the operations that are finished (all of them with `all`, stopping them with `why` first): their attempts
// still in flight are dropped, they are told, and their waiters wake.
void ClientCore::retire_finished(bool all, const Error* why) {
  for (size_t i = 0; i < m_running.size();) {
    Operation& op = *m_running[i].op;
    if (all && why != nullptr && !op.finished()) op.stop(*why);
    if (!all && !op.finished()) {
      ++i;
      continue;
    }
    for (auto& s : m_slots) {
      if (s->op == &op && (s->phase == Phase::Busy || s->phase == Phase::Paused)) drop(*s);
    }
    Running done = std::move(m_running[i]);
    m_running.erase(m_running.begin() + static_cast<ptrdiff_t>(i));
    if (done.retired) done.retired();
    done.op->retire();
  }
}

// --- curl callbacks (inside curl_multi_socket_action, or curl_easy_pause) -------------------------------------------

size_t ClientCore::on_header(Slot& slot, std::string_view line) {
  Attempt& a = slot.attempt;
  a.m_last_activity = Clock::now();
  if (const auto status = parse_status_line(line)) {
    a.m_head = ResponseHead{};  // a new header block: after a 100 Continue, or the first
    a.m_head.status = *status;
    slot.head_done = false;
    return line.size();
  }
  if (is_end_of_headers(line)) {
    if (a.m_head.status < 200) return line.size();  // 1xx: the real answer follows
    slot.head_done = true;
    a.m_head_at = a.m_last_activity;
    if (a.m_head.status < 300) {
      slot.op->on_head(*this, a);
      if (a.ending()) return 0;  // aborts the transfer; finish() sees why
    }
    return line.size();
  }
  const auto header = parse_header_line(line);
  if (!header) return line.size();
  ResponseHead& h = a.m_head;
  h.headers.emplace_back(std::string(header->name), std::string(header->value));
  const std::string_view name = header->name;
  if (iequals(name, "content-range")) h.content_range = header->value;
  else if (iequals(name, "etag")) h.etag = header->value;
  else if (iequals(name, "x-amz-request-id")) h.request_id = header->value;
  else if (iequals(name, "retry-after")) h.retry_after = header->value;
  else if (iequals(name, "date")) h.date = header->value;
  else if (iequals(name, "content-length")) h.content_length = header->value;
  else if (iequals(name, "x-amz-bucket-region")) h.bucket_region = header->value;
  return line.size();
}

size_t ClientCore::on_write(Slot& slot, const char* data, size_t n) {
  Attempt& a = slot.attempt;
  a.m_last_activity = Clock::now();
  if (a.m_head.status < 200 || a.m_head.status >= 300) {  // an error answer: keep its body for the client
    slot.error_body.append(data, std::min(n, kMaxErrorBody - std::min(kMaxErrorBody, slot.error_body.size())));
    return n;
  }
  const size_t taken = slot.op->on_body(*this, a, std::as_bytes(std::span(data, n)));
  if (taken == kPauseBody) {
    slot.phase = Phase::Paused;
    return CURL_WRITEFUNC_PAUSE;
  }
  a.m_body_bytes += taken;
  m_received.fetch_add(taken, std::memory_order_relaxed);
  if (a.ending()) return 0;
  if (taken < n) {
    a.fail(Error{ErrorKind::Other, "internal error: the operation did not take the body"});
    return 0;
  }
  return n;
}

size_t ClientCore::on_read(Slot& slot, char* buffer, size_t max) {
  Attempt& a = slot.attempt;
  a.m_last_activity = Clock::now();
  const Request& r = a.m_request;
  size_t n = 0;
  if (!r.streamed_size) {
    n = std::min<size_t>(max, r.body.size() - std::min<size_t>(r.body.size(), a.m_sent));
    std::copy_n(r.body.data() + a.m_sent, n, buffer);
  } else {
    auto read = slot.op->read_body(a, a.m_sent, std::as_writable_bytes(std::span(buffer, max)));
    if (!read) {
      a.fail(read.error());
      return CURL_READFUNC_ABORT;
    }
    n = *read;
  }
  a.m_sent += n;
  m_sent.fetch_add(n, std::memory_order_relaxed);
  return n;
}

// curl rewinds a request body when it must send it again (a reused connection that turned out closed).
int ClientCore::on_seek(Slot& slot, curl_off_t offset, int origin) {
  if (origin != SEEK_SET || offset < 0) return CURL_SEEKFUNC_CANTSEEK;
  slot.attempt.m_sent = static_cast<uint64_t>(offset);
  return CURL_SEEKFUNC_OK;
}

size_t ClientCore::header_cb(char* buf, size_t size, size_t n, void* user) {
  auto* slot = static_cast<Slot*>(user);
  return slot->core->on_header(*slot, std::string_view(buf, size * n));
}
size_t ClientCore::write_cb(char* buf, size_t size, size_t n, void* user) {
  auto* slot = static_cast<Slot*>(user);
  return slot->core->on_write(*slot, buf, size * n);
}
size_t ClientCore::read_cb(char* buf, size_t size, size_t n, void* user) {
  auto* slot = static_cast<Slot*>(user);
  return slot->core->on_read(*slot, buf, size * n);
}
int ClientCore::seek_cb(void* user, curl_off_t offset, int origin) {
  auto* slot = static_cast<Slot*>(user);
  return slot->core->on_seek(*slot, offset, origin);
}

}  // namespace s3fcp
