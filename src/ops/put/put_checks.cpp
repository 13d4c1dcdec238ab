#include "ops/put/put_checks.h"

#include <array>

#include <fmt/format.h>

#include "ops/put/put_ops.h"
#include "util/base64.h"
#include "util/strings.h"

namespace s3fcp {

std::string encoded(const std::vector<unsigned char>& digest) { return base64_encode(digest); }

std::optional<Error> check_echo(const ResponseHead& head, ChecksumAlgorithm algorithm, const std::string& ours,
                                std::string& server) {
  if (algorithm == ChecksumAlgorithm::Md5 || ours.empty()) return std::nullopt;
  const auto echoed = head.find(checksum_header_name(algorithm));
  if (!echoed) return std::nullopt;
  server = std::string(*echoed);
  if (auto same = verify(ExpectedChecksum{algorithm, server}, ours); !same) {
    Error e = same.error();
    e.message = "the server stored other bytes than we sent: " + e.message;
    return e;
  }
  return std::nullopt;
}

bool shows_our_checksum(const ResponseHead& head, ChecksumAlgorithm algorithm, const std::string& ours) {
  if (ours.empty()) return false;
  if (algorithm == ChecksumAlgorithm::Md5) return head.etag == "\"" + ours + "\"";
  const auto stated = head.find(checksum_header_name(algorithm));
  if (!stated) return false;
  if (ours.find('-') != std::string::npos) return trim(*stated) == ours;  // composite: "<base64>-N"
  return verify(ExpectedChecksum{algorithm, std::string(*stated)}, ours).has_value();
}

std::optional<std::string> multipart_etag(const std::vector<std::string>& part_etags) {
  Checksummer md5(ChecksumAlgorithm::Md5);
  for (const auto& etag : part_etags) {
    const auto hex = expected_md5_from_etag(etag);
    if (!hex) return std::nullopt;
    std::array<std::byte, 16> digest{};
    for (size_t i = 0; i < digest.size(); ++i) {
      digest[i] = static_cast<std::byte>(std::stoi(hex->substr(2 * i, 2), nullptr, 16));
    }
    md5.update(digest);
  }
  return fmt::format("\"{}-{}\"", md5.finish_hex(), part_etags.size());
}

bool etag_from_md5s(const ResponseHead& head) {
  const auto sse = head.find("x-amz-server-side-encryption");
  return !(sse && sse->starts_with("aws:kms")) && !head.find("x-amz-server-side-encryption-customer-algorithm");
}

Error conditional_failure(const Error& error, const Target& target) {
  if (error.http_status == 412) {
    Error e{ErrorKind::Exists, fmt::format("s3://{}/{} exists: nothing was written (--no-clobber)", target.bucket,
                                           target.key), 412};
    e.s3_code = error.s3_code;
    e.request_id = error.request_id;
    return e;
  }
  if (error.http_status == 409 && error.s3_code == "ConditionalRequestConflict") {
    Error e = error;
    e.kind = ErrorKind::Exists;
    e.message = "another write to the same key raced this one (ConditionalRequestConflict): nothing was written";
    return e;
  }
  return error;
}

HeaderList body_checksum_headers(ChecksumAlgorithm algorithm, const std::vector<unsigned char>& digest) {
  if (digest.empty()) return {};
  if (algorithm == ChecksumAlgorithm::Md5) return {{"Content-MD5", encoded(digest)}};
  return {{std::string(checksum_header_name(algorithm)), encoded(digest)}};
}

}  // namespace s3fcp
