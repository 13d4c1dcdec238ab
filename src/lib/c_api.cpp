// The C ABI of libs3fcp (include/s3fcp/s3fcp.h) over the engine: a thin shell. Each call turns its C arguments into
// the engine's options, runs the operation on the client with plain worker threads (no signal handling: that is
// the host's), watches the cancel token, and turns the outcome into an s3fcp_code and s3fcp_error. Nothing throws
// across the ABI: every entry point catches what the C++ below it might throw (std::bad_alloc) as S3FCP_ERR_OTHER.
#include "lib/c_api.h"
#include "lib/mapped_buffer.h"

#include <unistd.h>

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include <fmt/format.h>

#include "client/client_config.h"
#include "io/stdout_writer.h"
#include "ops/copy/copy_object.h"
#include "ops/get/download.h"
#include "ops/get/download_file.h"
#include "ops/get/whole_get.h"
#include "ops/head/head_object.h"
#include "s3/s3_uri.h"
#include "util/huge_buffer.h"
#include "util/log.h"
#include "util/workers.h"

using namespace s3fcp;

void s3fcp_cancel_token::attach(StopSignal* stop) {
  std::lock_guard lock(m_mutex);
  if (m_cancelled) return stop->fail(s3fcp::cancelled_error());
  m_attached.push_back(stop);
}

void s3fcp_cancel_token::detach(StopSignal* stop) {
  std::lock_guard lock(m_mutex);
  std::erase(m_attached, stop);
}

void s3fcp_cancel_token::cancel() {
  // The lock is held while the attached calls are stopped, so none of them returns (and destroys its signal) meanwhile.
  std::lock_guard lock(m_mutex);
  m_cancelled = true;
  for (StopSignal* stop : m_attached) stop->fail(s3fcp::cancelled_error());
}

bool s3fcp_cancel_token::cancelled() const {
  std::lock_guard lock(m_mutex);
  return m_cancelled;
}

namespace s3fcp {

void copy_text(char* out, size_t capacity, std::string_view text) {
  const size_t n = std::min(text.size(), capacity - 1);
  std::memcpy(out, text.data(), n);
  out[n] = '\0';
}

int report_error(const Error& e, s3fcp_error* err) {
  const int code = e.kind == ErrorKind::Terminated ? S3FCP_ERR_CANCELLED : exit_code(e.kind);
  if (err != nullptr) {
    err->code = code;
    err->http_status = e.http_status;
    copy_text(err->s3_code, sizeof err->s3_code, e.s3_code);
    copy_text(err->request_id, sizeof err->request_id, e.request_id);
    copy_text(err->message, sizeof err->message, e.message);
  }
  return code;
}

int report_ok(s3fcp_error* err) {
  if (err != nullptr) *err = s3fcp_error{};
  return S3FCP_OK;
}

Error cancelled_error() { return Error{ErrorKind::Interrupted, "cancelled"}; }

RunWorkers plain_runner(s3fcp_cancel_token* token) {
  return [token](const Workers& workers) {
    if (token != nullptr) token->attach(workers.stop);
    auto ran = run_workers(workers);
    if (token != nullptr) token->detach(workers.stop);
    return ran;
  };
}

Result<void> run_op(Client& client, const std::shared_ptr<Operation>& op, s3fcp_cancel_token* token) {
  StopSignal stop;
  stop.add_waker([&] { client.cancel(op, cancelled_error()); });
  if (token != nullptr) token->attach(&stop);
  client.submit(op);
  op->wait();
  if (token != nullptr) token->detach(&stop);
  if (stop.stopping()) return fail(cancelled_error());
  return {};
}

Result<void> check_names(const char* bucket, const char* key, bool key_needed) {
  if (bucket == nullptr || *bucket == '\0') return fail(Error::usage("the bucket name is empty"));
  if (key_needed && (key == nullptr || *key == '\0')) return fail(Error::usage("the key is empty"));
  if (key != nullptr) {
    if (auto why = invalid_key_reason(key)) return fail(Error::usage(*why));
  }
  return {};
}

}  // namespace s3fcp

