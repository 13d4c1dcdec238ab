#include "client/client_config.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/format.h>

#include "resolve/aws_config.h"
#include "resolve/providers.h"

namespace s3fcp {

Result<ClientSettings> resolve_client(ClientConfig c) {
  auto shared = load_shared_config(config_paths());
  if (!shared) return fail(shared.error());
  auto config = std::make_shared<const SharedConfig>(std::move(*shared));
  const Profile profile = config->profile(select_profile_name(c.profile));
  EndpointSettings& endpoint = c.endpoint;
  if (endpoint.endpoint_url.empty()) endpoint.endpoint_url = configured_endpoint_url(*config, profile, "s3");
  // IMDS knows the region only on EC2, and a custom endpoint does not need it: ask it only for AWS endpoints.
  endpoint.region = resolve_region(endpoint.region, profile, endpoint.endpoint_url.empty() && c.region_from_imds);
  endpoint.dualstack = endpoint.dualstack || profile_use_dualstack(profile);
  endpoint.fips = endpoint.fips || profile_use_fips(profile);
  if (!c.addressing_style_given) {
    if (const std::string text = profile_addressing_style(profile); !text.empty()) {
      auto style = parse_addressing_style(text);
      if (!style) return fail(style.error());
      endpoint.style = *style;
    }
  }
  ClientSettings settings = std::move(c.client);
  settings.endpoint = endpoint;
  settings.ca_bundle = resolve_ca_bundle(settings.ca_bundle, profile);
  // One clear error now rather than one per request (curl would say "error setting certificate file" each time).
  const bool https = endpoint.endpoint_url.empty() || endpoint.endpoint_url.starts_with("https://");
  if (https && !settings.ca_bundle.empty() && ::access(settings.ca_bundle.c_str(), R_OK) != 0) {
    return fail(
        Error::usage(fmt::format("cannot read the CA bundle {}: {}", settings.ca_bundle, std::strerror(errno))));
  }
  if (!c.anonymous) {
    DefaultChainOptions chain_options;
    chain_options.profile = c.profile;
    chain_options.region = endpoint.region;
    chain_options.config = config;
    chain_options.ca_bundle = settings.ca_bundle;
    auto chain = make_default_chain(chain_options);
    if (!chain) return fail(chain.error());
    settings.credentials = std::shared_ptr<CredentialChain>(std::move(*chain));
    if (auto creds = settings.credentials->get(); !creds) return fail(creds.error());
  }
  if (!c.request_payer.empty()) settings.common_headers.emplace_back("x-amz-request-payer", c.request_payer);
  return settings;
}

}  // namespace s3fcp
