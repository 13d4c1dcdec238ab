// FileStore: chunks stored out of order and in pieces land byte-exact at their offsets; head() moves only over
// chunks wholly stored, so window_end() slides with the lowest unfinished chunk; resumed chunks count as done;
// the hooks hear of the plan and of each finished chunk once; a failing write is an Io error naming the file.
// The verifier re-reads the file as its prefix completes and catches a mismatch. The same store into a caller's
// memory: bytes at their offsets, nothing past the plan touched, a plan larger than the memory refused (TooLarge),
// the verifier reading the memory. Also the destination naming of download_file.h (a directory DEST, the temporary
// and journal names).
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "checksum/checksum.h"
#include "ops/get/download_file.h"
#include "io/file_store.h"
#include "test_support.h"

namespace s3fcp {
namespace {

class FileStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    m_path = m_dir + "/f";
    m_fd = ::open(m_path.c_str(), O_RDWR | O_CREAT | O_TRUNC, 0600);
    ASSERT_GE(m_fd, 0);
  }
  void TearDown() override {
    ::close(m_fd);
  }
  // Stores bytes [from, to) of `chunk` in one store() call and publishes `to`, as the engine does.
  void put(FileStore& s, const RangePlan& plan, uint64_t chunk, uint64_t from, uint64_t to) {
    std::vector<std::byte> bytes;
    for (uint64_t i = from; i < to; ++i) bytes.push_back(pattern(plan.chunk(chunk).begin + i));
    ASSERT_TRUE(s.store(chunk, from, bytes).has_value());
    s.publish(chunk, to);
  }
  void put_whole(FileStore& s, const RangePlan& plan, uint64_t chunk) {
    put(s, plan, chunk, 0, plan.chunk(chunk).size());
  }
  std::vector<std::byte> contents() const {
    struct stat st {};
    ::fstat(m_fd, &st);
    std::vector<std::byte> out(static_cast<size_t>(st.st_size));
    EXPECT_EQ(::pread(m_fd, out.data(), out.size(), 0), static_cast<ssize_t>(out.size()));
    return out;
  }
  void expect_pattern(uint64_t total) const {
    const auto got = contents();
    ASSERT_EQ(got.size(), total);
    for (uint64_t i = 0; i < total; ++i) ASSERT_EQ(got[i], pattern(i)) << "byte " << i;
  }
  TempDir m_tmp{"file-store-test"};
  const std::string m_dir = m_tmp.path();
  std::string m_path;
  int m_fd = -1;
  GetState m_state;
};

TEST_F(FileStoreTest, OutOfOrderChunksLandAtTheirOffsets) {
  const RangePlan plan(1000, 300);  // chunks of 300, 300, 300, 100
  std::vector<uint64_t> finished;
  FileStore::Hooks hooks;
  int plans = 0;
  hooks.plan_set = [&](const RangePlan& p) -> Result<void> {
    ++plans;
    EXPECT_EQ(p.total(), 1000u);
    return {};
  };
  hooks.chunk_done = [&](uint64_t chunk) -> Result<void> {
    finished.push_back(chunk);
    return {};
  };
  FileStore s(m_fd, m_path, 2, 300, m_state.stop, hooks);
  s.set_plan(plan);
  EXPECT_EQ(plans, 1);
  EXPECT_EQ(contents().size(), 1000u);  // sized up front
  EXPECT_EQ(s.head(), 0u);
  EXPECT_EQ(s.window_end(), 2u);

  put_whole(s, plan, 1);  // ahead of the head: the window does not move
  EXPECT_EQ(s.head(), 0u);
  EXPECT_EQ(s.window_end(), 2u);
  EXPECT_EQ(s.contiguous_bytes(), 0u);
  put_whole(s, plan, 0);  // the head is done: it moves over chunk 1 too
  EXPECT_EQ(s.head(), 2u);
  EXPECT_EQ(s.window_end(), 4u);
  EXPECT_EQ(s.contiguous_bytes(), 600u);
  put_whole(s, plan, 3);
  EXPECT_EQ(s.head(), 2u);
  EXPECT_FALSE(s.complete());
  put_whole(s, plan, 2);
  EXPECT_EQ(s.head(), 4u);
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(s.contiguous_bytes(), 1000u);
  EXPECT_EQ(s.done_bytes(), 1000u);
  EXPECT_EQ(finished, (std::vector<uint64_t>{1, 0, 3, 2}));
  EXPECT_FALSE(m_state.stop.error().has_value());
  expect_pattern(1000);
}

