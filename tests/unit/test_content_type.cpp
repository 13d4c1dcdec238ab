// Content-Type from a file name: the mime.types format (comments, several extensions a line, repeats),
// lookups by the last extension in any case, the default, a missing file, and the system's /etc/mime.types
// when present.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "ops/put/content_type.h"

namespace s3fcp {
namespace {

constexpr std::string_view kSample = R"(###############
#  Media (MIME) types and the extensions that represent them.
###############

application/1d-interleaved-parityfec
application/json				json
application/x-tar				tar
text/html					html htm shtml
image/jpeg					jpeg jpg jpe jfif   # a comment after the extensions
	text/plain    txt text
application/x-csh				csh
text/x-csh					csh
application/gzip				gz
#text/commented  cmt
application/x-no-newline-at-end  nnl)";

TEST(MimeTypesTest, ParsesTheFormat) {
  const MimeTypes t = MimeTypes::parse(kSample);
  EXPECT_EQ(t.find("json"), "application/json");
  EXPECT_EQ(t.find("tar"), "application/x-tar");
  EXPECT_EQ(t.find("html"), "text/html");
  EXPECT_EQ(t.find("htm"), "text/html");
  EXPECT_EQ(t.find("shtml"), "text/html");
  EXPECT_EQ(t.find("jfif"), "image/jpeg");
  EXPECT_EQ(t.find("txt"), "text/plain") << "leading whitespace";
  EXPECT_EQ(t.find("nnl"), "application/x-no-newline-at-end");
  EXPECT_EQ(t.find("cmt"), std::nullopt) << "commented-out line";
  EXPECT_EQ(t.find("#"), std::nullopt);
  EXPECT_EQ(t.find("a"), std::nullopt) << "words of a trailing comment are not extensions";
  EXPECT_EQ(t.find("csh"), "text/x-csh") << "the last line naming an extension wins";
  EXPECT_EQ(t.size(), 14u);
}

TEST(MimeTypesTest, ParsesEmptyAndCrLfText) {
  EXPECT_EQ(MimeTypes::parse("").size(), 0u);
  EXPECT_EQ(MimeTypes::parse("\n\n# only comments\n").size(), 0u);
  const MimeTypes t = MimeTypes::parse("text/css css\r\ntext/csv csv\r\n");
  EXPECT_EQ(t.find("css"), "text/css");
  EXPECT_EQ(t.find("csv"), "text/csv");
}

TEST(MimeTypesTest, LooksUpTheLastExtensionInAnyCase) {
  const MimeTypes t = MimeTypes::parse(kSample);
  EXPECT_EQ(t.content_type("index.html"), "text/html");
  EXPECT_EQ(t.content_type("INDEX.HTML"), "text/html");
  EXPECT_EQ(t.content_type("Photo.JpG"), "image/jpeg");
  EXPECT_EQ(t.content_type("backup.tar.gz"), "application/gzip");
  EXPECT_EQ(t.content_type("backup.gz.tar"), "application/x-tar");
  EXPECT_EQ(t.content_type("/var/data/dir.json/file.html"), "text/html");
  EXPECT_EQ(t.content_type("relative/dir/report.json"), "application/json");
  EXPECT_EQ(MimeTypes::parse("Text/HTML HTML").content_type("a.html"), "Text/HTML") << "types as written";
}

TEST(MimeTypesTest, DefaultsToOctetStream) {
  const MimeTypes t = MimeTypes::parse(kSample);
  EXPECT_EQ(t.content_type("README"), "application/octet-stream");
  EXPECT_EQ(t.content_type(".bashrc"), "application/octet-stream") << "a leading dot is no extension";
  EXPECT_EQ(t.content_type("dir.html/README"), "application/octet-stream");
  EXPECT_EQ(t.content_type("name."), "application/octet-stream");
  EXPECT_EQ(t.content_type("model.safetensors"), "application/octet-stream");
  EXPECT_EQ(t.content_type(""), "application/octet-stream");
  EXPECT_EQ(MimeTypes().content_type("index.html"), "application/octet-stream");
}

TEST(MimeTypesTest, LoadsAFileAndToleratesAMissingOne) {
  const std::string path = testing::TempDir() + "s3fcp-test-mime.types." + std::to_string(::getpid());
  {
    std::ofstream out(path);
    out << kSample;
  }
  const MimeTypes t = MimeTypes::load(path);
  std::remove(path.c_str());
  EXPECT_EQ(t.content_type("x.json"), "application/json");
  const MimeTypes none = MimeTypes::load(path);
  EXPECT_EQ(none.size(), 0u);
  EXPECT_EQ(none.content_type("x.json"), "application/octet-stream");
}

TEST(MimeTypesTest, SystemMimeTypes) {
  if (::access(std::string(kSystemMimeTypesPath).c_str(), R_OK) != 0) {
    GTEST_SKIP() << kSystemMimeTypesPath << " is missing (Debian package media-types)";
  }
  const MimeTypes t = MimeTypes::load();
  EXPECT_GT(t.size(), 500u);
  EXPECT_EQ(t.content_type("data.json"), "application/json");
  EXPECT_EQ(t.content_type("backup.tar"), "application/x-tar");
  EXPECT_EQ(t.content_type("index.html"), "text/html");
  EXPECT_EQ(t.content_type("notes.TXT"), "text/plain");
  EXPECT_EQ(t.content_type("photo.jpg"), "image/jpeg");
  EXPECT_EQ(t.content_type("logs.gz"), "application/gzip");
  EXPECT_EQ(t.content_type("weights.bin-but-unknown"), "application/octet-stream");
}

}  // namespace
}  // namespace s3fcp
