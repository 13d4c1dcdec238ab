// Keys to safe relative paths, the Beneath directory handle and PendingFile. See beneath.h.
//
// How a path is resolved: with openat2, the parent directory of a file is first opened in one call
// (RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS: the kernel refuses a symlink anywhere on
// the way, ELOOP, and any escape, EXDEV). When that fails — a directory is missing, or something is wrong and
// we want to say what — the path is walked one component at a time from the root fd, each step opened
// relative to the previous one (openat2 again, or openat(O_NOFOLLOW | O_DIRECTORY) without it), making
// missing directories with mkdirat. Every later call (the temporary file, the rename) is relative to the
// final directory's fd, so what a name points to can no longer change under us. A failing step is explained
// with fstatat(AT_SYMLINK_NOFOLLOW).
#include "io/beneath.h"

#include <fcntl.h>
#include <fts.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <utility>

#include <fmt/format.h>

#include "util/directories.h"

namespace s3fcp {

namespace {

constexpr unsigned kResolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
constexpr std::string_view kTempTag = ".s3fcp-tmp-";
constexpr size_t kTempRandom = 6;

KeyPath unsafe(std::string reason) { return {KeyPath::Verdict::Unsafe, {}, std::move(reason)}; }

// "a/b/c" -> {"a/b", "c"}; "c" -> {"", "c"}.
std::pair<std::string_view, std::string_view> split_last(std::string_view relative) {
  const size_t slash = relative.rfind('/');
  if (slash == std::string_view::npos) return {{}, relative};
  return {relative.substr(0, slash), relative.substr(slash + 1)};
}

const char* kind_name(mode_t mode) {
  if (S_ISFIFO(mode)) return "FIFO";
  if (S_ISSOCK(mode)) return "socket";
  if (S_ISCHR(mode)) return "character device";
  if (S_ISBLK(mode)) return "block device";
  return "special file";
}

// Why opening `name` in `dir` failed with `err`, naming it `shown`: a symlink or the wrong kind of entry is
// said as such (errno alone would say ELOOP or ENOTDIR); anything else is the system's word.
std::string explain(int dir, const std::string& name, const std::string& shown, int err, bool want_dir) {
  struct stat st {};
  if (::fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISLNK(st.st_mode)) return fmt::format("{} is a symlink: refused", shown);
    if (want_dir && S_ISREG(st.st_mode)) return fmt::format("{} is a file, not a directory", shown);
    if (want_dir && !S_ISDIR(st.st_mode)) {
      return fmt::format("{} is a {}, not a directory", shown, kind_name(st.st_mode));
    }
  }
  return fmt::format("cannot open {}: {}", shown, std::strerror(err));
}

// Why an existing entry of this mode may not be replaced by a file, or nullopt for a regular file.
std::optional<std::string> not_replaceable(mode_t mode, const std::string& shown) {
  if (S_ISDIR(mode)) return fmt::format("{} is a directory: refused to put a file in its place", shown);
  if (S_ISLNK(mode)) return fmt::format("{} is a symlink: refused", shown);
  if (!S_ISREG(mode)) return fmt::format("{} is a {}: refused", shown, kind_name(mode));
  return std::nullopt;
}

// `.NAME.s3fcp-tmp-XXXXXX`, NAME cut so the whole stays within NAME_MAX (a cut UTF-8 sequence is harmless in
// a name nobody reads). XXXXXX from getrandom(2): collisions are retried by the caller (O_EXCL).
std::string temp_name_for(std::string_view name) {
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  const size_t room = NAME_MAX - 1 - kTempTag.size() - kTempRandom;
  std::string out = ".";
  out += name.substr(0, room);
  out += kTempTag;
  unsigned char random[kTempRandom] = {};
  if (::getrandom(random, sizeof random, 0) != static_cast<ssize_t>(sizeof random)) {
    // getrandom does not fail for 6 bytes once the pool is ready; should it, the clock and pid still differ.
    const auto seed = static_cast<uint64_t>(::clock()) ^ (static_cast<uint64_t>(::getpid()) << 20);
    for (size_t i = 0; i < kTempRandom; ++i) random[i] = static_cast<unsigned char>(seed >> (8 * i));
  }
  for (const unsigned char r : random) out += kAlphabet[r % kAlphabet.size()];
  return out;
}

Error io(std::string message) { return Error{ErrorKind::Io, std::move(message)}; }

}  // namespace

