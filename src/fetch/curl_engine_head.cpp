// The checksum HEAD sent beside the probe, and following S3 to the bucket's region when it says we asked the
// wrong one. Both run on the network thread, as part of CurlEngine.
#include <curl/curl.h>

#include <algorithm>

#include <fmt/format.h>

#include "fetch/curl_engine_impl.h"
#include "util/log.h"

namespace s3fcp {

// The checksum lives in the object's metadata, which S3 omits from ranged GETs: a HEAD with checksum mode,
// sent beside the probe so it costs no latency, reads it. The writer waits for the outcome before its first
// byte (the algorithm must be known from byte 0); the HEAD's ETag is compared with the download's at the end.
void CurlEngine::Impl::start_head() {
  Transfer& t = *transfers.back();  // the spare: the scheduler never uses more than `concurrency` transfers
  t.reset_response();
  t.head = true;
  t.hedge = t.paused = t.finished_pending = false;
  t.task = FetchTask{};
  t.cursor = t.start_cursor = 0;
  auto req = requests.make_request("HEAD", "", "", {{"x-amz-checksum-mode", "ENABLED"}});
  if (!req) return state.fail(req.error());
  curl_slist_free_all(t.headers);
  t.headers = nullptr;
  for (const auto& h : req->headers) t.headers = curl_slist_append(t.headers, h.c_str());
  curl_easy_setopt(t.easy, CURLOPT_URL, req->url.c_str());
  curl_easy_setopt(t.easy, CURLOPT_HTTPHEADER, t.headers);
  curl_easy_setopt(t.easy, CURLOPT_NOBODY, 1L);
  t.busy = true;
  t.started = t.last_activity = Clock::now();
  curl_multi_add_handle(multi, t.easy);
  state.requests.fetch_add(1, std::memory_order_relaxed);
  if (options.verbose) log_line(fmt::format("> HEAD {} (checksum)", requests.location().display()));
}

// S3 names the bucket's region in x-amz-bucket-region (or <Region> of the error body) when we asked the wrong
// one: 301 PermanentRedirect, 400 AuthorizationHeaderMalformed. Re-resolve the endpoint and re-sign, once.
bool CurlEngine::Impl::follow_region_redirect(const Transfer& t, const std::optional<S3ErrorBody>& body) {
  const bool wrong_region = t.status == 301 || (body && (body->code == "PermanentRedirect" ||
                                                         body->code == "AuthorizationHeaderMalformed" ||
                                                         body->code == "IllegalLocationConstraintException"));
  if (!wrong_region) return false;
  const std::string region = !t.bucket_region.empty() ? t.bucket_region : body ? body->region : "";
  const std::string from = requests.region();
  if (!requests.switch_region(region)) return false;
  if (options.verbose) {
    log_line(fmt::format("the bucket is in {}, not {}: following to {}", region, from, requests.location().display()));
  }
  return true;
}

void CurlEngine::Impl::finish_head(Transfer& t, CURLcode result) {
  t.busy = false;
  t.head = false;
  long status = 0;
  curl_easy_getinfo(t.easy, CURLINFO_RESPONSE_CODE, &status);
  t.status = status;
  if (result == CURLE_OK && !head_redirected && follow_region_redirect(t, std::nullopt)) {
    head_redirected = true;
    return start_head();  // a HEAD answer has no body: the header names the region
  }
  const bool required = options.checksum.kind == ChecksumMode::Kind::Require;
  if (result != CURLE_OK || status != 200) {
    const std::string why = result != CURLE_OK ? (t.failure ? t.failure->message : curl_easy_strerror(result))
                                               : fmt::format("HTTP {}", status);
    if (options.verbose) log_line(fmt::format("< HEAD failed ({}): no checksum to verify", why));
    if (required) return state.fail(Error{ErrorKind::Checksum, "cannot read the object's checksum: HEAD " + why});
    return state.decide_checksum({});
  }
  auto chosen = choose_checksum(t.head_headers, options.checksum);
  if (!chosen) {
    if (const auto malformed = find_malformed_checksum(t.head_headers)) {
      const std::string algorithm = malformed->algorithm ? std::string(checksum_algorithm_name(*malformed->algorithm))
                                                         : malformed->header;
      state.set_checksum_result({algorithm, malformed->value, "", DownloadState::ChecksumResult::Verdict::Malformed});
    }
    return state.fail(chosen.error());
  }
  if (options.verbose) {
    log_line(*chosen ? fmt::format("< HEAD 200: will verify {} {}", checksum_algorithm_name((*chosen)->algorithm),
                                   (*chosen)->value)
                     : std::string("< HEAD 200: the object has no full-object checksum to verify"));
  }
  state.decide_checksum({*chosen, t.etag});
}

}  // namespace s3fcp
