// Never write outside DIR. Many-object copies turn names chosen by someone else (S3 keys) into local paths,
// and write into a tree someone else may be changing. Three pieces keep every write beneath the directory the
// user named:
//
//  1. key_to_relative_path(): the part of a key below the listed prefix becomes a relative path only when it
//     is plainly safe (no '..' or '.' or empty segment, no leading '/', no NUL or backslash, within NAME_MAX
//     and PATH_MAX). s5cmd wrote `data/../../.bashrc` outside its target (peak/s5cmd#872); such a key is
//     refused here.
//  2. Beneath: a directory handle on DIR. Every later name is resolved relative to directory fds with
//     openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS) and mkdirat/renameat, so a
//     symlink anywhere in the path, even one planted while we run, cannot redirect a write outside DIR: it is
//     refused. Where openat2 is missing (ENOSYS, or a seccomp filter's EPERM) the same walk is done one
//     component at a time with openat(O_NOFOLLOW | O_DIRECTORY). Files are written under a temporary name in
//     their final directory and renamed into place on commit, so nothing half-written ever carries a key's
//     name.
//  3. list_regular_files(): the upload side's listing of DIR, sorted by relative path bytes (the order S3
//     lists keys in), symlinks and special files reported as skipped, never followed.
//
// The user's own path (DIR) is the one place symlinks are followed and missing directories made: it is
// theirs. A Beneath is safe to use from several threads at once: it holds only a directory fd.
#pragma once

#include <time.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/error.h"
#include "util/fd.h"

namespace s3fcp {

// ---- keys to relative paths -------------------------------------------------------------------------------

struct KeyPath {
  enum class Verdict {
    Ok,            // `path` is safe to create beneath DIR
    FolderMarker,  // the key ends in '/': an S3 console "folder"; skipped, not an error
    Unsafe,        // refused; `reason` says why ("key has a '..' segment")
  };
  Verdict verdict = Verdict::Unsafe;
  std::string path;
  std::string reason;
};

// `key` as listed under `prefix` (a key not starting with `prefix` is Unsafe). When the prefix is not empty
// and does not end in '/', one '/' right after it is dropped: listing s3://b/data gives data/x -> "x", not
// "/x".
KeyPath key_to_relative_path(std::string_view key, std::string_view prefix);

// DIR/relative as shown to the user: "DIR/a/b" whether or not DIR was typed with its trailing '/'.
std::string shown_beneath(const std::string& dir, std::string_view relative);

// Why `relative` is not a safe relative path, or nullopt when it is. The checks of key_to_relative_path, for
// paths from elsewhere (--files-from, a batch file's destination).
std::optional<std::string> unsafe_path_reason(std::string_view relative);

// ---- the directory handle ---------------------------------------------------------------------------------

// What is at a relative path, as exists() found it (not following a symlink there).
struct EntryInfo {
  enum class Kind { File, Directory, Symlink, Other };
  Kind kind = Kind::Other;
  uint64_t size = 0;
  timespec mtime{};
};

// A file being written beneath DIR under a temporary name (`.NAME.s3fcp-tmp-XXXXXX`, O_CREAT|O_EXCL, mode
// 0666 & ~umask, opened read-write so a checksum pass can re-read it). commit() renames it to its final name
// in the same directory; a PendingFile destroyed or abandoned before that unlinks the temporary name.
// Move-only.
class PendingFile {
 public:
  enum class Replace { Yes, No };

  PendingFile(PendingFile&& other) noexcept;
  PendingFile& operator=(PendingFile&& other) noexcept;
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;
  ~PendingFile();

  int fd() const { return m_file.get(); }
  const std::string& path() const { return m_path; }            // DIR/a/b: the final name, for messages
  const std::string& temp_name() const { return m_temp_name; }  // .b.s3fcp-tmp-XXXXXX, in the same directory

  // Renames the temporary file to its final name. An existing regular file there is replaced (Replace::No:
  // kept, and an Exists error, race-free via RENAME_NOREPLACE); a directory, symlink or special file there is an
  // Io error and the temporary file stays for abandon(). At most once; the fd stays open.
  Result<void> commit(Replace replace = Replace::Yes);
  // Unlinks the temporary name now (the destructor does it too). No-op after commit().
  void abandon();