// ---- keys to relative paths -------------------------------------------------------------------------------

std::optional<std::string> unsafe_path_reason(std::string_view relative) {
  if (relative.empty()) return "key is empty";
  if (relative.find('\0') != std::string_view::npos) return "key has a NUL byte";
  if (relative.find('\\') != std::string_view::npos) return "key has a backslash";
  if (relative.front() == '/') return "key has a leading '/'";
  if (relative.size() >= PATH_MAX) return fmt::format("key is longer than {} bytes", PATH_MAX - 1);
  size_t start = 0;
  for (;;) {
    const size_t end = std::min(relative.find('/', start), relative.size());
    const std::string_view segment = relative.substr(start, end - start);
    if (segment.empty()) return "key has an empty segment ('//')";
    if (segment == ".") return "key has a '.' segment";
    if (segment == "..") return "key has a '..' segment";
    if (segment.size() > NAME_MAX) return fmt::format("key has a segment longer than {} bytes", NAME_MAX);
    if (end == relative.size()) return std::nullopt;
    start = end + 1;
  }
}

std::string shown_beneath(const std::string& dir, std::string_view relative) {
  return dir.empty() || dir.ends_with('/') ? dir + std::string(relative) : dir + "/" + std::string(relative);
}

KeyPath key_to_relative_path(std::string_view key, std::string_view prefix) {
  if (!key.starts_with(prefix)) return unsafe("key is not under the prefix");
  std::string_view rest = key.substr(prefix.size());
  if (!prefix.empty() && !prefix.ends_with('/') && rest.starts_with('/')) rest.remove_prefix(1);
  if (key.ends_with('/')) return {KeyPath::Verdict::FolderMarker, {}, {}};
  if (rest.empty()) return unsafe("key has nothing below the prefix");
  if (auto reason = unsafe_path_reason(rest)) return unsafe(std::move(*reason));
  return {KeyPath::Verdict::Ok, std::string(rest), {}};
}

// ---- PendingFile ------------------------------------------------------------------------------------------

PendingFile::PendingFile(Fd dir, Fd file, std::string name, std::string temp_name, std::string path)
    : m_dir(std::move(dir)),
      m_file(std::move(file)),
      m_name(std::move(name)),
      m_temp_name(std::move(temp_name)),
      m_path(std::move(path)),
      m_open(true) {}

PendingFile::PendingFile(PendingFile&& other) noexcept
    : m_dir(std::move(other.m_dir)),
      m_file(std::move(other.m_file)),
      m_name(std::move(other.m_name)),
      m_temp_name(std::move(other.m_temp_name)),
      m_path(std::move(other.m_path)),
      m_open(std::exchange(other.m_open, false)) {}

PendingFile& PendingFile::operator=(PendingFile&& other) noexcept {
  if (this != &other) {
    abandon();
    m_dir = std::move(other.m_dir);
    m_file = std::move(other.m_file);
    m_name = std::move(other.m_name);
    m_temp_name = std::move(other.m_temp_name);
    m_path = std::move(other.m_path);
    m_open = std::exchange(other.m_open, false);
  }
  return *this;
}

PendingFile::~PendingFile() { abandon(); }

void PendingFile::abandon() {
  if (!m_open) return;
  ::unlinkat(m_dir.get(), m_temp_name.c_str(), 0);  // nothing more to do if it fails: we tried
  m_open = false;
}

