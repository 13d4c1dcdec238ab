// Run files and --files-from. split_words passes go-shellquote's own test table (unquote_test.go) plus the
// corners of each state; a mixed run file keeps cp lines with their line numbers and skips comments, blanks
// and CRLF; other operations and bad quoting are errors naming the line. --files-from keeps names literally.
#include <gtest/gtest.h>

#include <optional>

#include <string>
#include <vector>

#include "batch/batch_file.h"
#include "batch/key_filter.h"

namespace s3fcp {
namespace {

using Words = std::vector<std::string>;

Words split_ok(std::string_view line) {
  auto w = split_words(line);
  EXPECT_TRUE(w.has_value()) << "'" << line << "': " << w.error().message;
  return w ? *w : Words{};
}

std::string split_error(std::string_view line) {
  auto w = split_words(line);
  EXPECT_FALSE(w.has_value()) << line;
  if (w) return "";
  EXPECT_EQ(w.error().kind, ErrorKind::Usage);
  return w.error().message;
}

TEST(SplitWordsTest, GoShellquoteTestTable) {
  // kballard/go-shellquote unquote_test.go, simpleSplitTest, verbatim.
  EXPECT_EQ(split_ok("hello"), (Words{"hello"}));
  EXPECT_EQ(split_ok("hello goodbye"), (Words{"hello", "goodbye"}));
  EXPECT_EQ(split_ok("hello   goodbye"), (Words{"hello", "goodbye"}));
  EXPECT_EQ(split_ok("glob* test?"), (Words{"glob*", "test?"}));
  EXPECT_EQ(split_ok("don\\'t you know the dewey decimal system\\?"),
            (Words{"don't", "you", "know", "the", "dewey", "decimal", "system?"}));
  EXPECT_EQ(split_ok("'don'\\''t you know the dewey decimal system?'"),
            (Words{"don't you know the dewey decimal system?"}));
  EXPECT_EQ(split_ok("one '' two"), (Words{"one", "", "two"}));
  EXPECT_EQ(split_ok("text with\\\na backslash-escaped newline"),
            (Words{"text", "witha", "backslash-escaped", "newline"}));
  EXPECT_EQ(split_ok("text \"with\na\" quoted newline"), (Words{"text", "with\na", "quoted", "newline"}));
  EXPECT_EQ(split_ok("\"quoted\\d\\\\\\\" text with\\\na backslash-escaped newline\""),
            (Words{"quoted\\d\\\" text witha backslash-escaped newline"}));
  EXPECT_EQ(split_ok("text with an escaped \\\n newline in the middle"),
            (Words{"text", "with", "an", "escaped", "newline", "in", "the", "middle"}));
  EXPECT_EQ(split_ok("foo\"bar\"baz"), (Words{"foobarbaz"}));
  // errorSplitTest.
  EXPECT_EQ(split_error("don't worry"), "unterminated single-quoted string");
  EXPECT_EQ(split_error("'test'\\''ing"), "unterminated single-quoted string");
  EXPECT_EQ(split_error("\"foo'bar"), "unterminated double-quoted string");
  EXPECT_EQ(split_error("foo\\"), "unterminated backslash-escape");
}

TEST(SplitWordsTest, SingleQuotesKeepEverything) {
  EXPECT_EQ(split_ok("'a \\n \"b\" $x'"), (Words{"a \\n \"b\" $x"}));
  EXPECT_EQ(split_ok("'it''s'"), (Words{"its"}));
  EXPECT_EQ(split_ok("''"), (Words{""}));
  EXPECT_EQ(split_ok("'\\'"), (Words{"\\"}));
}

TEST(SplitWordsTest, DoubleQuotesEscapeOnlyFiveCharacters) {
  EXPECT_EQ(split_ok(R"("a\"b")"), (Words{"a\"b"}));
  EXPECT_EQ(split_ok(R"("a\\b")"), (Words{"a\\b"}));
  EXPECT_EQ(split_ok(R"("\$HOME \`x\`")"), (Words{"$HOME `x`"}));
  EXPECT_EQ(split_ok(R"("a\nb\tc\'d")"), (Words{"a\\nb\\tc\\'d"}));  // other escapes keep their backslash
  EXPECT_EQ(split_ok("\"line\\\njoined\""), (Words{"linejoined"}));
  EXPECT_EQ(split_ok(R"("it's")"), (Words{"it's"}));
  EXPECT_EQ(split_ok(R"("")"), (Words{""}));
  EXPECT_EQ(split_ok(R"("\é")"), (Words{"\\é"}));
  EXPECT_EQ(split_error(R"("ends with backslash\")"), "unterminated double-quoted string");
  EXPECT_EQ(split_error(R"("\)"), "unterminated double-quoted string");
}

TEST(SplitWordsTest, BackslashOutsideQuotes) {
  EXPECT_EQ(split_ok(R"(a\ b)"), (Words{"a b"}));
  EXPECT_EQ(split_ok(R"(\'\"\\)"), (Words{"'\"\\"}));
  EXPECT_EQ(split_ok(R"(\a\b)"), (Words{"ab"}));
  EXPECT_EQ(split_ok(R"(\é)"), (Words{"é"}));
  EXPECT_EQ(split_ok("\\\n"), (Words{}));
  EXPECT_EQ(split_error("\\"), "unterminated backslash-escape");
  EXPECT_EQ(split_error("a \\"), "unterminated backslash-escape");
}

TEST(SplitWordsTest, SeparatorsAndJoining) {
  EXPECT_EQ(split_ok("a\tb \t c"), (Words{"a", "b", "c"}));
  EXPECT_EQ(split_ok("a\rb"), (Words{"a\rb"}));  // CR is not a separator
  EXPECT_EQ(split_ok("a\vb"), (Words{"a\vb"}));
  EXPECT_EQ(split_ok(""), (Words{}));
  EXPECT_EQ(split_ok("   "), (Words{}));
  EXPECT_EQ(split_ok("a\"b c\"'d e'f"), (Words{"ab cd ef"}));
  EXPECT_EQ(split_ok("cp a b # not a comment"), (Words{"cp", "a", "b", "#", "not", "a", "comment"}));
  EXPECT_EQ(split_ok("\xFF\xFE 'bytes \xFF'"), (Words{"\xFF\xFE", "bytes \xFF"}));
}

TEST(BatchFileTest, MixedFile) {
  const std::string text =
      "# copy the reports\n"
      "\n"
      "cp s3://bucket/reports/q1.pdf out/q1.pdf\r\n"
      "   cp   's3://bucket/with space/x y.txt'   \"out/x y.txt\"   \n"
      "\t# indented comment\n"
      "cp --concurrency 8 s3://bucket/a\\ b out/ab\n"
      "cp s3://bucket/#hash out/#hash\n"
      "   \t  \r\n"
      "cp s3://bucket/\"q\"uote out/it\\'s";
  const auto lines = std::optional(parse_batch_file(text));
  ASSERT_EQ(lines->size(), 5u);
  EXPECT_EQ((*lines)[0], (BatchLine{3, {"cp", "s3://bucket/reports/q1.pdf", "out/q1.pdf"}, ""}));
  EXPECT_EQ((*lines)[1], (BatchLine{4, {"cp", "s3://bucket/with space/x y.txt", "out/x y.txt"}, ""}));
  EXPECT_EQ((*lines)[2], (BatchLine{6, {"cp", "--concurrency", "8", "s3://bucket/a b", "out/ab"}, ""}));
  EXPECT_EQ((*lines)[3], (BatchLine{7, {"cp", "s3://bucket/#hash", "out/#hash"}, ""}));
  EXPECT_EQ((*lines)[4], (BatchLine{9, {"cp", "s3://bucket/quote", "out/it's"}, ""}));
}

TEST(BatchFileTest, EmptyAndCommentOnlyFiles) {
  EXPECT_TRUE(parse_batch_file("").empty());
  EXPECT_TRUE(parse_batch_file("\n\n# only\n  #comments\r\n").empty());
}

// One bad line fails that line only: it is listed with its error, the others run.
TEST(BatchFileTest, OtherOperationsAreErrorsOfTheirLine) {
  const auto lines = parse_batch_file("cp a b\n# c\n\ncp c d\n\n\nmv s3://b/x s3://b/y\ncp e f\n");
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2].line, 7u);
  EXPECT_EQ(lines[2].error, "'mv' is not supported (only cp)");
  EXPECT_EQ(lines[3], (BatchLine{8, {"cp", "e", "f"}, ""}));
  EXPECT_EQ(parse_batch_file("rm s3://b/x")[0].error, "'rm' is not supported (only cp)");
  EXPECT_EQ(parse_batch_file("cp a b\nrun other.txt")[1].error, "'run' is not supported (only cp)");
  EXPECT_EQ(parse_batch_file("CP a b")[0].error, "'CP' is not supported (only cp)");
  EXPECT_EQ(parse_batch_file("'' a b")[0].error, "'' is not supported (only cp)");
  EXPECT_EQ(parse_batch_file("cp a b\n  'cp' c d")[1].words[0], "cp");
  EXPECT_TRUE(parse_batch_file("cp a b\n  'cp' c d")[1].error.empty());
}

TEST(BatchFileTest, QuotingErrorsAreErrorsOfTheirLine) {
  EXPECT_EQ(parse_batch_file("cp a b\ncp 'unclosed c\n")[1].error, "unterminated single-quoted string");
  EXPECT_EQ(parse_batch_file("\n\ncp \"open c\n")[0].line, 3u);
  EXPECT_EQ(parse_batch_file("\n\ncp \"open c\n")[0].error, "unterminated double-quoted string");
  EXPECT_EQ(parse_batch_file("cp a b\\\ncp c d\n")[0].error, "unterminated backslash-escape");
  EXPECT_EQ(parse_batch_file("cp a b \\\r\n")[0].error, "unterminated backslash-escape");
}

TEST(RunWildcardTest, StarAndQuestionMarkAreWildcardsBracketsAreLiteral) {
  EXPECT_TRUE(has_wildcard("data/*"));
  EXPECT_TRUE(has_wildcard("a?c"));
  EXPECT_FALSE(has_wildcard("data/[b]/x"));
  EXPECT_FALSE(has_wildcard(""));
  EXPECT_EQ(wildcard_glob("data/[b]/*.csv"), "data/[[]b]/*.csv");
  EXPECT_TRUE(glob_matches(wildcard_glob("data/[b]/*"), "data/[b]/q.csv"));
  EXPECT_FALSE(glob_matches(wildcard_glob("data/[b]/*"), "data/b/q.csv"));
  EXPECT_TRUE(glob_matches(wildcard_glob("logs/20?4-*"), "logs/2024-01/a.log"));  // '*' crosses '/'
}

TEST(FilesFromTest, NamesAreLiteral) {
  const std::string text =
      "plain/key.txt\n"
      "#not-a-comment\n"
      "\n"
      "  leading and trailing  \n"
      "crlf/line\r\n"
      "'quotes' stay \"as is\"\n"
      "back\\slash\n"
      " \t \n"
      "\r\n"
      "données/文件.txt\n"
      "no/final/newline";
  EXPECT_EQ(parse_files_from(text), (std::vector<ListedName>{
                                        {1, "plain/key.txt"},
                                        {2, "#not-a-comment"},
                                        {4, "  leading and trailing  "},
                                        {5, "crlf/line"},
                                        {6, "'quotes' stay \"as is\""},
                                        {7, "back\\slash"},
                                        {10, "données/文件.txt"},
                                        {11, "no/final/newline"},
                                    }));
}

TEST(FilesFromTest, OnlyOneCarriageReturnIsDropped) {
  EXPECT_EQ(parse_files_from("a\r\r\nb\rc\n"), (std::vector<ListedName>{{1, "a\r"}, {2, "b\rc"}}));
  EXPECT_TRUE(parse_files_from("").empty());
  EXPECT_TRUE(parse_files_from("\n\n\r\n").empty());
}

}  // namespace
}  // namespace s3fcp

namespace s3fcp {
namespace {

// What a dry run writes, a run file reads back as the same word (all but LF, which ends a line).
TEST(QuoteRunWordTest, SplitWordsReadsItBack) {
  for (const std::string word : {"s3://b/plain-key_1.txt", "a b", "it's", "tab\there", "*?[x]", "\"q\"", "back\\slash",
                                 "", "ünï €", "$HOME", "#not-a-comment"}) {
    const auto words = split_words("cp " + quote_run_word(word));
    ASSERT_TRUE(words.has_value()) << word;
    ASSERT_EQ(words->size(), 2u) << word;
    EXPECT_EQ((*words)[1], word);
  }
  EXPECT_EQ(quote_run_word("s3://b/k"), "s3://b/k");
  EXPECT_EQ(quote_run_word("line\nbreak"), "'line\\nbreak'");
}

}  // namespace
}  // namespace s3fcp