 private:
  friend class Beneath;
  PendingFile(Fd dir, Fd file, std::string name, std::string temp_name, std::string path);

  Fd m_dir;   // the final parent directory, where both names live
  Fd m_file;  // the open temporary file
  std::string m_name;
  std::string m_temp_name;
  std::string m_path;
  bool m_open = false;  // the temporary name exists and is ours to rename or unlink
};

class Beneath {
 public:
  struct Options {
    bool create = true;           // make DIR (and its missing parents) if it does not exist
    bool force_fallback = false;  // use the openat(O_NOFOLLOW) walk even where openat2 works (tests)
  };

  // Opens DIR, following the user's path as given. Io error if it is missing (and !create) or not a
  // directory.
  static Result<Beneath> open(const std::string& dir, Options options);
  static Result<Beneath> open(const std::string& dir) { return open(dir, Options{}); }

  // Creates the missing parent directories of `relative` beneath DIR and a temporary file in the last of
  // them. Io errors, naming the path: a symlink in the way ("… is a symlink: refused"), a file where a
  // directory is needed or a directory (symlink, special file) where the file should go — the clash of keys
  // `a` and `a/b` —, permissions. Nothing is left behind on error but the directories already made.
  Result<PendingFile> create(std::string_view relative) const;

  // What is at `relative`, without following a symlink there; nullopt when nothing is (or a parent is
  // missing). An error when a parent is a symlink or a file: create() would refuse it too.
  Result<std::optional<EntryInfo>> exists(std::string_view relative) const;

  // Opens the regular file at `relative` for reading (uploads), with the same rules: no symlink anywhere, no
  // special file (a FIFO is refused, not waited on). Symlinks::Follow (--follow-symlinks): symlinks on the way
  // are followed, wherever they lead; `relative` itself must still be a safe relative path.
  enum class Symlinks { Refuse, Follow };
  Result<Fd> open_read(std::string_view relative, Symlinks symlinks = Symlinks::Refuse) const;

  const std::string& path() const { return m_path; }
  bool uses_openat2() const { return m_openat2; }

 private:
  Beneath(Fd root, std::string path, bool openat2)
      : m_root(std::move(root)), m_path(std::move(path)), m_openat2(openat2) {}

  // The directory `relative_dir` beneath DIR ("" is DIR itself) as an O_PATH fd, making missing ones when
  // `create`; nullopt when one is missing and !create.
  Result<std::optional<Fd>> open_dir(std::string_view relative_dir, bool create) const;
  // One component `name` of the walk, in directory `dir`: never follows a symlink, never leaves `dir`.
  int open_beneath(int dir, const std::string& name, int flags, unsigned mode = 0) const;
  std::string display(std::string_view relative) const;

  Fd m_root;
  std::string m_path;  // DIR as the user wrote it, trailing '/' dropped: the start of every message's path
  bool m_openat2 = true;
};

// ---- the upload side's listing ----------------------------------------------------------------------------

struct LocalFile {
  std::string path;  // relative to DIR, '/'-separated
  uint64_t size = 0;
  timespec mtime{};
};

struct SkippedEntry {
  std::string path;    // relative to DIR
  std::string reason;  // "symlink: not followed", "not a regular file (FIFO)", "cannot read directory: …"
  bool unreadable = false;  // what is there could not be read or looked at (not left out by a rule): a failure
};

struct LocalListing {
  std::vector<LocalFile> files;  // sorted by path bytes
  std::vector<SkippedEntry> skipped;
};

// Every regular file beneath `dir` (following `dir` itself if it is a symlink, nothing below it unless
// Beneath::Symlinks::Follow: then a symlink counts as what it points to, a directory cycle and a dangling link are
// skipped). Io error when `dir` cannot be opened as a directory; unreadable subdirectories are listed in `skipped`.
Result<LocalListing> list_regular_files(const std::string& dir,
                                        Beneath::Symlinks symlinks = Beneath::Symlinks::Refuse);

}  // namespace s3fcp
