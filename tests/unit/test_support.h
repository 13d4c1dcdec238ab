// What several unit test files share: binary size units, and a string's bytes as a span. (One definition here
// rather than one per file: the unit tests compile in batches, several files to a compiler run.)
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace s3fcp {

inline constexpr std::uint64_t KiB = std::uint64_t{1} << 10;
inline constexpr std::uint64_t MiB = std::uint64_t{1} << 20;
inline constexpr std::uint64_t GiB = std::uint64_t{1} << 30;
inline constexpr std::uint64_t TiB = std::uint64_t{1} << 40;

inline std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

}  // namespace s3fcp
