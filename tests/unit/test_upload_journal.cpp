// The upload journal: where it lives (XDG state directory from an injected environment), its file name, the
// JSON round trip with awkward strings, damaged and foreign files, atomic saves in a fresh temp directory,
// and every reason check_upload_journal() refuses to continue.
#include <gtest/gtest.h>

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "ops/put/upload_journal.h"
#include "util/crypto.h"
#include "test_support.h"

namespace s3fcp {
namespace {

// A fresh directory per test, removed with its files at the end.
class TempDir {
 public:
  TempDir() {
    std::string templ = testing::TempDir() + "s3fcp-upload-journal-XXXXXX";
    EXPECT_NE(::mkdtemp(templ.data()), nullptr);
    m_path = templ;
  }
  ~TempDir() { std::system(("rm -rf '" + m_path + "'").c_str()); }
  const std::string& path() const { return m_path; }

 private:
  std::string m_path;
};

std::vector<std::string> list_dir(const std::string& dir) {
  std::vector<std::string> names;
  if (DIR* d = ::opendir(dir.c_str())) {
    while (const dirent* e = ::readdir(d)) {
      const std::string name = e->d_name;
      if (name != "." && name != "..") names.push_back(name);
    }
    ::closedir(d);
  }
  return names;
}

void write_file(const std::string& path, std::string_view text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

// The journal at `path` (nullopt: none), failing the test when it cannot be read.
std::optional<UploadJournal> loaded(const std::string& path) {
  auto j = load_upload_journal(path);
  EXPECT_TRUE(j.has_value()) << j.error().message;
  return j.value_or(std::nullopt);
}

UploadJournal sample_journal() {
  UploadJournal j;
  j.upload_id = "VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA";
  j.binding.bucket = "my-bucket";
  j.binding.key = "models/llama.safetensors";
  j.binding.source_path = "/data/models/llama.safetensors";
  j.binding.size = 140'000'000'000ULL;
  j.binding.mtime_ns = 1'700'000'000'123'456'789LL;
  j.binding.part_size = 16 << 20;
  j.binding.checksum = ChecksumAlgorithm::Crc64Nvme;
  j.binding.options_digest = "3f2a";
  return j;
}

// ---- where ----

TEST(UploadJournalDirTest, XdgStateHomeFirst) {
  EXPECT_EQ(upload_journal_dir(env_of({{"XDG_STATE_HOME", "/xdg/state"}, {"HOME", "/home/u"}})),
            "/xdg/state/s3fcp");
}

TEST(UploadJournalDirTest, HomeWhenXdgIsUnsetEmptyOrRelative) {
  EXPECT_EQ(upload_journal_dir(env_of({{"HOME", "/home/u"}})), "/home/u/.local/state/s3fcp");
  EXPECT_EQ(upload_journal_dir(env_of({{"XDG_STATE_HOME", ""}, {"HOME", "/home/u"}})),
            "/home/u/.local/state/s3fcp");
  EXPECT_EQ(upload_journal_dir(env_of({{"XDG_STATE_HOME", "state"}, {"HOME", "/home/u"}})),
            "/home/u/.local/state/s3fcp");
}

TEST(UploadJournalDirTest, NeitherIsAUsageError) {
  for (const auto& env : {env_of({}), env_of({{"HOME", "relative"}}), env_of({{"XDG_STATE_HOME", "x"}})}) {
    const auto dir = upload_journal_dir(env);
    ASSERT_FALSE(dir.has_value());
    EXPECT_EQ(dir.error().kind, ErrorKind::Usage);
  }
}

TEST(UploadJournalPathTest, NamedByTheHashOfSourceAndTarget) {
  const std::string path = upload_journal_path("/st/s3fcp", "/data/a.bin", "b", "k/a.bin");
  // The name must not change between versions: a journal written by one must be found by the next.
  EXPECT_EQ(path, "/st/s3fcp/upload-" + sha256_hex(std::string("/data/a.bin\0s3://b/k/a.bin", 26)) + ".json");
  EXPECT_EQ(path.size(), std::string("/st/s3fcp/upload-.json").size() + 64);
  EXPECT_EQ(path, upload_journal_path("/st/s3fcp", "/data/a.bin", "b", "k/a.bin"));
  EXPECT_NE(path, upload_journal_path("/st/s3fcp", "/data/b.bin", "b", "k/a.bin"));
  EXPECT_NE(path, upload_journal_path("/st/s3fcp", "/data/a.bin", "c", "k/a.bin"));
  EXPECT_NE(path, upload_journal_path("/st/s3fcp", "/data/a.bin", "b", "k/b.bin"));
}

// ---- the text ----

TEST(UploadJournalFormatTest, RoundTrip) {
  const UploadJournal j = sample_journal();
  const std::string text = format_upload_journal(j);
  EXPECT_NE(text.find("\"format\": \"s3fcp-upload-journal\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"checksum\": \"CRC64NVME\""), std::string::npos) << text;
  EXPECT_NE(text.find("\"mtime_ns\": 1700000000123456789"), std::string::npos) << text;
  EXPECT_EQ(parse_upload_journal(text), j);
}

TEST(UploadJournalFormatTest, AwkwardStringsSurvive) {
  UploadJournal j = sample_journal();
  j.binding.source_path = "/tmp/not utf-8 \xff\xfe/100%/line\nbreak/\"quoted\"/\\";
  j.binding.key = "日本/ü/%41/ +";
  j.binding.checksum = std::nullopt;
  j.binding.options_digest = "";
  j.binding.mtime_ns = -5;  // before 1970: unusual, not impossible
  const std::string text = format_upload_journal(j);
  for (const char c : text) {
    ASSERT_LT(static_cast<unsigned char>(c), 0x80) << "the file is plain ASCII";
  }
  EXPECT_NE(text.find("\"checksum\": null"), std::string::npos) << text;
  EXPECT_EQ(parse_upload_journal(text), j);
}

void expect_unusable(std::string_view text, std::string_view needle) {
  SCOPED_TRACE(text);
  const auto j = parse_upload_journal(text);
  ASSERT_FALSE(j.has_value());
  EXPECT_EQ(j.error().kind, ErrorKind::Usage);
  EXPECT_NE(j.error().message.find(needle), std::string::npos) << j.error().message;
  EXPECT_EQ(j.error().message.find('\n'), std::string::npos) << j.error().message;
}

TEST(UploadJournalFormatTest, DamagedOrForeignFiles) {
  const std::string good = format_upload_journal(sample_journal());
  expect_unusable("", "not JSON");
  expect_unusable(good.substr(0, good.size() / 2), "not JSON");
  expect_unusable("[1, 2]", "not a JSON object");
  expect_unusable(R"({"some": "other json"})", "not an s3fcp upload journal");
  expect_unusable(R"({"format": "s3fcp-upload-journal", "version": 2})",
                  "format version 2, this s3fcp reads 1");
  expect_unusable(R"({"format": "s3fcp-upload-journal"})", "no \"version\"");

  const auto edit = [&](const std::string& from, const std::string& to) {
    std::string text = good;
    const auto at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    return text.replace(at, from.size(), to);
  };
  expect_unusable(edit("\"size\": 140000000000", "\"size\": -1"), "\"size\" is not a whole number");
  expect_unusable(edit("\"size\": 140000000000", "\"size\": \"140000000000\""), "\"size\"");
  expect_unusable(edit("\"size\": 140000000000", "\"size\": 1.5"), "\"size\"");
  expect_unusable(edit("\"size\": 140000000000,", ""), "no \"size\"");
  expect_unusable(edit("\"mtime_ns\": 1700000000123456789", "\"mtime_ns\": 18446744073709551615"),
                  "mtime_ns");
  expect_unusable(edit("\"part_size\": 16777216", "\"part_size\": 0"), "part_size");
  expect_unusable(edit("\"bucket\": \"my-bucket\"", "\"bucket\": 7"), "\"bucket\" is not a string");
  expect_unusable(edit("\"bucket\": \"my-bucket\"", "\"bucket\": \"my%2\""), "bad escape");
  expect_unusable(edit("\"checksum\": \"CRC64NVME\"", "\"checksum\": \"CRC99\""), "\"checksum\"");
  expect_unusable(edit("\"upload_id\": \"VXBsb2FkIElEIGZvciA2aWWpbmcncyBteS1tb3ZpZS5tMnRzIHVwbG9hZA\"",
                       "\"upload_id\": \"\""),
                  "upload_id");
}

// ---- the file ----

TEST(UploadJournalFileTest, SaveLoadRemove) {
  TempDir tmp;
  const std::string dir = tmp.path() + "/state/deeper/s3fcp";
  const std::string path = upload_journal_path(dir, "/src", "b", "k");

  EXPECT_EQ(loaded(path), std::nullopt) << "nothing there yet";
  ASSERT_TRUE(save_upload_journal(path, sample_journal()).has_value());
  EXPECT_EQ(loaded(path), sample_journal());

  struct stat st {};
  ASSERT_EQ(::stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(::stat((tmp.path() + "/state").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u) << "missing parents are private too";
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  UploadJournal changed = sample_journal();
  changed.upload_id = "another";
  ASSERT_TRUE(save_upload_journal(path, changed).has_value());
  EXPECT_EQ(loaded(path), changed);
  EXPECT_EQ(list_dir(dir).size(), 1u) << "no temporary file left behind";

  ASSERT_TRUE(remove_upload_journal(path).has_value());
  EXPECT_TRUE(list_dir(dir).empty());
  EXPECT_TRUE(remove_upload_journal(path).has_value()) << "removing what is not there is fine";
  EXPECT_EQ(loaded(path), std::nullopt);
}

TEST(UploadJournalFileTest, DamagedFileNamesItself) {
  TempDir tmp;
  const std::string path = tmp.path() + "/upload-x.json";
  write_file(path, "{\"format\": \"s3fcp-upload-journal\", \"version\": 1, \"bucket\": ");
  const auto j = load_upload_journal(path);
  ASSERT_FALSE(j.has_value());
  EXPECT_EQ(j.error().kind, ErrorKind::Usage);
  EXPECT_NE(j.error().message.find(path + ": the upload journal is damaged"), std::string::npos)
      << j.error().message;
}

TEST(UploadJournalFileTest, SaveFailsWhereNoDirectoryCanBe) {
  TempDir tmp;
  write_file(tmp.path() + "/file", "x");
  const auto saved = save_upload_journal(tmp.path() + "/file/s3fcp/upload-x.json", sample_journal());
  ASSERT_FALSE(saved.has_value());
  EXPECT_EQ(saved.error().kind, ErrorKind::Io);
}

TEST(SourceFileTest, RealPathSizeAndMtime) {
  TempDir tmp;
  const std::string path = tmp.path() + "/data.bin";
  write_file(path, "12345");
  const auto f = stat_source_file(tmp.path() + "/./data.bin");
  ASSERT_TRUE(f.has_value()) << f.error().message;
  char real[PATH_MAX];
  ASSERT_NE(::realpath(path.c_str(), real), nullptr);
  EXPECT_EQ(f->path, real);
  EXPECT_EQ(f->size, 5u);
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(f->mtime_ns, static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec);

  const timespec times[2] = {{0, UTIME_OMIT}, {1'600'000'000, 987'654'321}};
  ASSERT_EQ(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  EXPECT_EQ(stat_source_file(path)->mtime_ns, 1'600'000'000'987'654'321LL);
}

TEST(SourceFileTest, MissingOrNotAFile) {
  TempDir tmp;
  const auto missing = stat_source_file(tmp.path() + "/nope");
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::NotFound);
  const auto dir = stat_source_file(tmp.path());
  ASSERT_FALSE(dir.has_value());
  EXPECT_EQ(dir.error().kind, ErrorKind::Usage);
}

// ---- may it continue? ----

void expect_refused(const UploadBinding& now, std::string_view needle) {
  const auto ok = check_upload_journal(sample_journal(), now);
  ASSERT_FALSE(ok.has_value());
  EXPECT_EQ(ok.error().kind, ErrorKind::Usage);
  EXPECT_NE(ok.error().message.find("cannot continue the upload: "), std::string::npos) << ok.error().message;
  EXPECT_NE(ok.error().message.find(needle), std::string::npos) << ok.error().message;
  EXPECT_EQ(ok.error().message.find('\n'), std::string::npos);
}

TEST(CheckUploadJournalTest, SameEverythingContinues) {
  EXPECT_TRUE(check_upload_journal(sample_journal(), sample_journal().binding).has_value());
}

TEST(CheckUploadJournalTest, EachDifferenceIsRefused) {
  UploadBinding now = sample_journal().binding;
  now.size += 1;
  expect_refused(now, "it was 140000000000 bytes, now 140000000001");

  now = sample_journal().binding;
  now.mtime_ns += 1;
  expect_refused(now, "changed since the upload began (its modification time)");

  now = sample_journal().binding;
  now.part_size = 32 << 20;
  expect_refused(now, "parts of 16777216 bytes, this run would make 33554432");

  now = sample_journal().binding;
  now.checksum = ChecksumAlgorithm::Crc32c;
  expect_refused(now, "checksum CRC64NVME, this run asks for CRC32C");
  now.checksum = std::nullopt;
  expect_refused(now, "this run asks for none");

  now = sample_journal().binding;
  now.options_digest = "other";
  expect_refused(now, "other object options");

  now = sample_journal().binding;
  now.key = "other-key";
  expect_refused(now, "s3://my-bucket/models/llama.safetensors, not s3://my-bucket/other-key");

  now = sample_journal().binding;
  now.bucket = "other-bucket";
  expect_refused(now, "not s3://other-bucket/");

  now = sample_journal().binding;
  now.source_path = "/elsewhere";
  expect_refused(now, "not /elsewhere");
}

}  // namespace
}  // namespace s3fcp
