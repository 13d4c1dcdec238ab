// What a user of the engine says about the client (the CLI's flags, the library's s3fcp_config), and how the
// environment and the shared config files (~/.aws/config, ~/.aws/credentials) complete it into the client's settings,
// by the AWS CLI's rules: the endpoint URL and the region by their precedence, the profile's addressing style,
// dual-stack and FIPS switches, and the credential chain (loaded once, so that a missing key is one clear error
// before anything is sent).
#pragma once

#include <string>

#include "client/client.h"
#include "util/error.h"

namespace s3fcp {

struct ClientConfig {
  EndpointSettings endpoint;            // as given; an empty URL or region is looked up
  bool addressing_style_given = false;  // else the profile's s3.addressing_style
  std::string profile;                  // empty: AWS_PROFILE, else AWS_DEFAULT_PROFILE, else "default"
  bool anonymous = false;               // no credentials, unsigned requests
  bool region_from_imds = true;         // EC2 metadata may tell the region (only ever asked for AWS endpoints)
  std::string request_payer;
  ClientSettings client;                // the rest, as it will be (endpoint and credentials are filled here)
};

Result<ClientSettings> resolve_client(ClientConfig config);

}  // namespace s3fcp
