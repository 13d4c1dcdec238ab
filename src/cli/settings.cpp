#include "cli/settings.h"

#include <span>

#include "resolve/aws_config.h"
#include "resolve/providers.h"
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
  const bool http_source = !o.source_url.empty();
  auto shared = load_shared_config(config_paths());
  if (!shared) return fail(shared.error());
  auto config = std::make_shared<const SharedConfig>(std::move(*shared));
  const Profile profile = config->profile(select_profile_name(o.profile));
  EndpointSettings& endpoint = o.endpoint;
  if (endpoint.endpoint_url.empty()) endpoint.endpoint_url = configured_endpoint_url(*config, profile, "s3");
  // IMDS knows the region only on EC2, and a custom endpoint does not need it: ask it only for AWS endpoints.
  endpoint.region = resolve_region(endpoint.region, profile, endpoint.endpoint_url.empty() && !http_source);
  endpoint.dualstack = endpoint.dualstack || profile_use_dualstack(profile);
  endpoint.fips = endpoint.fips || profile_use_fips(profile);
  if (!o.addressing_style_given) {
    if (const std::string text = profile_addressing_style(profile); !text.empty()) {
      auto style = parse_addressing_style(text);
      if (!style) return fail(style.error());
      endpoint.style = *style;
    }
  }

  Resolved out;
  if (o.mode != Options::Mode::Single) {
    // Many objects: the targets come one by one; the bucket named (if any) is checked now.
    if (!o.remote.bucket.empty()) {
      if (auto location = resolve_object_location(S3Uri{o.remote.bucket, "k"}, endpoint, ""); !location) {
        return fail(location.error());
      }
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

  ClientSettings& c = out.client;
  c.endpoint = endpoint;
  if (!o.no_sign_request && (!http_source || o.mode != Options::Mode::Single)) {  // an http(s) source is fetched as given, unsigned
    DefaultChainOptions chain_options;
    chain_options.profile = o.profile;
    chain_options.region = endpoint.region;
    chain_options.config = config;
    auto chain = make_default_chain(chain_options);
    if (!chain) return fail(chain.error());
    c.credentials = std::shared_ptr<CredentialChain>(std::move(*chain));
    if (auto creds = c.credentials->get(); !creds) return fail(creds.error());
  }
  if (!o.request_payer.empty()) c.common_headers.emplace_back("x-amz-request-payer", o.request_payer);
  c.concurrency = o.concurrency;
  c.retry.max_attempts = o.max_attempts;
  c.connect_timeout = std::chrono::seconds(o.connect_timeout_s);
  c.stall_timeout = std::chrono::seconds(o.read_timeout_s);
  c.ca_bundle = o.ca_bundle;
  c.verbose = o.verbose;
  out.sse_c = sse_c_headers(o.sse_c_key);
  return out;
}

}  // namespace s3fcp
