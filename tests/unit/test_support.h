// What several unit test files share: binary size units, a string's bytes as a span, a byte pattern, a temporary
// directory, an environment from a map. (One definition here rather than one per file: the unit tests compile in batches, several
// files to a compiler run.)
#pragma once

#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "resolve/aws_config.h"

namespace s3fcp {

inline constexpr std::uint64_t KiB = std::uint64_t{1} << 10;
inline constexpr std::uint64_t MiB = std::uint64_t{1} << 20;
inline constexpr std::uint64_t GiB = std::uint64_t{1} << 30;
inline constexpr std::uint64_t TiB = std::uint64_t{1} << 40;

inline std::span<const std::byte> bytes(std::string_view s) { return std::as_bytes(std::span(s.data(), s.size())); }

// The byte at offset `o` of a test object that is not periodic at any power of two.
inline std::byte pattern(uint64_t o) { return static_cast<std::byte>((o * 131 + o / 257 + 7) & 0xff); }

// A fresh directory under /tmp, removed with all it holds when the object goes.
class TempDir {
 public:
  explicit TempDir(std::string_view tag) {
    std::string name = "/tmp/s3fcp-" + std::string(tag) + ".XXXXXX";
    if (::mkdtemp(name.data()) == nullptr) throw std::runtime_error("mkdtemp failed for " + name);
    m_path = name;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(m_path, ec);
  }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

// An environment holding `vars` and nothing else.
inline EnvLookup env_of(std::map<std::string, std::string, std::less<>> vars) {
  return [vars = std::move(vars)](std::string_view name) {
    const auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

}  // namespace s3fcp
