// CRC-64/NVME, the checksum S3 computes for every object by default since 2025 (x-amz-checksum-crc64nvme).
// Parameters: poly 0xAD93D23594C93659, reflected in and out, init and xorout all ones; the CRC of "123456789"
// is 0xAE8B14860A799888. Debian 12's ISA-L (2.30) predates its crc64_rocksoft functions, so it lives here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace s3fcp {

// zlib-style chaining: pass 0 to start, then the previous result to continue, so that
// crc64nvme(crc64nvme(0, a), b) == crc64nvme(0, a + b). Uses the carry-less-multiply path when the CPU has
// PCLMULQDQ, the portable table path otherwise.
std::uint64_t crc64nvme(std::uint64_t crc, std::span<const std::byte> data);

// The two paths, callable directly so tests and benchmarks can compare them. crc64nvme_clmul() falls back to
// the portable path when crc64nvme_has_clmul() is false, so it is always safe to call.
std::uint64_t crc64nvme_portable(std::uint64_t crc, std::span<const std::byte> data);
std::uint64_t crc64nvme_clmul(std::uint64_t crc, std::span<const std::byte> data);
bool crc64nvme_has_clmul();

// "pclmul" or "slicing-by-16": which path crc64nvme() takes on this CPU.
const char* crc64nvme_implementation();

}  // namespace s3fcp
