// ReorderWindow: chunks filled out of order come out strictly in order, byte-exact; the window only slides
// when the writer finishes the head chunk; never more than W buffers. The threaded test runs a producer
// against the writer side and is meant to be run under ThreadSanitizer too.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <optional>
#include <random>
#include <thread>
#include <vector>

#include "ops/get/reorder_window.h"
#include "test_support.h"

namespace s3fcp {
namespace {

// The test object's bytes are pattern(offset) (test_support.h): not periodic in the chunk size, so a chunk written
// in the wrong place or order shows.

// Copies bytes [from, to) of `chunk` into its buffer and publishes `to`. Network-thread side.
void fill(ReorderWindow& w, const RangePlan& plan, uint64_t chunk, uint64_t from, uint64_t to) {
  const auto buf = w.buffer(chunk);
  const uint64_t base = plan.chunk(chunk).begin;
  for (uint64_t i = from; i < to; ++i) buf[i] = pattern(base + i);
  w.publish(chunk, to);
  w.wake_consumer();
}

void fill_whole(ReorderWindow& w, const RangePlan& plan, uint64_t chunk) {
  fill(w, plan, chunk, 0, plan.chunk(chunk).size());
}

// Writer side: drains everything readable right now without blocking on the head, appending to `out`. Only
// call when the head chunk is known to have bytes beyond `written` or to be past the end.
struct Writer {
  ReorderWindow& w;
  std::vector<std::byte> out;
  uint64_t written = 0;  // bytes of the head chunk written out

  // Reads once; returns false when the window reports the end.
  bool read_once() {
    const auto r = w.wait_readable(written);
    if (!r) return false;
    EXPECT_EQ(r->chunk, w.head());
    EXPECT_EQ(r->offset, written);
    EXPECT_FALSE(r->bytes.empty());
    out.insert(out.end(), r->bytes.begin(), r->bytes.end());
    written += r->bytes.size();
    if (written == w.chunk_length(r->chunk)) {
      w.advance();
      written = 0;
    }
    return true;
  }
};

std::vector<std::byte> expected_bytes(uint64_t from, uint64_t to) {
  std::vector<std::byte> v;
  for (uint64_t o = from; o < to; ++o) v.push_back(pattern(o));
  return v;
}

TEST(ReorderWindowTest, OutOfOrderChunksComeOutInOrder) {
  constexpr uint64_t chunk = 64;
  const RangePlan plan(4 * chunk, chunk);
  ReorderWindow w(4, chunk);
  w.set_plan(plan);
  EXPECT_EQ(w.window_end(), 4u);
  for (uint64_t c : {3, 1, 2}) fill_whole(w, plan, c);
  EXPECT_EQ(w.head(), 0u);
  EXPECT_EQ(w.window_end(), 4u) << "the window moves only when the head advances";
  fill_whole(w, plan, 0);

  Writer writer{w, {}, 0};
  for (uint64_t c = 0; c < 4; ++c) {
    ASSERT_TRUE(writer.read_once());
    EXPECT_EQ(w.head(), c + 1);
    EXPECT_EQ(w.window_end(), c + 1 + 4);
  }
  EXPECT_FALSE(writer.read_once()) << "every chunk has been consumed";
  EXPECT_EQ(writer.out, expected_bytes(0, plan.total()));
  EXPECT_EQ(w.allocated_buffers(), 4u);
}

TEST(ReorderWindowTest, ShortLastChunk) {
  constexpr uint64_t chunk = 50;
  const RangePlan plan(3 * chunk + 7, chunk);
  ReorderWindow w(2, chunk);
  w.set_plan(plan);
  Writer writer{w, {}, 0};
  fill_whole(w, plan, 1);
  fill_whole(w, plan, 0);
  ASSERT_TRUE(writer.read_once());
  ASSERT_TRUE(writer.read_once());
  EXPECT_EQ(w.window_end(), 4u);
  fill_whole(w, plan, 3);  // 7 bytes, in slot 1 again
  fill_whole(w, plan, 2);
  ASSERT_TRUE(writer.read_once());
  ASSERT_TRUE(writer.read_once());
  EXPECT_FALSE(writer.read_once());
  EXPECT_EQ(writer.out, expected_bytes(0, plan.total()));
  EXPECT_EQ(w.chunk_length(3), 7u);
  EXPECT_EQ(w.allocated_buffers(), 2u) << "slots are reused, not reallocated";
}

TEST(ReorderWindowTest, WindowEndMovesOnlyWithTheHead) {
  constexpr uint64_t chunk = 16;
  const RangePlan plan(10 * chunk, chunk);
  ReorderWindow w(3, chunk);
  EXPECT_EQ(w.window_end(), 3u) << "before the plan, too";
  w.set_plan(plan);
  fill_whole(w, plan, 2);
  fill_whole(w, plan, 1);
  EXPECT_EQ(w.window_end(), 3u);
  fill(w, plan, 0, 0, chunk - 1);
  Writer writer{w, {}, 0};
  ASSERT_TRUE(writer.read_once());
  EXPECT_EQ(w.head(), 0u) << "one byte of the head chunk is missing";
  EXPECT_EQ(w.window_end(), 3u);
  fill(w, plan, 0, chunk - 1, chunk);
  ASSERT_TRUE(writer.read_once());
  EXPECT_EQ(w.head(), 1u);
  EXPECT_EQ(w.window_end(), 4u);
  ASSERT_TRUE(writer.read_once());
  ASSERT_TRUE(writer.read_once());
  EXPECT_EQ(w.window_end(), 6u);
  EXPECT_EQ(writer.out, expected_bytes(0, 3 * chunk));
}

TEST(ReorderWindowTest, PartialPublishesStreamAPrefixOfTheHead) {
  constexpr uint64_t chunk = 100;
  const RangePlan plan(2 * chunk, chunk);
  ReorderWindow w(2, chunk);
  w.set_plan(plan);
  fill(w, plan, 0, 0, 10);
  auto r = w.wait_readable(0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->chunk, 0u);
  EXPECT_EQ(r->offset, 0u);
  ASSERT_EQ(r->bytes.size(), 10u);
  EXPECT_TRUE(std::ranges::equal(r->bytes, expected_bytes(0, 10)));

  fill(w, plan, 0, 10, 35);
  r = w.wait_readable(10);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->offset, 10u);
  ASSERT_EQ(r->bytes.size(), 25u);
  EXPECT_TRUE(std::ranges::equal(r->bytes, expected_bytes(10, 35)));

