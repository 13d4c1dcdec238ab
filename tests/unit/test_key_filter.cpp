// --include / --exclude: '*' crosses '/', exclude wins whatever the order, includes narrow, empty patterns
// are usage errors; '?' takes one UTF-8 character; '\' is literal and brackets quote the glob characters.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "batch/key_filter.h"

namespace s3fcp {
namespace {

KeyFilter make(std::vector<std::string> includes, std::vector<std::string> excludes) {
  auto f = KeyFilter::create(std::move(includes), std::move(excludes));
  EXPECT_TRUE(f.has_value()) << f.error().message;
  return std::move(*f);
}

TEST(KeyFilterTest, NoPatternsSelectEverything) {
  const KeyFilter f = make({}, {});
  EXPECT_TRUE(f.selects_all());
  EXPECT_TRUE(f.selects(""));
  EXPECT_TRUE(f.selects("a/b/c"));
  EXPECT_TRUE(KeyFilter().selects("x"));
}

TEST(KeyFilterTest, StarCrossesSlashes) {
  const KeyFilter f = make({"*.log"}, {});
  EXPECT_TRUE(f.selects("a.log"));
  EXPECT_TRUE(f.selects("logs/2024/01/a.log"));
  EXPECT_FALSE(f.selects("a.log.gz"));
  EXPECT_TRUE(make({"logs/*"}, {}).selects("logs/2024/01/a.log"));
  EXPECT_TRUE(make({"a?b"}, {}).selects("a/b"));  // '?' crosses '/' too
}

TEST(KeyFilterTest, StarMatchesLeadingDots) {
  EXPECT_TRUE(make({"*"}, {}).selects(".hidden"));
  EXPECT_TRUE(make({"dir/*"}, {}).selects("dir/.hidden"));
  EXPECT_FALSE(make({}, {"*/.*"}).selects("dir/.hidden"));
}

TEST(KeyFilterTest, PatternsMatchTheWholeName) {
  const KeyFilter f = make({"data"}, {});
  EXPECT_TRUE(f.selects("data"));
  EXPECT_FALSE(f.selects("data/x"));
  EXPECT_FALSE(f.selects("my-data"));
}

TEST(KeyFilterTest, ExcludeWinsWhateverTheOrder) {
  const KeyFilter f = make({"*.jpg", "*"}, {"tmp/*", "*.jpg"});
  EXPECT_FALSE(f.selects("a.jpg"));
  EXPECT_FALSE(f.selects("tmp/x.txt"));
  EXPECT_TRUE(f.selects("keep.txt"));
  // Same patterns, other order: same answers.
  const KeyFilter g = make({"*", "*.jpg"}, {"*.jpg", "tmp/*"});
  for (const char* name : {"a.jpg", "tmp/x.txt", "keep.txt", "tmp", "x/tmp/y"}) {
    EXPECT_EQ(f.selects(name), g.selects(name)) << name;
  }
}

TEST(KeyFilterTest, IncludesNarrowExcludesAlone) {
  const KeyFilter inc = make({"*.csv", "reports/*"}, {});
  EXPECT_TRUE(inc.selects("x.csv"));
  EXPECT_TRUE(inc.selects("reports/q1.pdf"));
  EXPECT_FALSE(inc.selects("x.json"));

  const KeyFilter exc = make({}, {"*.tmp", "cache/*"});
  EXPECT_TRUE(exc.selects("x.json"));
  EXPECT_FALSE(exc.selects("a/b.tmp"));
  EXPECT_FALSE(exc.selects("cache/x"));
  EXPECT_TRUE(exc.selects("cachex"));
}

TEST(KeyFilterTest, BracketsAndQuotingGlobCharacters) {
  EXPECT_TRUE(make({"file[0-9].txt"}, {}).selects("file7.txt"));
  EXPECT_FALSE(make({"file[0-9].txt"}, {}).selects("fileA.txt"));
  EXPECT_TRUE(make({"file[!0-9].txt"}, {}).selects("fileA.txt"));
  EXPECT_TRUE(make({"a[*]b"}, {}).selects("a*b"));
  EXPECT_FALSE(make({"a[*]b"}, {}).selects("axb"));
  EXPECT_TRUE(make({"what[?]"}, {}).selects("what?"));
  EXPECT_FALSE(make({"what[?]"}, {}).selects("whatx"));
  EXPECT_TRUE(make({"[[]x]"}, {}).selects("[x]"));
}

TEST(KeyFilterTest, BackslashIsAnOrdinaryCharacter) {
  EXPECT_TRUE(make({"dir\\*"}, {}).selects("dir\\file"));  // '\' literal, then '*'
  EXPECT_FALSE(make({"dir\\*"}, {}).selects("dir*"));
  EXPECT_TRUE(make({"a\\b"}, {}).selects("a\\b"));
}

TEST(KeyFilterTest, QuestionMarkTakesOneUtf8Character) {
  EXPECT_TRUE(make({"?.txt"}, {}).selects("é.txt"));
  EXPECT_TRUE(make({"??.txt"}, {}).selects("文件.txt"));
  EXPECT_FALSE(make({"?.txt"}, {}).selects("文件.txt"));
  EXPECT_TRUE(make({"[éè].txt"}, {}).selects("è.txt"));
  EXPECT_TRUE(make({"photos/*/😀*"}, {}).selects("photos/2024/😀 party.jpg"));
  // Not UTF-8: still matched, byte by byte.
  EXPECT_TRUE(make({"*.bin"}, {}).selects("\xFF\xFE.bin"));
  EXPECT_TRUE(glob_matches("?.bin", "\xFF.bin"));
}

TEST(KeyFilterTest, EmptyPatternsAreUsageErrors) {
  auto inc = KeyFilter::create({"*.txt", ""}, {});
  ASSERT_FALSE(inc.has_value());
  EXPECT_EQ(inc.error().kind, ErrorKind::Usage);
  EXPECT_EQ(inc.error().message, "--include: the pattern is empty");
  auto exc = KeyFilter::create({}, {""});
  ASSERT_FALSE(exc.has_value());
  EXPECT_EQ(exc.error().message, "--exclude: the pattern is empty");
}

TEST(KeyFilterTest, TheAwsCliIdiomExcludeAllThenIncludeIsAUsageError) {
  // aws s3 cp --exclude '*' --include '*.csv' means "only *.csv" there; here exclude wins, so it would copy nothing.
  for (const auto& [includes, excludes] : std::vector<std::pair<std::vector<std::string>, std::vector<std::string>>>{
           {{"*.csv"}, {"*"}}, {{"*.csv", "*.tsv"}, {"tmp/*", "*"}}}) {
    auto f = KeyFilter::create(includes, excludes);
    ASSERT_FALSE(f.has_value());
    EXPECT_EQ(f.error().kind, ErrorKind::Usage);
    EXPECT_EQ(f.error().message,
              "--exclude '*' leaves nothing for --include to select: exclude wins here, whatever the order (the AWS "
              "CLI's --exclude '*' --include '*.csv' is --include '*.csv' alone)");
  }
  EXPECT_FALSE(make({}, {"*"}).selects("a"));  // alone it is a plain request for nothing
  EXPECT_TRUE(make({"*.csv"}, {"*.tmp"}).selects("a.csv"));
}

TEST(KeyFilterTest, OddPatternsAreLiteralNotErrors) {
  EXPECT_TRUE(make({"a[b"}, {}).selects("a[b"));  // an unclosed bracket is an ordinary '['
  EXPECT_TRUE(make({"]"}, {}).selects("]"));
  EXPECT_TRUE(make({" "}, {}).selects(" "));
}

}  // namespace
}  // namespace s3fcp
