// The resume journal: its text round-trips (escaped values, chunks in any order); a torn last line or a torn
// header is ignored, anything else damaged is refused; a journal of another download is told apart; on disk,
// reopening cuts a torn tail so that the next append starts a clean line.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "io/resume_journal.h"
#include "test_support.h"

namespace s3fcp {
namespace {

JournalHeader sample_header() { return {"s3://bucket/dir/file.bin", "", "", "\"abc123\"", 1000, 300}; }  // 4 chunks

TEST(ResumeJournal, RoundTripsHeaderAndChunksInAnyOrder) {
  const std::string text = format_journal_header(sample_header()) + format_journal_done(2) + format_journal_done(0) +
                           format_journal_done(3) + format_journal_done(2);
  auto parsed = parse_journal(text);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_TRUE(parsed->has_value());
  const JournalContents& j = **parsed;
  EXPECT_EQ(j.header, sample_header());
  EXPECT_EQ(j.done, (std::vector<bool>{true, false, true, true}));
  EXPECT_EQ(j.done_count, 3u);
  EXPECT_EQ(j.done_bytes, 300u + 300u + 100u);  // the last chunk is short
  EXPECT_EQ(j.valid_length, text.size());
}

TEST(ResumeJournal, EscapesAwkwardValues) {
  JournalHeader h = sample_header();
  h.source = "s3://b/a key with spaces,\n100% odd\x7f\t";
  h.version_id = "v%1";
  const auto parsed = parse_journal(format_journal_header(h));
  ASSERT_TRUE(parsed.has_value() && parsed->has_value());
  EXPECT_EQ((*parsed)->header, h);
  EXPECT_EQ(format_journal_header(h).find('\t'), std::string::npos);
}

TEST(ResumeJournal, IgnoresATornLastLine) {
  const std::string good = format_journal_header(sample_header()) + format_journal_done(1);
  const auto parsed = parse_journal(good + "done 3");  // "done 3\n" cut short by a kill
  ASSERT_TRUE(parsed.has_value() && parsed->has_value());
  EXPECT_EQ((*parsed)->done, (std::vector<bool>{false, true, false, false}));
  EXPECT_EQ((*parsed)->valid_length, good.size());
}

TEST(ResumeJournal, NoCompleteHeaderMeansNothingToResume) {
  const std::string header = format_journal_header(sample_header());
  for (size_t cut : {size_t{0}, size_t{5}, header.size() - 1, header.rfind("size ")}) {
    const auto parsed = parse_journal(header.substr(0, cut));
    ASSERT_TRUE(parsed.has_value()) << cut;
    EXPECT_FALSE(parsed->has_value()) << cut;
  }
}

TEST(ResumeJournal, RefusesDamage) {
  const std::string header = format_journal_header(sample_header());
  for (const std::string& text : {
           header + "done 9\n",                    // no such chunk
           header + "done x\n",                    // not a number
           header + "done 1\ngarbage\ndone 2\n",   // a broken line in the middle
           header + "done 1done 2\n",              // two entries run together
           std::string("hello world\n"),           // not a journal
           header.substr(0, header.find("size")) + "size 12ab\nchunk-size 300\n",
       }) {
    const auto parsed = parse_journal(text);
    ASSERT_FALSE(parsed.has_value()) << text;
    EXPECT_EQ(parsed.error().kind, ErrorKind::Usage);
    EXPECT_NE(parsed.error().message.find("damaged"), std::string::npos) << parsed.error().message;
  }
  const auto future = parse_journal("s3fcp-journal 3\n");
  ASSERT_FALSE(future.has_value());
  EXPECT_NE(future.error().message.find("version 3"), std::string::npos);
  const auto old = parse_journal("s3fcp-journal 1\n");  // had no range line: refused, not misread
  ASSERT_FALSE(old.has_value());
  EXPECT_NE(old.error().message.find("version 1"), std::string::npos);
}

TEST(ResumeJournal, TellsAnotherDownloadApart) {
  const JournalHeader h = sample_header();
  EXPECT_FALSE(journal_mismatch(h, h.source, "", "", 300).has_value());
  const auto source = journal_mismatch(h, "s3://bucket/other", "", "", 300);
  ASSERT_TRUE(source.has_value());
  EXPECT_NE(source->find("s3://bucket/dir/file.bin"), std::string::npos);
  EXPECT_TRUE(journal_mismatch(h, h.source, "v2", "", 300).has_value());
  const auto chunk = journal_mismatch(h, h.source, "", "", 8 << 20);
  ASSERT_TRUE(chunk.has_value());
  EXPECT_NE(chunk->find("--chunk-size 300"), std::string::npos) << *chunk;
  const auto range = journal_mismatch(h, h.source, "", "bytes=0-99", 300);
  ASSERT_TRUE(range.has_value());
  EXPECT_EQ(*range, "it is of the whole object, not --range bytes=0-99");
  JournalHeader ranged = h;
  ranged.range = "bytes=0-99";
  EXPECT_FALSE(journal_mismatch(ranged, h.source, "", "bytes=0-99", 300).has_value());
  EXPECT_TRUE(journal_mismatch(ranged, h.source, "", "bytes=0-98", 300).has_value());
}

TEST(ResumeJournal, ARangedJournalCountsChunksOfTheRange) {
  JournalHeader h = sample_header();
  h.range = "bytes=-650";  // of 1000 bytes: 350-999, three chunks of 300, 300 and 50
  const auto parsed = parse_journal(format_journal_header(h) + format_journal_done(2));
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_TRUE(parsed->has_value());
  EXPECT_EQ((*parsed)->header, h);
  EXPECT_EQ((*parsed)->header.selected(), (ByteRange{350, 1000}));
  EXPECT_EQ((*parsed)->done, (std::vector<bool>{false, false, true}));
  EXPECT_EQ((*parsed)->done_bytes, 50u);

  h.range = "bytes=2000-";  // past the end of the object it names: damaged
  const auto past = parse_journal(format_journal_header(h));
  ASSERT_FALSE(past.has_value());
  EXPECT_NE(past.error().message.find("damaged"), std::string::npos);
  h.range = "bytes=9-1";
  EXPECT_FALSE(parse_journal(format_journal_header(h)).has_value());
}

class JournalFile : public ::testing::Test {
 protected:
  void SetUp() override { m_path = m_dir + "/.f.s3fcp-journal"; }
  std::string read() const {
    std::ifstream in(m_path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  void append_raw(const std::string& text) const {
    std::ofstream out(m_path, std::ios::binary | std::ios::app);
    out << text;
  }
  TempDir m_tmp{"journal-test"};
  const std::string m_dir = m_tmp.path();
  std::string m_path;
};

TEST_F(JournalFile, MissingIsNothingToResume) {
  auto loaded = ResumeJournal::load(m_path);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_FALSE(loaded->has_value());
}

TEST_F(JournalFile, CreateAppendLoad) {
  {
    auto journal = ResumeJournal::create(m_path, sample_header());
    ASSERT_TRUE(journal.has_value()) << journal.error().message;
    ASSERT_TRUE(journal->append_done(3).has_value());
    ASSERT_TRUE(journal->append_done(0).has_value());
  }
  auto loaded = ResumeJournal::load(m_path);
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->header, sample_header());
  EXPECT_EQ((*loaded)->done, (std::vector<bool>{true, false, false, true}));
}

TEST_F(JournalFile, ReopenCutsATornTailBeforeAppending) {
  {
    auto journal = ResumeJournal::create(m_path, sample_header());
    ASSERT_TRUE(journal.has_value());
    ASSERT_TRUE(journal->append_done(1).has_value());
  }
  append_raw("done 2");  // torn: no newline
  auto loaded = ResumeJournal::load(m_path);
  ASSERT_TRUE(loaded.has_value() && loaded->has_value());
  EXPECT_EQ((*loaded)->done_count, 1u);
  {
    auto journal = ResumeJournal::reopen(m_path, (*loaded)->valid_length);
    ASSERT_TRUE(journal.has_value()) << journal.error().message;
    ASSERT_TRUE(journal->append_done(3).has_value());
  }
  EXPECT_EQ(read(), format_journal_header(sample_header()) + "done 1\ndone 3\n");
}

TEST_F(JournalFile, CreateReplacesAnOldJournal) {
  append_raw("old contents that are not a journal\n");
  JournalHeader other = sample_header();
  other.etag = "\"new\"";
  ASSERT_TRUE(ResumeJournal::create(m_path, other).has_value());
  EXPECT_EQ(read(), format_journal_header(other));
}

TEST_F(JournalFile, DamageNamesTheFile) {
  append_raw(format_journal_header(sample_header()) + "nonsense\n");
  auto loaded = ResumeJournal::load(m_path);
  ASSERT_FALSE(loaded.has_value());
  EXPECT_NE(loaded.error().message.find(m_path), std::string::npos) << loaded.error().message;
}

}  // namespace
}  // namespace s3fcp
