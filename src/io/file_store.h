// The file destination's ChunkStore: body bytes go straight to their offset in the (temporary) file with pwrite,
// from the network thread, in whatever order chunks arrive. There are no chunk buffers, so memory stays small
// whatever the object's size; the page cache is the buffer. The same store can place the bytes in a caller's memory
// instead (the library's s3fcp_get_into_buffer): a memcpy at the offset, no window and no copy after it.
//
// The window still exists, for another reason: head() is the lowest chunk not yet wholly in the file and only
// chunks below head() + slots may start, so a stalled chunk bounds how many chunks are in flight or finished out
// of order behind it (what a resume journal must list, and how much a restart may refetch), not memory.
// A chunk is done when publish() reports all of its bytes; the `chunk_done` hook (the journal) hears of it then,
// after its last pwrite returned. Resumed chunks are marked done up front and never touched.
//
// Threads: every ChunkStore call comes from the network thread. head() is an atomic (release after the done bits
// it covers), so the verifier thread may follow the contiguous prefix [0, contiguous_bytes()) and re-read it;
// wait_contiguous() sleeps on a condition variable that wake_consumer() (once per network batch) and close() signal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ops/get/get_state.h"
#include "ops/get/chunk_store.h"

namespace s3fcp {

class FileStore final : public ChunkStore {
 public:
  struct Hooks {
    // The file has its final size (network thread, once). An error stops the download.
    std::function<Result<void>(const RangePlan&)> plan_set;
    // Every byte of `chunk` is in the file (network thread, once per chunk). An error stops the download.
    std::function<Result<void>(uint64_t chunk)> chunk_done;
  };

  // `fd` is the open file (not owned), `path` its name for messages; errors go to `state.fail`.
  FileStore(int fd, std::string path, uint32_t slots, uint64_t chunk_size, StopSignal& stop, Hooks hooks = {});
  // Into `memory` (not owned) instead of a file: a plan larger than it stops the download with TooLarge.
  FileStore(std::span<std::byte> memory, std::string name, uint32_t slots, uint64_t chunk_size, StopSignal& stop);
  FileStore(const FileStore&) = delete;
  FileStore& operator=(const FileStore&) = delete;

  // Resuming: these chunks (of the plan the engine will set) are already in the file. Before the engine starts.
  void preset_done(std::vector<bool> done);
  // Reserve the file's blocks when the size is known (fallocate), so a full disk shows at once. Default on.
  void set_preallocate(bool on) { m_preallocate = on; }

  // --- ChunkStore, network thread ---
  uint32_t slots() const override { return m_slots; }
  void set_plan(const RangePlan& plan) override;
  uint64_t head() const override { return m_head.load(std::memory_order_acquire); }
  uint64_t window_end() const override { return head() + m_slots; }
  Result<void> store(uint64_t chunk, uint64_t offset, std::span<const std::byte> bytes) override;
  void publish(uint64_t chunk, uint64_t filled) override;
  void wake_consumer() override;

  // --- any thread ---
  // Stop: wait_contiguous() returns nothing from now on.
  void close();
  // The plan is known and every chunk is wholly in the file.
  bool complete() const;
  // Bytes [0, n) are in the file.
  uint64_t contiguous_bytes() const;
  // Bytes of the chunks preset done (resumed), for progress; of every chunk done, resumed or not.
  uint64_t preset_bytes() const { return m_preset_bytes.load(std::memory_order_relaxed); }
  uint64_t done_bytes() const { return m_done_bytes.load(std::memory_order_relaxed); }
  // Waits until contiguous_bytes() > `have` or the store is complete; nullopt once closed.
  std::optional<uint64_t> wait_contiguous(uint64_t have);
  // Hands the stored bytes [from, to) to `feed` in order (read back from the file, or straight from memory).
  Result<void> read_back(uint64_t from, uint64_t to, const std::function<void(std::span<const std::byte>)>& feed);

 private:
  FileStore(int fd, std::span<std::byte> memory, std::string path, uint32_t slots, uint64_t chunk_size,
            StopSignal& stop, Hooks hooks);
  void advance_head();

  const int m_fd;                   // -1: into m_memory
  const std::span<std::byte> m_memory;
  const std::string m_path;
  const uint32_t m_slots;
  const uint64_t m_chunk_size;
  StopSignal& m_stop;
  Hooks m_hooks;
  bool m_preallocate = true;

  // Network thread only (and preset_done before it starts).
  std::vector<bool> m_done;
  std::vector<bool> m_preset;
  RangePlan m_plan;  // written once under m_mutex, before m_has_plan

  std::atomic<uint64_t> m_head{0};
  std::atomic<uint64_t> m_preset_bytes{0};
  std::atomic<uint64_t> m_done_bytes{0};
  std::atomic<bool> m_has_plan{false};

  mutable std::mutex m_mutex;  // guards the verifier's sleep and m_closed
  std::condition_variable m_cv;
  bool m_closed = false;
};

// Pure helper: the lowest chunk at or after `from` that is not done (done.size() when all are).
uint64_t first_not_done(const std::vector<bool>& done, uint64_t from);

// The verifier thread of a file download: waits for the engine's checksum decision; when the object has a
// full-object checksum, re-reads the file in order as its contiguous prefix grows (from the page cache, while the
// download goes on) and compares at the end, as the stdout writer does for its stream. Reports through `state`.
void run_verifier(FileStore& store, GetState& state);

}  // namespace s3fcp
