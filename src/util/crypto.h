// SHA-256 and HMAC-SHA-256: the only hashing the project needs (SigV4). This header keeps OpenSSL out of
// every other file; crypto.cpp is the one place that includes it.
#pragma once

#include <array>
#include <span>
#include <string>
#include <string_view>

namespace s3fcp {

// Raw 32-byte digests. A failure inside OpenSSL (no SHA-256 provider, out of memory) aborts the process:
// it means a broken installation, not a condition a caller could handle.
std::array<unsigned char, 32> sha256(std::string_view data);
std::array<unsigned char, 32> hmac_sha256(std::string_view key, std::string_view data);

// "00ff..." — two lowercase hex digits per byte.
std::string hex_lower(std::span<const unsigned char> bytes);

// hex_lower(sha256(data)): the form SigV4 uses for payload and canonical-request hashes.
std::string sha256_hex(std::string_view data);

}  // namespace s3fcp