  // The writer may have written only part of what it was given: it asks again from where it stopped.
  r = w.wait_readable(20);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->offset, 20u);
  EXPECT_TRUE(std::ranges::equal(r->bytes, expected_bytes(20, 35)));

  // Bytes of a later chunk are not readable before the head is done.
  fill_whole(w, plan, 1);
  fill(w, plan, 0, 35, chunk);
  r = w.wait_readable(35);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->chunk, 0u);
  EXPECT_TRUE(std::ranges::equal(r->bytes, expected_bytes(35, chunk)));
  w.advance();
  r = w.wait_readable(0);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->chunk, 1u);
  EXPECT_TRUE(std::ranges::equal(r->bytes, expected_bytes(chunk, 2 * chunk)));
}

TEST(ReorderWindowTest, SmallObjectTouchesOneBuffer) {
  constexpr uint64_t chunk = 64;
  const RangePlan plan(10, chunk);
  ReorderWindow w(8, chunk);
  w.set_plan(plan);
  fill_whole(w, plan, 0);
  Writer writer{w, {}, 0};
  ASSERT_TRUE(writer.read_once());
  EXPECT_FALSE(writer.read_once());
  EXPECT_EQ(writer.out, expected_bytes(0, 10));
  EXPECT_EQ(w.allocated_buffers(), 1u);
}

TEST(ReorderWindowTest, EmptyObjectEndsAtOnce) {
  ReorderWindow w(4, 64);
  w.set_plan(RangePlan(0, 64));
  EXPECT_FALSE(w.wait_readable(0).has_value());
  EXPECT_EQ(w.allocated_buffers(), 0u);
}

TEST(ReorderWindowTest, NeverMoreThanWBuffersOverARandomRun) {
  constexpr uint32_t W = 5;
  constexpr uint64_t chunk = 32;
  constexpr uint64_t chunks = 100;
  const RangePlan plan(chunks * chunk - 3, chunk);
  ReorderWindow w(W, chunk);
  w.set_plan(plan);
  std::mt19937 rng(12345);
  Writer writer{w, {}, 0};
  std::vector<bool> filled(chunks, false);
  uint64_t next_unfilled_lo = 0;
  while (w.head() < chunks) {
    // Complete a random not-yet-filled chunk inside the window.
    std::vector<uint64_t> candidates;
    for (uint64_t c = next_unfilled_lo; c < std::min<uint64_t>(w.window_end(), chunks); ++c) {
      if (!filled[c]) candidates.push_back(c);
    }
    if (!candidates.empty()) {
      const uint64_t c = candidates[std::uniform_int_distribution<size_t>(0, candidates.size() - 1)(rng)];
      fill_whole(w, plan, c);
      filled[c] = true;
      while (next_unfilled_lo < chunks && filled[next_unfilled_lo]) ++next_unfilled_lo;
    }
    // Drain the head whenever it is complete (and sometimes leave it, to let the window fill up).
    while (w.head() < chunks && filled[w.head()] && (candidates.empty() || rng() % 2 == 0)) {
      ASSERT_TRUE(writer.read_once());
    }
    ASSERT_LE(w.allocated_buffers(), W);
  }
  EXPECT_FALSE(writer.read_once());
  EXPECT_EQ(writer.out, expected_bytes(0, plan.total()));
  EXPECT_EQ(w.allocated_buffers(), W);
}