TEST_F(FileStoreTest, APartlyStoredChunkIsNotDone) {
  const RangePlan plan(600, 300);
  std::vector<uint64_t> finished;
  FileStore s(m_fd, m_path, 4, 300, m_state.stop,
              {nullptr, [&](uint64_t chunk) -> Result<void> {
                 finished.push_back(chunk);
                 return {};
               }});
  s.set_plan(plan);
  put(s, plan, 0, 0, 120);  // a response that died mid-body...
  EXPECT_EQ(s.head(), 0u);
  EXPECT_TRUE(finished.empty());
  put(s, plan, 0, 120, 121);  // ...resumed from its first missing byte, in pieces
  put(s, plan, 0, 121, 300);
  EXPECT_EQ(s.head(), 1u);
  s.publish(0, 300);  // published again (a hedge's late report): counted once
  put_whole(s, plan, 1);
  EXPECT_EQ(finished, (std::vector<uint64_t>{0, 1}));
  expect_pattern(600);
}

TEST_F(FileStoreTest, ResumedChunksAreDoneFromTheStart) {
  const RangePlan plan(1000, 300);
  std::vector<uint64_t> finished;
  FileStore s(m_fd, m_path, 2, 300, m_state.stop,
              {nullptr, [&](uint64_t chunk) -> Result<void> {
                 finished.push_back(chunk);
                 return {};
               }});
  s.preset_done({true, true, false, true});
  s.set_plan(plan);
  EXPECT_EQ(s.head(), 2u);  // the window starts after the resumed prefix
  EXPECT_EQ(s.window_end(), 4u);
  EXPECT_EQ(s.preset_bytes(), 700u);
  put_whole(s, plan, 2);
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(finished, (std::vector<uint64_t>{2}));  // resumed chunks are not journaled again
}

TEST_F(FileStoreTest, AnEmptyObjectIsCompleteAtOnce) {
  FileStore s(m_fd, m_path, 2, 300, m_state.stop);
  EXPECT_FALSE(s.complete());
  s.set_plan(RangePlan(0, 300));
  EXPECT_TRUE(s.complete());
  EXPECT_EQ(contents().size(), 0u);
}

TEST_F(FileStoreTest, AFailedWriteIsAnIoErrorNamingTheFile) {
  const int read_only = ::open(m_path.c_str(), O_RDONLY);
  ASSERT_GE(read_only, 0);
  {
    GetState state;
    FileStore s(read_only, m_path, 2, 300, state.stop);
    s.set_plan(RangePlan(600, 300));  // ftruncate through a read-only descriptor
    ASSERT_TRUE(state.stop.error().has_value());
    EXPECT_EQ(state.stop.error()->kind, ErrorKind::Io);
    EXPECT_NE(state.stop.error()->message.find(m_path), std::string::npos) << state.stop.error()->message;
  }
  FileStore s(m_fd, m_path, 2, 300, m_state.stop);
  s.set_plan(RangePlan(600, 300));
  ASSERT_FALSE(m_state.stop.error().has_value());
  ASSERT_EQ(::dup2(read_only, m_fd), m_fd);  // the store's descriptor can no longer write: pwrite fails (EBADF)
  ::close(read_only);
  const std::vector<std::byte> bytes(10);
  auto written = s.store(1, 5, bytes);
  ASSERT_FALSE(written.has_value());
  EXPECT_EQ(written.error().kind, ErrorKind::Io);
  EXPECT_NE(written.error().message.find(m_path), std::string::npos) << written.error().message;
  EXPECT_FALSE(s.store(1, 295, bytes).has_value());  // beyond the chunk: refused before any write
}