namespace {

std::once_flag g_network_once;

// A download into the caller's memory holds no chunk buffers (each range is copied to its place as it arrives), so
// unless the caller chose otherwise it takes more of the budget, in larger ranges, than a streamed one: 1 GiB on the
// S3-like bench endpoint took 0.50-0.63 s this way against 0.81-1.04 s at 32 requests of 4 MiB.
constexpr uint32_t kIntoMemoryConcurrency = 64;
constexpr uint64_t kIntoMemoryChunk = 8ull << 20;

// A caller's option structure as this library knows it: the defaults, overlaid with the bytes the caller's (maybe
// older, shorter) structure has, as its struct_size says. A struct_size of 0 (a structure zeroed, not made by the
// *_init function) reads as the oldest layout, `first_size` bytes.
template <class T>
T given_options(const T* given, void (*init)(T*), size_t first_size) {
  T o;
  init(&o);
  if (given == nullptr) return o;
  const size_t size = given->struct_size != 0 ? given->struct_size : first_size;
  std::memcpy(&o, given, std::min(size, sizeof(T)));
  o.struct_size = sizeof(T);
  return o;
}

DownloadJob download_job(s3fcp_client* c, const char* bucket, const char* key, const s3fcp_get_options* options) {
  const s3fcp_get_options o = given_options(options, s3fcp_get_options_init, offsetof(s3fcp_get_options, max_size));
  DownloadJob job;
  job.target = Target{bucket, key, std::nullopt};
  if (c->part_size != 0) job.get.chunk_size = c->part_size;
  job.get.concurrency = c->per_call;
  if (o.version_id != nullptr) job.get.version_id = o.version_id;
  job.get.checksum = o.verify_checksum != 0 ? ChecksumMode::automatic() : ChecksumMode::off();
  if (o.max_size != 0) job.get.max_size = o.max_size;
  if (o.has_range != 0) {
    RangeSpec range;
    range.first = o.range_first;
    if (o.range_last >= 0) {
      range.kind = RangeSpec::Kind::FromTo;
      range.last = static_cast<uint64_t>(o.range_last);
    } else {
      range.kind = RangeSpec::Kind::From;
    }
    job.get.range = range;
    job.get.checksum = ChecksumMode::off();  // a full-object checksum says nothing about a part
  }
  return job;
}

// Where a get's bytes go: to a sink, strictly in order, or straight into a caller's memory at their offsets.
struct GetDestination {
  const ByteSink* sink = nullptr;
  std::span<std::byte> memory;  // when there is no sink
};

// A whole object (no range) is asked for in one GET first, collected in memory up to whole_get_limit and handed to
// the destination on the caller's thread once its checksum checked out: one request, no window, no writer thread.
// The answer's headers tell a larger object, which is then read in parallel ranges (one short request more), unless
// it is larger than the caller allows (max_size, the memory's size): TooLarge, its size in summary.selected.
Result<void> get_object(s3fcp_client& c, DownloadJob job, const GetDestination& to, s3fcp_cancel_token* cancel,
                        DownloadSummary& summary) {
  Client& client = *c.client;
  const auto started = std::chrono::steady_clock::now();
  if (!to.sink) job.get.max_size = std::min<uint64_t>(job.get.max_size.value_or(UINT64_MAX), to.memory.size());
  const uint64_t allowed = job.get.max_size.value_or(UINT64_MAX);
  if (!job.get.range) {
    WholeGet::Options options;
    options.version_id = job.get.version_id;
    options.object_headers = job.get.object_headers;
    options.checksum = job.get.checksum;
    options.max_size = std::min(whole_get_limit(job.get.chunk_size), allowed);
    options.body_for = [&pool = c.bodies](uint64_t size) { return pool.take(static_cast<size_t>(size)); };
    auto op = std::make_shared<WholeGet>(job.target, options);
    struct InPool {  // the get counts as in flight in the pool until its buffer goes back
      BodyPool& pool;
      WholeGet& op;
      InPool(BodyPool& p, WholeGet& o) : pool(p), op(o) { pool.begin(); }
      ~InPool() { pool.end(std::move(op.body())); }
    } in_pool{c.bodies, *op};
    if (auto ran = run_op(client, op, cancel); !ran) return fail(ran.error());
    const WholeGet::Outcome& got = op->result();
    if (got.status == WholeGet::Status::Failed) {
      return fail(got.error.value_or(Error{ErrorKind::Other, "internal error: a failed GET without an error"}));
    }
    if (got.status == WholeGet::Status::Done) {
      const std::vector<std::byte>& body = op->body();
      if (!body.empty()) {
        if (to.sink) {
          if (auto ok = (*to.sink)(body); !ok) return fail(ok.error());
        } else {
          std::memcpy(to.memory.data(), body.data(), body.size());  // fits: WholeGet stops past max_size
        }
      }
      summary.bytes = got.size;
      summary.object_size = got.size;
      summary.selected = ByteRange{0, got.size};
      summary.etag = got.etag;
      summary.requests = got.requests;
      summary.retries = got.retries;
      return {};
    }
    if (got.size > allowed) {
      summary.object_size = got.size;
      summary.selected = ByteRange{0, got.size};
      return fail(ErrorKind::TooLarge, fmt::format("the object's {} bytes are more than the {} allowed", got.size,
                                                   allowed));
    }
  }
  if (to.sink) return download_to_sink(client, job, *to.sink, plain_runner(cancel), summary);
  GetState state;
  const auto error = download_into_memory(client, job.target, job.get, to.memory, state, plain_runner(cancel));
  summary = summarize(state, started);
  if (error) return fail(*error);
  summary.bytes = summary.selected ? summary.selected->size() : 0;
  return {};
}

Result<void> get_object(s3fcp_client& c, const DownloadJob& job, const ByteSink& sink, s3fcp_cancel_token* cancel,
                        DownloadSummary& summary) {
  return get_object(c, job, GetDestination{&sink, {}}, cancel, summary);
}

// *bytes: what was delivered; after TooLarge, the size of what was asked for.
int finish_download(const Result<void>& result, uint64_t* bytes, const DownloadSummary& summary, s3fcp_error* err) {
  if (bytes != nullptr) {
    const bool too_large = !result && result.error().kind == ErrorKind::TooLarge;
    *bytes = too_large && summary.selected ? summary.selected->size() : summary.bytes;
  }
  if (!result) return report_error(result.error(), err);
  return report_ok(err);
}

}  // namespace