Result<void> PendingFile::commit(Replace replace) {
  if (!m_open) return fail(ErrorKind::Other, fmt::format("internal error: {} committed twice", m_path));
  struct stat st {};
  if (::fstatat(m_dir.get(), m_name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (auto why = not_replaceable(st.st_mode, m_path)) return fail(io(std::move(*why)));
    if (replace == Replace::No) return fail(ErrorKind::Exists, fmt::format("{} exists: not replaced", m_path));
  }
  const int dir = m_dir.get();
  int rc = 0;
  if (replace == Replace::Yes) {
    rc = ::renameat(dir, m_temp_name.c_str(), dir, m_name.c_str());
  } else {
    rc = ::renameat2(dir, m_temp_name.c_str(), dir, m_name.c_str(), RENAME_NOREPLACE);
    if (rc != 0 && errno == EINVAL) {  // a filesystem without RENAME_NOREPLACE: link(2) never replaces either
      rc = ::linkat(dir, m_temp_name.c_str(), dir, m_name.c_str(), 0);
      if (rc == 0) ::unlinkat(dir, m_temp_name.c_str(), 0);
    }
  }
  if (rc != 0) {
    if (errno == EEXIST && replace == Replace::No) {
      return fail(ErrorKind::Exists, fmt::format("{} exists: not replaced", m_path));
    }
    if (errno == EISDIR || errno == ENOTEMPTY || errno == EEXIST) {
      return fail(io(fmt::format("{} is a directory: refused to put a file in its place", m_path)));
    }
    return fail(io(fmt::format("cannot rename {} to {}: {}", m_temp_name, m_path, std::strerror(errno))));
  }
  m_open = false;
  return {};
}

// ---- Beneath ----------------------------------------------------------------------------------------------

Result<Beneath> Beneath::open(const std::string& dir, Options options) {
  if (dir.empty()) return fail(ErrorKind::Usage, "the destination directory name is empty");
  std::string shown = dir;
  while (shown.size() > 1 && shown.back() == '/') shown.pop_back();

  Fd root(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (root.get() < 0 && errno == ENOENT && options.create) {
    // mkdir -p, following the user's path as given: the one place a symlink is theirs to use.
    if (auto made = make_directories(dir, 0777); !made) return fail(made.error());
    root = Fd(::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  }
  if (root.get() < 0) {
    if (errno == ENOTDIR) return fail(io(fmt::format("{} is not a directory", shown)));
    return fail(io(fmt::format("cannot open directory {}: {}", shown, std::strerror(errno))));
  }

  // Is openat2 there? Old kernels say ENOSYS; some container seccomp profiles say EPERM.
  bool openat2 = !options.force_fallback;
  if (openat2) {
    open_how how{};
    how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
    how.resolve = kResolve;
    const long fd = ::syscall(SYS_openat2, root.get(), ".", &how, sizeof how);
    if (fd >= 0) ::close(static_cast<int>(fd));
    openat2 = fd >= 0;
  }
  return Beneath(std::move(root), std::move(shown), openat2);
}

int Beneath::open_beneath(int dir, const std::string& name, int flags, unsigned mode) const {
  if (!m_openat2) return ::openat(dir, name.c_str(), flags | O_NOFOLLOW | O_CLOEXEC, mode);
  open_how how{};
  how.flags = static_cast<uint64_t>(flags | O_CLOEXEC);
  how.mode = (flags & O_CREAT) != 0 ? mode : 0;
  how.resolve = kResolve;
  long fd = -1;
  for (int attempt = 0; attempt < 3; ++attempt) {  // EAGAIN: a racing rename; the kernel asks us to retry
    fd = ::syscall(SYS_openat2, dir, name.c_str(), &how, sizeof how);
    if (fd >= 0 || errno != EAGAIN) break;
  }
  return static_cast<int>(fd);
}

std::string Beneath::display(std::string_view relative) const {
  if (relative.empty()) return m_path;
  return m_path.ends_with('/') ? fmt::format("{}{}", m_path, relative)
                               : fmt::format("{}/{}", m_path, relative);
}

Result<std::optional<Fd>> Beneath::open_dir(std::string_view relative_dir, bool create) const {
  if (relative_dir.empty()) {
    Fd fd(::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0));
    if (fd.get() < 0) return fail(io(fmt::format("cannot open {}: {}", m_path, std::strerror(errno))));
    return std::optional<Fd>(std::move(fd));
  }
  if (m_openat2) {  // the common case, every parent there already: one call
    Fd fd(open_beneath(m_root.get(), std::string(relative_dir), O_PATH | O_DIRECTORY));
    if (fd.get() >= 0) return std::optional<Fd>(std::move(fd));
    if (errno == ENOENT && !create) return std::optional<Fd>();
  }
  Fd cur(::fcntl(m_root.get(), F_DUPFD_CLOEXEC, 0));
  if (cur.get() < 0) return fail(io(fmt::format("cannot open {}: {}", m_path, std::strerror(errno))));
  for (size_t start = 0;;) {
    const size_t end = std::min(relative_dir.find('/', start), relative_dir.size());
    const std::string name(relative_dir.substr(start, end - start));
    int fd = open_beneath(cur.get(), name, O_PATH | O_DIRECTORY);
    if (fd < 0 && errno == ENOENT) {
      if (!create) return std::optional<Fd>();
      if (::mkdirat(cur.get(), name.c_str(), 0777) != 0 && errno != EEXIST) {
        const int err = errno;
        return fail(io(fmt::format("cannot create directory {}: {}", display(relative_dir.substr(0, end)),
                                   std::strerror(err))));
      }
      fd = open_beneath(cur.get(), name, O_PATH | O_DIRECTORY);
    }
    if (fd < 0) {
      const int err = errno;
      return fail(io(explain(cur.get(), name, display(relative_dir.substr(0, end)), err, true)));
    }
    cur = Fd(fd);
    if (end == relative_dir.size()) return std::optional<Fd>(std::move(cur));
    start = end + 1;
  }
}

Result<PendingFile> Beneath::create(std::string_view relative) const {
  const std::string shown = display(relative);
  if (auto reason = unsafe_path_reason(relative)) {
    return fail(io(fmt::format("refusing {}: {}", shown, *reason)));
  }
  const auto [dir_part, name_part] = split_last(relative);
  const std::string name(name_part);

  auto parent = open_dir(dir_part, true);
  if (!parent) return fail(io(fmt::format("cannot write {}: {}", shown, parent.error().message)));
  Fd dir = std::move(**parent);

  // The clash of keys `a/b` then `a`, or a planted symlink: say so now, before writing anything.
  struct stat st {};
  if (::fstatat(dir.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (auto why = not_replaceable(st.st_mode, shown)) return fail(io(std::move(*why)));
  } else if (errno != ENOENT) {
    return fail(io(fmt::format("cannot check {}: {}", shown, std::strerror(errno))));
  }

  for (int attempt = 0; attempt < 100; ++attempt) {
    std::string temp = temp_name_for(name);
    Fd file(open_beneath(dir.get(), temp, O_RDWR | O_CREAT | O_EXCL, 0666));  // 0666 & ~umask, as cp does
    if (file.get() >= 0) return PendingFile(std::move(dir), std::move(file), name, std::move(temp), shown);
    if (errno != EEXIST) {
      return fail(io(fmt::format("cannot create a temporary file for {}: {}", shown, std::strerror(errno))));
    }
  }
  return fail(io(fmt::format("cannot create a temporary file for {}: every name tried exists", shown)));
}

Result<std::optional<EntryInfo>> Beneath::exists(std::string_view relative) const {
  const std::string shown = display(relative);
  if (auto reason = unsafe_path_reason(relative)) {
    return fail(io(fmt::format("refusing {}: {}", shown, *reason)));
  }
  const auto [dir_part, name_part] = split_last(relative);
  auto parent = open_dir(dir_part, false);
  if (!parent) return fail(io(fmt::format("cannot check {}: {}", shown, parent.error().message)));
  if (!*parent) return std::optional<EntryInfo>();

  struct stat st {};
  if (::fstatat((*parent)->get(), std::string(name_part).c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
    if (errno == ENOENT) return std::optional<EntryInfo>();
    return fail(io(fmt::format("cannot check {}: {}", shown, std::strerror(errno))));
  }
  EntryInfo info;
  info.kind = S_ISREG(st.st_mode)   ? EntryInfo::Kind::File
              : S_ISDIR(st.st_mode) ? EntryInfo::Kind::Directory
              : S_ISLNK(st.st_mode) ? EntryInfo::Kind::Symlink
                                    : EntryInfo::Kind::Other;
  info.size = static_cast<uint64_t>(st.st_size);
  info.mtime = st.st_mtim;
  return std::optional<EntryInfo>(info);
}

Result<Fd> Beneath::open_read(std::string_view relative, Symlinks symlinks) const {
  const std::string shown = display(relative);
  if (auto reason = unsafe_path_reason(relative)) {
    return fail(io(fmt::format("refusing {}: {}", shown, *reason)));
  }
  Fd fd;
  if (symlinks == Symlinks::Follow) {
    // O_NONBLOCK so that a FIFO put in a file's place is refused below instead of waited on.
    fd = Fd(::openat(m_root.get(), std::string(relative).c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (fd.get() < 0) return fail(io(fmt::format("cannot read {}: {}", shown, std::strerror(errno))));
  } else {
    const auto [dir_part, name_part] = split_last(relative);
    const std::string name(name_part);
    auto parent = open_dir(dir_part, false);
    if (!parent) return fail(io(fmt::format("cannot read {}: {}", shown, parent.error().message)));
    if (!*parent) return fail(io(fmt::format("cannot read {}: {}", shown, std::strerror(ENOENT))));
    fd = Fd(open_beneath((*parent)->get(), name, O_RDONLY | O_NONBLOCK));
    if (fd.get() < 0) {
      const int err = errno;
      return fail(io(explain((*parent)->get(), name, shown, err, false)));
    }
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return fail(io(fmt::format("cannot stat {}: {}", shown, std::strerror(errno))));
  }
  if (S_ISDIR(st.st_mode)) return fail(io(fmt::format("cannot read {}: it is a directory", shown)));
  if (!S_ISREG(st.st_mode)) return fail(io(fmt::format("{} is a {}: refused", shown, kind_name(st.st_mode))));
  const int flags = ::fcntl(fd.get(), F_GETFL);
  if (flags >= 0) ::fcntl(fd.get(), F_SETFL, flags & ~O_NONBLOCK);
  return fd;
}

// ---- the upload side's listing ----------------------------------------------------------------------------

// fts(3), physical (no symlink below the root is followed) or logical (every one is), then one sort: S3 orders keys
// by their bytes, and fts's per-directory order differs from that ("a-c" sorts before "a/b").
Result<LocalListing> list_regular_files(const std::string& dir, Beneath::Symlinks symlinks) {
  std::string root = dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  struct stat st {};
  if (::stat(root.c_str(), &st) != 0) {
    return fail(io(fmt::format("cannot open directory {}: {}", root, std::strerror(errno))));
  }
  if (!S_ISDIR(st.st_mode)) return fail(io(fmt::format("{} is not a directory", root)));

  char* roots[] = {root.data(), nullptr};
  const std::unique_ptr<FTS, int (*)(FTS*)> fts(
      ::fts_open(roots,
                 (symlinks == Beneath::Symlinks::Follow ? FTS_LOGICAL : FTS_PHYSICAL | FTS_COMFOLLOW) | FTS_NOCHDIR,
                 nullptr),
      ::fts_close);
  if (!fts) return fail(io(fmt::format("cannot list {}: {}", root, std::strerror(errno))));
  const size_t skip = root == "/" ? 1 : root.size() + 1;  // "DIR/" before every relative path

  LocalListing out;
  for (;;) {
    errno = 0;
    FTSENT* e = ::fts_read(fts.get());
    if (e == nullptr) break;
    if (e->fts_level == FTS_ROOTLEVEL) {
      if (e->fts_info == FTS_DNR || e->fts_info == FTS_ERR || e->fts_info == FTS_NS) {
        return fail(io(fmt::format("cannot list {}: {}", root, std::strerror(e->fts_errno))));
      }
      continue;
    }
    std::string path(e->fts_path + skip, e->fts_pathlen - skip);
    switch (e->fts_info) {
      case FTS_D:
      case FTS_DP:
        break;
      case FTS_F:
        out.files.push_back(
            {std::move(path), static_cast<uint64_t>(e->fts_statp->st_size), e->fts_statp->st_mtim});
        break;
      case FTS_SL:
        out.skipped.push_back({std::move(path), "symlink: not followed (--follow-symlinks follows it)"});
        break;
      case FTS_SLNONE:
        out.skipped.push_back({std::move(path), symlinks == Beneath::Symlinks::Follow
                                                    ? "dangling symlink"
                                                    : "symlink: not followed (--follow-symlinks follows it)"});
        break;
      case FTS_DEFAULT:
        out.skipped.push_back(
            {std::move(path), fmt::format("not a regular file ({})", kind_name(e->fts_statp->st_mode))});
        break;
      case FTS_DC:
        out.skipped.push_back({std::move(path), "directory cycle"});
        break;
      case FTS_DNR:
        out.skipped.push_back(
            {std::move(path), fmt::format("cannot read directory: {}", std::strerror(e->fts_errno)), true});
        break;
      default:  // FTS_NS, FTS_ERR
        out.skipped.push_back({std::move(path), fmt::format("cannot stat: {}", std::strerror(e->fts_errno)), true});
        break;
    }
  }
  if (errno != 0) return fail(io(fmt::format("cannot list {}: {}", root, std::strerror(errno))));
  std::sort(out.files.begin(), out.files.end(), [](const auto& a, const auto& b) { return a.path < b.path; });
  std::sort(out.skipped.begin(), out.skipped.end(),
            [](const auto& a, const auto& b) { return a.path < b.path; });
  return out;
}

}  // namespace s3fcp