TEST(ReorderWindowTest, CloseUnblocksAWaitingReader) {
  ReorderWindow w(4, 64);
  w.set_plan(RangePlan(10 * 64, 64));
  std::atomic<bool> entering{false};
  std::optional<ReorderWindow::Readable> result;
  std::thread reader([&] {
    entering.store(true, std::memory_order_release);
    result = w.wait_readable(0);  // nothing published: blocks until close()
  });
  while (!entering.load(std::memory_order_acquire)) std::this_thread::yield();
  w.close();
  reader.join();  // hangs here if close() does not wake the reader
  EXPECT_FALSE(result.has_value());
}

TEST(ReorderWindowTest, CloseUnblocksAReaderWaitingForThePlan) {
  ReorderWindow w(4, 64);
  std::optional<ReorderWindow::Readable> result;
  std::thread reader([&] { result = w.wait_readable(0); });
  w.close();
  reader.join();
  EXPECT_FALSE(result.has_value());
}

TEST(ReorderWindowTest, SetPlanWakesAReaderOfAnEmptyObject) {
  ReorderWindow w(4, 64);
  std::optional<ReorderWindow::Readable> result;
  std::thread reader([&] { result = w.wait_readable(0); });  // the plan is not known yet
  w.set_plan(RangePlan(0, 64));
  reader.join();
  EXPECT_FALSE(result.has_value());
}

TEST(ReorderWindowTest, WakeWriterDeliversDataToAWaitingReader) {
  constexpr uint64_t chunk = 64;
  const RangePlan plan(2 * chunk, chunk);
  ReorderWindow w(2, chunk);
  std::vector<std::byte> got;
  std::thread reader([&] {
    Writer writer{w, {}, 0};
    while (writer.read_once()) {
    }
    got = std::move(writer.out);
  });
  w.set_plan(plan);
  fill(w, plan, 1, 0, chunk);
  fill(w, plan, 0, 0, 5);
  fill(w, plan, 0, 5, chunk);
  reader.join();  // hangs here if a wake-up is lost
  EXPECT_EQ(got, expected_bytes(0, plan.total()));
}

// One producer (the network thread's role) fills random chunks below window_end() in random pieces,
// publishing after each piece; the test thread is the writer. Run under -fsanitize=thread as well.
TEST(ReorderWindowThreaded, RandomProducerAgainstInOrderWriter) {
  constexpr uint32_t W = 4;
  constexpr uint64_t chunk = 4096;
  constexpr uint64_t chunks = 100;
  const RangePlan plan(chunks * chunk - 1000, chunk);
  ReorderWindow w(W, chunk);

  std::thread producer([&] {
    w.set_plan(plan);  // before any publish, as the network thread does
    std::mt19937_64 rng(20240601);
    std::vector<uint64_t> done(chunks, 0);  // bytes published per chunk
    uint64_t lowest_open = 0;               // every chunk below is complete
    while (lowest_open < chunks) {
      const uint64_t end = std::min<uint64_t>(w.window_end(), chunks);
      std::vector<uint64_t> open;
      for (uint64_t c = lowest_open; c < end; ++c) {
        if (done[c] < plan.chunk(c).size()) open.push_back(c);
      }
      if (open.empty()) {
        std::this_thread::yield();  // the writer has to free a slot first
        continue;
      }
      const uint64_t c = open[std::uniform_int_distribution<size_t>(0, open.size() - 1)(rng)];
      const uint64_t length = plan.chunk(c).size();
      const uint64_t piece = std::uniform_int_distribution<uint64_t>(1, length / 3 + 1)(rng);
      const uint64_t to = std::min(length, done[c] + piece);
      fill(w, plan, c, done[c], to);
      done[c] = to;
      while (lowest_open < chunks && done[lowest_open] == plan.chunk(lowest_open).size()) ++lowest_open;
    }
  });

  std::vector<std::byte> out;
  out.reserve(plan.total());
  uint64_t written = 0;
  uint64_t reads = 0;
  bool in_order = true;
  while (auto r = w.wait_readable(written)) {
    ++reads;
    if (r->chunk != w.head() || r->offset != written || r->bytes.empty()) in_order = false;
    out.insert(out.end(), r->bytes.begin(), r->bytes.end());
    written += r->bytes.size();
    if (written == w.chunk_length(r->chunk)) {
      w.advance();
      written = 0;
    }
  }
  producer.join();

  EXPECT_TRUE(in_order);
  EXPECT_EQ(w.head(), chunks);
  ASSERT_EQ(out.size(), plan.total());
  EXPECT_TRUE(out == expected_bytes(0, plan.total())) << "byte stream differs from the object";
  EXPECT_LE(w.allocated_buffers(), W);
  EXPECT_GE(reads, chunks);
}

}  // namespace
}  // namespace s3fcp