extern "C" {

S3FCP_API void s3fcp_config_init(s3fcp_config* config) {
  *config = s3fcp_config{};
  config->struct_size = sizeof(s3fcp_config);
}

S3FCP_API const char* s3fcp_version(void) { return S3FCP_VERSION_STRING; }

S3FCP_API s3fcp_client* s3fcp_client_new(const s3fcp_config* config, s3fcp_error* err) {
  s3fcp_client* out = nullptr;
  guarded(err, [&] {
    std::call_once(g_network_once, [] { init_network(); });
    const s3fcp_config c = given_options(config, s3fcp_config_init, offsetof(s3fcp_config, ca_bundle));
    // The library prints nothing unless asked to: its lines go to the caller's callback, or nowhere.
    if (c.log != nullptr) {
      set_log_sink([log = c.log, user = c.log_user](std::string_view line) {
        const std::string text(line);
        log(user, 1, text.c_str());
      });
    } else {
      set_log_sink([](std::string_view) {});
    }
    ClientConfig cc;
    if (c.endpoint_url != nullptr) cc.endpoint.endpoint_url = c.endpoint_url;
    if (c.region != nullptr) cc.endpoint.region = c.region;
    cc.endpoint.style = c.addressing == S3FCP_ADDRESSING_PATH      ? AddressingStyle::Path
                        : c.addressing == S3FCP_ADDRESSING_VIRTUAL ? AddressingStyle::Virtual
                                                                   : AddressingStyle::Auto;
    cc.addressing_style_given = c.addressing != S3FCP_ADDRESSING_AUTO;
    if (c.profile != nullptr) cc.profile = c.profile;
    cc.anonymous = c.anonymous != 0;
    ClientSettings& s = cc.client;
    s.concurrency = c.concurrency != 0 ? c.concurrency : kManyConcurrency;
    if (c.max_attempts != 0) s.retry.max_attempts = static_cast<int>(c.max_attempts);
    if (c.connect_timeout_ms != 0) s.connect_timeout = std::chrono::milliseconds(c.connect_timeout_ms);
    if (c.read_timeout_ms != 0) {
      s.stall_timeout = std::chrono::seconds(std::max<uint32_t>(1, (c.read_timeout_ms + 999) / 1000));
    }
    if (c.ca_bundle != nullptr) s.ca_bundle = c.ca_bundle;  // else resolve_client: AWS_CA_BUNDLE, the profile's
    s.verbose = c.verbose != 0 && c.log != nullptr;
    auto settings = resolve_client(std::move(cc));
    if (!settings) return report_error(settings.error(), err);
    auto client = std::make_unique<s3fcp_client>();
    // Unset: a budget for many calls at once, of which one call's transfer takes what one transfer needs.
    client->per_call = c.concurrency != 0 ? c.concurrency : kOneTransferConcurrency;
    client->concurrency_given = c.concurrency != 0;
    client->part_size = c.part_size;
    client->memory_limit = c.memory_limit;
    client->client = std::make_unique<Client>(std::move(*settings));
    out = client.release();
    return report_ok(err);
  });
  return out;
}

S3FCP_API void s3fcp_client_free(s3fcp_client* client) { delete client; }

S3FCP_API s3fcp_cancel_token* s3fcp_cancel_new(void) { return new (std::nothrow) s3fcp_cancel_token(); }
S3FCP_API void s3fcp_cancel(s3fcp_cancel_token* token) {
  if (token != nullptr) token->cancel();
}
S3FCP_API void s3fcp_cancel_free(s3fcp_cancel_token* token) { delete token; }

S3FCP_API void s3fcp_free(void* p) { release_mapped(p); }

S3FCP_API void s3fcp_get_options_init(s3fcp_get_options* options) {
  *options = s3fcp_get_options{};
  options->struct_size = sizeof(s3fcp_get_options);
  options->range_last = -1;
  options->verify_checksum = 1;
}

S3FCP_API int s3fcp_get_to_callback(s3fcp_client* client, const char* bucket, const char* key,
                                    const s3fcp_get_options* options, s3fcp_write_fn write, void* user,
                                    uint64_t* bytes, s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    if (write == nullptr) return report_error(Error::usage("no write callback"), err);
    DownloadSummary summary;
    const ByteSink sink = [&](std::span<const std::byte> data) -> Result<void> {
      if (write(user, data.data(), data.size()) != 0) return fail(ErrorKind::Io, "the write callback stopped the download");
      return {};
    };
    auto result = get_object(*client, download_job(client, bucket, key, options), sink, cancel, summary);
    return finish_download(result, bytes, summary, err);
  });
}