TEST_F(FileStoreTest, AFailingHookStopsTheDownload) {
  const RangePlan plan(600, 300);
  FileStore s(m_fd, m_path, 2, 300, m_state.stop,
              {nullptr, [](uint64_t) -> Result<void> { return fail(ErrorKind::Io, "journal: disk full"); }});
  s.set_plan(plan);
  put_whole(s, plan, 0);
  ASSERT_TRUE(m_state.stop.error().has_value());
  EXPECT_EQ(m_state.stop.error()->message, "journal: disk full");
}

TEST_F(FileStoreTest, FirstNotDone) {
  EXPECT_EQ(first_not_done({}, 0), 0u);
  EXPECT_EQ(first_not_done({true, true, false, true}, 0), 2u);
  EXPECT_EQ(first_not_done({true, true, false, true}, 3), 4u);
}

TEST_F(FileStoreTest, IntoMemoryChunksLandAtTheirOffsets) {
  const RangePlan plan(1000, 300);
  std::vector<std::byte> memory(1010, std::byte{0xee});
  FileStore s(std::span<std::byte>(memory), "the buffer", 2, 300, m_state.stop);
  s.set_plan(plan);
  for (uint64_t chunk : {1, 0, 3}) put_whole(s, plan, chunk);
  EXPECT_EQ(s.contiguous_bytes(), 600u);
  put(s, plan, 2, 0, 120);
  put(s, plan, 2, 120, 300);
  EXPECT_TRUE(s.complete());
  EXPECT_FALSE(m_state.stop.error().has_value());
  for (uint64_t i = 0; i < 1000; ++i) ASSERT_EQ(memory[i], pattern(i)) << "byte " << i;
  for (uint64_t i = 1000; i < memory.size(); ++i) ASSERT_EQ(memory[i], std::byte{0xee}) << "byte " << i;
  EXPECT_EQ(contents().size(), 0u);  // the test's file is not involved
}

TEST_F(FileStoreTest, IntoMemoryRefusesAPlanLargerThanTheMemory) {
  std::vector<std::byte> memory(999);
  FileStore s(std::span<std::byte>(memory), "the buffer", 2, 300, m_state.stop);
  s.set_plan(RangePlan(1000, 300));
  ASSERT_TRUE(m_state.stop.error().has_value());
  EXPECT_EQ(m_state.stop.error()->kind, ErrorKind::TooLarge);
  EXPECT_NE(m_state.stop.error()->message.find("1000 bytes do not fit in the buffer of 999"), std::string::npos)
      << m_state.stop.error()->message;
  EXPECT_FALSE(s.complete());
}

// The verifier follows the prefix while a producer thread stores chunks out of order, then checks the MD5. Into
// the file, or into `memory` when it is not empty.
void run_verified_download(const std::string& path, int fd, bool corrupt, GetState& state,
                           std::span<std::byte> memory = {}) {
  const RangePlan plan(5 * 4096 + 17, 4096);
  std::vector<std::byte> object(plan.total());
  for (uint64_t i = 0; i < object.size(); ++i) object[i] = pattern(i);
  Checksummer md5(ChecksumAlgorithm::Md5);
  md5.update(object);
  state.set_etag("\"e\"");
  state.checksum.decide({ExpectedChecksum{ChecksumAlgorithm::Md5, md5.finish_encoded()}, "\"e\""});
  if (corrupt) object[5000] ^= std::byte{1};

  FileStore file_store(fd, path, 3, 4096, state.stop);
  FileStore memory_store(memory, "the buffer", 3, 4096, state.stop);
  FileStore& store = memory.empty() ? file_store : memory_store;
  state.stop.add_waker([&] { store.close(); });
  std::thread verifier([&] { run_verifier(store, state); });
  store.set_plan(plan);
  for (uint64_t chunk : {1, 0, 3, 2, 5, 4}) {
    const ByteRange r = plan.chunk(chunk);
    ASSERT_TRUE(store.store(chunk, 0, std::span(object).subspan(r.begin, r.size())).has_value());
    store.publish(chunk, r.size());
    store.wake_consumer();
  }
  verifier.join();
  EXPECT_TRUE(store.complete());
}

