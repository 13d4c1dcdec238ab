#include "cli/settings.h"

#include <span>

#include "client/client_config.h"
#include "util/base64.h"
#include "util/crypto.h"

namespace s3fcp {

HeaderList sse_c_headers(const std::string& raw_key) {
  if (raw_key.empty()) return {};
  StreamingDigest md5(DigestAlgorithm::Md5);
  md5.update(std::as_bytes(std::span(raw_key)));
  const auto raw = std::span(reinterpret_cast<const unsigned char*>(raw_key.data()), raw_key.size());
  return {{"x-amz-server-side-encryption-customer-algorithm", "AES256"},
          {"x-amz-server-side-encryption-customer-key", base64_encode(raw)},
          {"x-amz-server-side-encryption-customer-key-MD5", base64_encode(md5.finish())}};
}

Result<Resolved> resolve(Options& o) {
  const bool http_source = !o.source_url.empty() && o.mode == Options::Mode::Single;
  ClientConfig config;
  config.endpoint = o.endpoint;
  config.addressing_style_given = o.addressing_style_given;
  config.profile = o.profile;
  config.anonymous = o.no_sign_request || http_source;  // an http(s) source is fetched as given, unsigned
  config.region_from_imds = !http_source;
  config.request_payer = o.request_payer;
  ClientSettings& c = config.client;
  c.concurrency = o.concurrency;
  c.retry.max_attempts = o.max_attempts;
  c.connect_timeout = std::chrono::seconds(o.connect_timeout_s);
  c.stall_timeout = std::chrono::seconds(o.read_timeout_s);
  c.ca_bundle = o.ca_bundle;
  c.verify_tls = !o.no_verify_tls;
  c.verbose = o.verbose;
  auto settings = resolve_client(std::move(config));
  if (!settings) return fail(settings.error());
  const EndpointSettings& endpoint = settings->endpoint;

  Resolved out;
  out.client = std::move(*settings);
  out.sse_c = sse_c_headers(o.sse_c_key);
  if (o.mode != Options::Mode::Single) {
    // Many objects: the targets come one by one; the bucket named (if any) is checked now.
    for (const std::string& bucket : {o.remote.bucket, o.copy_to.bucket}) {
      if (bucket.empty()) continue;
      if (auto location = resolve_object_location(S3Uri{bucket, "k"}, endpoint, ""); !location) {
        return fail(location.error());
      }
    }
  } else if (o.direction == Options::Direction::Copy) {
    out.source = Target{o.source.bucket, o.source.key, std::nullopt};
    out.copy_to = Target{o.upload_to.bucket, o.upload_to.key, std::nullopt};
    for (const S3Uri& uri : {o.source, o.upload_to}) {
      if (auto location = resolve_object_location(uri, endpoint, ""); !location) return fail(location.error());
    }
  } else if (o.direction == Options::Direction::Upload) {
    out.source = Target{o.upload_to.bucket, o.upload_to.key, std::nullopt};
    if (auto location = resolve_object_location(o.upload_to, endpoint, ""); !location) return fail(location.error());
  } else if (http_source) {
    auto location = parse_http_source(o.source_url);
    if (!location) return fail(location.error());
    out.source.fixed = std::move(*location);
  } else {
    out.source = Target{o.source.bucket, o.source.key, std::nullopt};
    // Checked now, so that an unusable bucket name is one usage error before anything is sent.
    if (auto location = resolve_object_location(o.source, endpoint, ""); !location) return fail(location.error());
  }
  return out;
}

}  // namespace s3fcp