S3FCP_API int s3fcp_get_into_buffer(s3fcp_client* client, const char* bucket, const char* key,
                                    const s3fcp_get_options* options, void* buffer, size_t capacity, uint64_t* size,
                                    s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (size == nullptr) return report_error(Error::usage("no place for the size"), err);
    *size = 0;
    if (buffer == nullptr && capacity != 0) return report_error(Error::usage("no buffer"), err);
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    DownloadSummary summary;
    const std::span<std::byte> memory(static_cast<std::byte*>(buffer), capacity);
    advise_huge(memory);  // filling fresh memory: one page fault per 2 MiB instead of per 4 KiB
    DownloadJob job = download_job(client, bucket, key, options);
    if (!client->concurrency_given) job.get.concurrency = kIntoMemoryConcurrency;
    if (client->part_size == 0) job.get.chunk_size = kIntoMemoryChunk;
    auto result = get_object(*client, job, GetDestination{nullptr, memory}, cancel, summary);
    return finish_download(result, size, summary, err);
  });
}

S3FCP_API int s3fcp_get_to_fd(s3fcp_client* client, const char* bucket, const char* key,
                              const s3fcp_get_options* options, int fd, uint64_t* bytes, s3fcp_cancel_token* cancel,
                              s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    DownloadSummary summary;
    const ByteSink sink = fd_sink(fd);
    auto result = get_object(*client, download_job(client, bucket, key, options), sink, cancel, summary);
    return finish_download(result, bytes, summary, err);
  });
}