TEST_F(FileStoreTest, VerifierAcceptsTheRightBytes) {
  run_verified_download(m_path, m_fd, false, m_state);
  EXPECT_FALSE(m_state.stop.error().has_value()) << m_state.stop.error()->message;
  ASSERT_TRUE(m_state.checksum.result().has_value());
  EXPECT_TRUE(m_state.checksum.result()->ok());
}

TEST_F(FileStoreTest, VerifierCatchesAMismatch) {
  run_verified_download(m_path, m_fd, true, m_state);
  ASSERT_TRUE(m_state.stop.error().has_value());
  EXPECT_EQ(m_state.stop.error()->kind, ErrorKind::Checksum);
}

TEST_F(FileStoreTest, VerifierReadsTheMemory) {
  std::vector<std::byte> memory(5 * 4096 + 17);
  run_verified_download(m_path, m_fd, false, m_state, memory);
  EXPECT_FALSE(m_state.stop.error().has_value()) << m_state.stop.error()->message;
  ASSERT_TRUE(m_state.checksum.result().has_value());
  EXPECT_TRUE(m_state.checksum.result()->ok());
  GetState bad;
  run_verified_download(m_path, m_fd, true, bad, memory);
  ASSERT_TRUE(bad.stop.error().has_value());
  EXPECT_EQ(bad.stop.error()->kind, ErrorKind::Checksum);
}

TEST_F(FileStoreTest, VerifierStopsWhenTheDownloadFails) {
  FileStore store(m_fd, m_path, 3, 4096, m_state.stop);
  m_state.stop.add_waker([&] { store.close(); });
  m_state.checksum.decide({ExpectedChecksum{ChecksumAlgorithm::Md5, "00"}, ""});
  std::thread verifier([&] { run_verifier(store, m_state); });
  store.set_plan(RangePlan(10000, 4096));
  m_state.stop.fail(Error{ErrorKind::Interrupted, "interrupted"});
  verifier.join();  // returns instead of waiting for chunks that will never come
  EXPECT_EQ(m_state.stop.error()->kind, ErrorKind::Interrupted);
}

TEST(FileDestination, NamesTheTemporaryAndJournalBesideTheTarget) {
  EXPECT_EQ(partial_paths("/d/e/model.bin").temp, "/d/e/.model.bin.s3fcp-partial");
  EXPECT_EQ(partial_paths("/d/e/model.bin").journal, "/d/e/.model.bin.s3fcp-journal");
  EXPECT_EQ(partial_paths("model.bin").temp, ".model.bin.s3fcp-partial");
}

TEST(FileDestination, ADirectoryTakesTheKeysLastPart) {
  char dir[] = "/tmp/s3fcp-dest-test.XXXXXX";
  ASSERT_NE(::mkdtemp(dir), nullptr);
  const std::string d = dir;
  EXPECT_EQ(*resolve_target_path(d, "s3://b/x/y/model.bin"), d + "/model.bin");
  EXPECT_EQ(*resolve_target_path(d + "/", "s3://b/model.bin"), d + "/model.bin");
  EXPECT_EQ(*resolve_target_path(d + "/new-name", "s3://b/model.bin"), d + "/new-name");
  EXPECT_EQ(*resolve_target_path(d, "https://h/p/a%20b.bin?…"), d + "/a b.bin");
  for (const char* bad : {"s3://b/dir/", "s3://b/..", "https://h/"}) {
    auto r = resolve_target_path(d, bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().kind, ErrorKind::Usage);
    // A prefix given where a key was meant: the error says what copies the prefix.
    EXPECT_EQ(r.error().message.find("-r to copy every object") != std::string::npos, bad == std::string("s3://b/dir/"))
        << r.error().message;
  }
  ::rmdir(dir);
}

}  // namespace
}  // namespace s3fcp