S3FCP_API int s3fcp_get_to_buffer(s3fcp_client* client, const char* bucket, const char* key,
                                  const s3fcp_get_options* options, void** data, size_t* size, s3fcp_cancel_token* cancel,
                                  s3fcp_error* err) {
  return guarded(err, [&] {
    if (data == nullptr || size == nullptr) return report_error(Error::usage("no place for the data"), err);
    *data = nullptr;
    *size = 0;
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    // A mapping grown with mremap: no copy of the bytes already there, and nothing left in malloc's heaps after
    // s3fcp_free (a long-running caller's memory stays flat).
    MappedBuffer buffer;
    const ByteSink sink = [&](std::span<const std::byte> bytes) -> Result<void> {
      if (!buffer.append(bytes)) return fail(ErrorKind::Other, "out of memory");
      return {};
    };
    DownloadSummary summary;
    auto result = get_object(*client, download_job(client, bucket, key, options), sink, cancel, summary);
    if (!result) return report_error(result.error(), err);
    *size = buffer.size();
    *data = buffer.release();  // an empty object: still a buffer
    if (*data == nullptr) return report_error(Error{ErrorKind::Other, "out of memory"}, err);
    return report_ok(err);
  });
}

S3FCP_API int s3fcp_head(s3fcp_client* client, const char* bucket, const char* key, const char* version_id,
                         s3fcp_object_info* info, s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    HeadObject::Options options;
    if (version_id != nullptr) options.version_id = version_id;
    options.checksum_mode = true;
    auto op = std::make_shared<HeadObject>(Target{bucket, key, std::nullopt}, options);
    if (auto ran = run_op(*client->client, op, cancel); !ran) return report_error(ran.error(), err);
    if (op->error()) return report_error(*op->error(), err);
    if (info != nullptr) {
      *info = s3fcp_object_info{};
      const ResponseHead& h = op->head();
      info->size = op->size().value_or(0);
      copy_text(info->etag, sizeof info->etag, h.etag);
      copy_text(info->version_id, sizeof info->version_id, h.find("x-amz-version-id").value_or(""));
      copy_text(info->content_type, sizeof info->content_type, h.find("content-type").value_or(""));
      copy_text(info->last_modified, sizeof info->last_modified, h.find("last-modified").value_or(""));
      copy_text(info->checksum_crc64nvme, sizeof info->checksum_crc64nvme,
                h.find("x-amz-checksum-crc64nvme").value_or(""));
    }
    return report_ok(err);
  });
}

S3FCP_API int s3fcp_copy(s3fcp_client* client, const char* src_bucket, const char* src_key,
                         const char* src_version_id, const char* dst_bucket, const char* dst_key,
                         s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(src_bucket, src_key, true); !ok) return report_error(ok.error(), err);
    if (auto ok = check_names(dst_bucket, dst_key, true); !ok) return report_error(ok.error(), err);
    CopySpec spec;
    spec.source = Target{src_bucket, src_key, std::nullopt};
    if (src_version_id != nullptr) spec.version_id = src_version_id;
    spec.destination = Target{dst_bucket, dst_key, std::nullopt};
    StopSignal copied;
    auto op = std::make_shared<CopyObject>(std::move(spec), copied);
    if (auto ran = run_op(*client->client, op, cancel); !ran) return report_error(ran.error(), err);
    if (auto e = copied.error(); e && !op->result().completed) return report_error(*e, err);
    return report_ok(err);
  });
}

S3FCP_API int s3fcp_delete(s3fcp_client* client, const char* bucket, const char* key, const char* version_id,
                           s3fcp_cancel_token* cancel, s3fcp_error* err) {
  return guarded(err, [&] {
    if (auto ok = check_names(bucket, key, true); !ok) return report_error(ok.error(), err);
    HeadObject::Options options;
    if (version_id != nullptr) options.version_id = version_id;
    options.method = Method::Delete;
    auto op = std::make_shared<HeadObject>(Target{bucket, key, std::nullopt}, options);
    if (auto ran = run_op(*client->client, op, cancel); !ran) return report_error(ran.error(), err);
    if (op->error()) return report_error(*op->error(), err);
    return report_ok(err);
  });
}

}  // extern "C"
