// Never write outside DIR. Keys: every unsafe shape refused with its reason (s5cmd's `data/../../.bashrc`
// among them), folder markers skipped, NAME_MAX / PATH_MAX, unicode kept. Beneath, run twice (openat2 and the
// openat(O_NOFOLLOW) fallback): commit/abandon, the temporary name, a symlinked parent (also planted after
// the directory was opened), a symlink as the target file, the file/folder clash both ways, deep and unicode
// paths, exists(), open_read(), permissions (as an unprivileged child when run as root) — and after every
// refusal, a scan of the whole temporary tree shows nothing appeared outside DIR. The upload listing: byte
// order, skips, mtimes.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <string>

#include "io/beneath.h"

namespace s3fcp {
namespace {

namespace fs = std::filesystem;
using Verdict = KeyPath::Verdict;

// ---- key_to_relative_path ---------------------------------------------------------------------------------

void expect_unsafe(std::string_view key, std::string_view prefix, std::string_view reason) {
  SCOPED_TRACE(testing::Message() << "key='" << key << "' prefix='" << prefix << "'");
  const KeyPath p = key_to_relative_path(key, prefix);
  EXPECT_EQ(p.verdict, Verdict::Unsafe);
  EXPECT_EQ(p.reason, reason);
  EXPECT_EQ(p.path, "");
}

void expect_ok(std::string_view key, std::string_view prefix, std::string_view path) {
  SCOPED_TRACE(testing::Message() << "key='" << key << "' prefix='" << prefix << "'");
  const KeyPath p = key_to_relative_path(key, prefix);
  EXPECT_EQ(p.verdict, Verdict::Ok) << p.reason;
  EXPECT_EQ(p.path, path);
}

TEST(KeyToRelativePathTest, PartBelowThePrefix) {
  expect_ok("data/a/b.txt", "data/", "a/b.txt");
  expect_ok("data/x", "data/", "x");
  expect_ok("top.txt", "", "top.txt");
  expect_ok("a/b/c", "", "a/b/c");
}

TEST(KeyToRelativePathTest, PrefixWithoutSlashDropsOneSlash) {
  expect_ok("data/x", "data", "x");
  expect_ok("data/sub/x", "data", "sub/x");
  expect_ok("database.csv", "data", "base.csv");  // a bare prefix; the CLI lists s3://b/data as data/
  expect_unsafe("data//x", "data", "key has a leading '/'");
}

TEST(KeyToRelativePathTest, FolderMarkersAreSkippedNotErrors) {
  for (const auto& [key, prefix] : std::map<std::string, std::string>{
           {"data/sub/", "data/"}, {"data/", "data/"}, {"data/", "data"}, {"a/", ""}, {"x/../", ""}}) {
    const KeyPath p = key_to_relative_path(key, prefix);
    EXPECT_EQ(p.verdict, Verdict::FolderMarker) << key;
    EXPECT_EQ(p.path, "");
  }
}

TEST(KeyToRelativePathTest, S5cmdIssue872KeyIsRefused) {
  // peak/s5cmd#872: this key, copied from s3://bucket/data/*, wrote ~/.bashrc.
  expect_unsafe("data/../../.bashrc", "data/", "key has a '..' segment");
  expect_unsafe("data/../../.bashrc", "", "key has a '..' segment");
}

TEST(KeyToRelativePathTest, EveryUnsafeShapeHasItsReason) {
  expect_unsafe("..", "", "key has a '..' segment");
  expect_unsafe("../x", "", "key has a '..' segment");
  expect_unsafe("a/..", "", "key has a '..' segment");
  expect_unsafe("a/../b", "", "key has a '..' segment");
  expect_unsafe(".", "", "key has a '.' segment");
  expect_unsafe("./a", "", "key has a '.' segment");
  expect_unsafe("a/./b", "", "key has a '.' segment");
  expect_unsafe("a/.", "", "key has a '.' segment");
  expect_unsafe("a//b", "", "key has an empty segment ('//')");
  expect_unsafe("/etc/passwd", "", "key has a leading '/'");
  expect_unsafe("p//etc/passwd", "p/", "key has a leading '/'");
  expect_unsafe("a\\b", "", "key has a backslash");
  expect_unsafe("..\\..\\x", "", "key has a backslash");
  expect_unsafe(std::string_view("a\0b", 3), "", "key has a NUL byte");
  expect_unsafe("data", "data", "key has nothing below the prefix");
  expect_unsafe("", "", "key has nothing below the prefix");
  expect_unsafe("other/x", "data/", "key is not under the prefix");
}

TEST(KeyToRelativePathTest, DotsThatAreNamesAreFine) {
  for (const char* key : {"...", "..a", "a..", ".hidden", "a..b", ".../x", "x/.../y", "..../....", ". /a"}) {
    expect_ok(key, "", key);
  }
}

TEST(KeyToRelativePathTest, NameMaxAndPathMax) {
  const std::string longest(NAME_MAX, 'n');
  expect_ok("p/" + longest, "p/", longest);
  expect_unsafe("p/" + longest + "n", "p/", "key has a segment longer than 255 bytes");

  std::string path;  // exactly PATH_MAX - 1 bytes, in 255-byte segments
  while (path.size() + 256 < PATH_MAX - 1) path += std::string(255, 's') + "/";
  path += std::string(PATH_MAX - 1 - path.size(), 't');
  ASSERT_EQ(path.size(), size_t{PATH_MAX - 1});
  expect_ok(path, "", path);
  expect_unsafe(path + "t", "", "key is longer than 4095 bytes");
}

TEST(KeyToRelativePathTest, UnicodeIsKeptByteForByte) {
  expect_ok("photos/données/ñandú/文件 名.txt", "photos/", "données/ñandú/文件 名.txt");
  expect_ok("😀/\xF0\x9F\x98\x80.bin", "", "😀/😀.bin");
  expect_ok("bad\xFFutf8", "", "bad\xFFutf8");  // Linux names are bytes
}

TEST(UnsafePathReasonTest, SameRulesForPathsFromElsewhere) {
  EXPECT_EQ(unsafe_path_reason("a/b"), std::nullopt);
  EXPECT_EQ(unsafe_path_reason(""), "key is empty");
  EXPECT_EQ(unsafe_path_reason("../a"), "key has a '..' segment");
  EXPECT_EQ(unsafe_path_reason("a/"), "key has an empty segment ('//')");
}

// ---- Beneath ----------------------------------------------------------------------------------------------

// A temporary tree: ROOT/out is DIR, ROOT/outside holds what an attacker would like us to overwrite.
class TempTree : public ::testing::Test {
 protected:
  void SetUp() override {
    char dir[] = "/tmp/s3fcp-beneath-test.XXXXXX";
    ASSERT_NE(::mkdtemp(dir), nullptr);
    m_root = dir;
    m_out = m_root + "/out";
    m_outside = m_root + "/outside";
    fs::create_directory(m_outside);
    put(m_outside + "/victim", "precious");
  }
  void TearDown() override {
    for (const auto& e : fs::recursive_directory_iterator(m_root)) {
      if (e.is_directory(ec) && !e.is_symlink(ec)) {
        fs::permissions(e.path(), fs::perms::owner_all, fs::perm_options::add, ec);
      }
    }
    fs::remove_all(m_root, ec);
  }

  static void put(const std::string& path, const std::string& content) {
    FILE* f = std::fopen(path.c_str(), "wb");
    ASSERT_NE(f, nullptr) << path;
    std::fwrite(content.data(), 1, content.size(), f);
    std::fclose(f);
  }
  static std::string get(const std::string& path) {
    std::string out;
    if (FILE* f = std::fopen(path.c_str(), "rb")) {
      char buf[4096];
      size_t n = 0;
      while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) out.append(buf, n);
      std::fclose(f);
    }
    return out;
  }
  static void write_all(int fd, std::string_view s) {
    ASSERT_EQ(::write(fd, s.data(), s.size()), ssize_t(s.size()));
  }

  // Everything under ROOT (not following symlinks): path -> "dir", "-> target" or the file's content.
  std::map<std::string, std::string> snapshot() const {
    std::map<std::string, std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(m_root)) {
      const std::string rel = fs::relative(e.path(), m_root).string();
      if (e.is_symlink()) {
        out[rel] = "-> " + fs::read_symlink(e.path()).string();
      } else if (e.is_directory()) {
        out[rel] = "dir";
      } else if (e.is_regular_file()) {
        out[rel] = get(e.path());
      } else {
        out[rel] = "special";  // a FIFO: opening it would wait for a writer
      }
    }
    return out;
  }
  // Paths of temporary files left anywhere under ROOT.
  std::vector<std::string> temps() const {
    std::vector<std::string> out;
    for (const auto& [path, what] : snapshot()) {
      if (path.find(".s3fcp-tmp-") != std::string::npos) out.push_back(path);
    }
    return out;
  }

  std::string m_root, m_out, m_outside;
  mutable std::error_code ec;
};

class BeneathTest : public TempTree, public ::testing::WithParamInterface<bool> {
 protected:
  Beneath open_out() {
    auto b = Beneath::open(m_out, {.create = true, .force_fallback = GetParam()});
    EXPECT_TRUE(b.has_value()) << b.error().message;
    EXPECT_EQ(b->uses_openat2(), !GetParam());
    return std::move(*b);
  }
  // create(relative) must fail with an Io error containing `needle`, and change nothing under ROOT.
  void expect_refused(const Beneath& b, std::string_view relative, std::string_view needle) {
    SCOPED_TRACE(testing::Message() << "relative='" << relative << "'");
    const auto before = snapshot();
    auto f = b.create(relative);
    ASSERT_FALSE(f.has_value());
    EXPECT_EQ(f.error().kind, ErrorKind::Io);
    EXPECT_NE(f.error().message.find(needle), std::string::npos) << f.error().message;
    EXPECT_EQ(snapshot(), before);
    EXPECT_EQ(get(m_outside + "/victim"), "precious");
  }
};

INSTANTIATE_TEST_SUITE_P(Resolve, BeneathTest, ::testing::Values(false, true),
                         [](const auto& p) { return p.param ? "fallback" : "openat2"; });

TEST_P(BeneathTest, CommitPutsTheFileInPlace) {
  const Beneath b = open_out();
  auto f = b.create("a/b/c.txt");
  ASSERT_TRUE(f.has_value()) << f.error().message;
  write_all(f->fd(), "hello");
  EXPECT_EQ(f->path(), m_out + "/a/b/c.txt");
  EXPECT_FALSE(fs::exists(m_out + "/a/b/c.txt"));  // nothing carries the name before commit
  EXPECT_EQ(get(m_out + "/a/b/" + f->temp_name()), "hello");
  ASSERT_TRUE(f->commit().has_value());
  EXPECT_EQ(get(m_out + "/a/b/c.txt"), "hello");
  EXPECT_TRUE(temps().empty());
  f->abandon();  // after commit: nothing to undo
  EXPECT_EQ(get(m_out + "/a/b/c.txt"), "hello");
  auto again = f->commit();
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().kind, ErrorKind::Other);
}

TEST_P(BeneathTest, AbandonedOrDroppedFilesLeaveNoTrace) {
  const Beneath b = open_out();
  {
    auto f = b.create("x/dropped");
    ASSERT_TRUE(f.has_value());
    write_all(f->fd(), "half");
  }
  auto g = b.create("x/abandoned");
  ASSERT_TRUE(g.has_value());
  g->abandon();
  EXPECT_TRUE(temps().empty());
  EXPECT_FALSE(fs::exists(m_out + "/x/dropped"));
  EXPECT_FALSE(fs::exists(m_out + "/x/abandoned"));

  auto h = b.create("x/moved");
  ASSERT_TRUE(h.has_value());
  PendingFile moved = std::move(*h);  // the moved-from one must not unlink on destruction
  h = std::unexpected(Error{});
  ASSERT_TRUE(moved.commit().has_value());
  EXPECT_TRUE(fs::exists(m_out + "/x/moved"));
}

TEST_P(BeneathTest, TemporaryNameModeAndReadBack) {
  const mode_t old = ::umask(022);
  const Beneath b = open_out();
  auto f = b.create("dir/c.txt");
  ::umask(old);
  ASSERT_TRUE(f.has_value());
  const std::string& temp = f->temp_name();  // .c.txt.s3fcp-tmp-XXXXXX
  ASSERT_EQ(temp.size(), std::string(".c.txt.s3fcp-tmp-").size() + 6) << temp;
  EXPECT_TRUE(temp.starts_with(".c.txt.s3fcp-tmp-")) << temp;
  for (const char c : temp.substr(temp.size() - 6)) {
    EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << temp;
  }
  struct stat st {};
  ASSERT_EQ(::fstat(f->fd(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  write_all(f->fd(), "abc");
  char buf[3];
  EXPECT_EQ(::pread(f->fd(), buf, 3, 0), 3);  // read-write: a checksum pass can re-read it
}

TEST_P(BeneathTest, LongestNameStillGetsATemporaryName) {
  const Beneath b = open_out();
  const std::string name(NAME_MAX, 'L');
  auto f = b.create("d/" + name);
  ASSERT_TRUE(f.has_value()) << f.error().message;
  EXPECT_LE(f->temp_name().size(), size_t{NAME_MAX});
  ASSERT_TRUE(f->commit().has_value());
  EXPECT_TRUE(fs::exists(m_out + "/d/" + name));
}

TEST_P(BeneathTest, ReplaceOrNot) {
  const Beneath b = open_out();
  put((fs::create_directory(m_out + "/r"), m_out + "/r/f"), "old");
  auto keep = b.create("r/f");
  ASSERT_TRUE(keep.has_value());
  write_all(keep->fd(), "new");
  auto refused = keep->commit(PendingFile::Replace::No);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().message, m_out + "/r/f exists: not replaced");
  EXPECT_EQ(get(m_out + "/r/f"), "old");
  ASSERT_TRUE(keep->commit(PendingFile::Replace::Yes).has_value());
  EXPECT_EQ(get(m_out + "/r/f"), "new");

  auto fresh = b.create("r/g");
  ASSERT_TRUE(fresh.has_value());
  EXPECT_TRUE(fresh->commit(PendingFile::Replace::No).has_value());
  EXPECT_TRUE(temps().empty());
}

TEST_P(BeneathTest, UnsafeRelativePathsAreRefusedAndNothingAppearsOutside) {
  const Beneath b = open_out();
  for (const char* rel : {"../escape", "../outside/victim", "../../x", "a/../../x", "/abs", "a//b", "./x",
                          "a/.", "..", ".", "", "a/", "a\\..\\x"}) {
    expect_refused(b, rel, "refusing ");
  }
  expect_refused(b, std::string_view("a\0/../x", 7), "NUL byte");
}

TEST_P(BeneathTest, SymlinkedParentIsRefused) {
  const Beneath b = open_out();
  fs::create_directory_symlink("../outside", m_out + "/link");
  expect_refused(b, "link/victim", m_out + "/link is a symlink: refused");
  expect_refused(b, "link/new", m_out + "/link is a symlink: refused");
  expect_refused(b, "link/deeper/new", m_out + "/link is a symlink: refused");
  fs::create_directory_symlink(m_outside, m_out + "/abs");  // absolute target
  expect_refused(b, "abs/new", m_out + "/abs is a symlink: refused");
  fs::create_directory_symlink("/", m_out + "/slash");
  expect_refused(b, "slash/tmp/x", m_out + "/slash is a symlink: refused");
}

TEST_P(BeneathTest, SymlinkDeepInThePathIsRefused) {
  const Beneath b = open_out();
  fs::create_directories(m_out + "/a/b");
  fs::create_directory_symlink("../../../outside", m_out + "/a/b/c");
  expect_refused(b, "a/b/c/d/e", m_out + "/a/b/c is a symlink: refused");
  fs::create_directory_symlink(".", m_out + "/a/self");  // even one that stays inside
  expect_refused(b, "a/self/f", m_out + "/a/self is a symlink: refused");
}

TEST_P(BeneathTest, SymlinkAsTheTargetFileIsRefused) {
  const Beneath b = open_out();
  fs::create_directory(m_out + "/t");
  fs::create_symlink("../../outside/victim", m_out + "/t/existing");
  fs::create_symlink("../../outside/new", m_out + "/t/dangling");
  expect_refused(b, "t/existing", m_out + "/t/existing is a symlink: refused");
  expect_refused(b, "t/dangling", m_out + "/t/dangling is a symlink: refused");
  EXPECT_FALSE(fs::exists(m_outside + "/new"));
}

TEST_P(BeneathTest, SymlinkPlantedBeforeCommitIsRefused) {
  const Beneath b = open_out();
  auto f = b.create("t/file");
  ASSERT_TRUE(f.has_value());
  write_all(f->fd(), "evil");
  fs::create_symlink("../../outside/victim", m_out + "/t/file");
  auto c = f->commit();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message, m_out + "/t/file is a symlink: refused");
  f->abandon();
  EXPECT_EQ(get(m_outside + "/victim"), "precious");
  EXPECT_TRUE(temps().empty());
}

TEST_P(BeneathTest, ParentSwappedForASymlinkAfterOpenStillWritesInside) {
  // The race: the directory is opened, then moved away and replaced by a symlink to the outside. Every later
  // call is relative to the directory's fd, so the file lands in the directory we opened, wherever it now is.
  const Beneath b = open_out();
  auto f = b.create("d/f");
  ASSERT_TRUE(f.has_value());
  write_all(f->fd(), "data");
  fs::rename(m_out + "/d", m_out + "/d_moved");
  fs::create_directory_symlink("../outside", m_out + "/d");
  ASSERT_TRUE(f->commit().has_value());
  EXPECT_EQ(get(m_out + "/d_moved/f"), "data");
  EXPECT_FALSE(fs::exists(m_outside + "/f"));
  // And the next create through the symlink is refused.
  expect_refused(b, "d/g", m_out + "/d is a symlink: refused");
}

TEST_P(BeneathTest, FileThenFolderClash) {
  const Beneath b = open_out();
  auto a = b.create("a");
  ASSERT_TRUE(a.has_value());
  write_all(a->fd(), "I am a");
  ASSERT_TRUE(a->commit().has_value());
  expect_refused(b, "a/b", "cannot write " + m_out + "/a/b: " + m_out + "/a is a file, not a directory");
  expect_refused(b, "a/b/c", m_out + "/a is a file, not a directory");
  EXPECT_EQ(get(m_out + "/a"), "I am a");
}

TEST_P(BeneathTest, FolderThenFileClash) {
  const Beneath b = open_out();
  auto ab = b.create("a/b");
  ASSERT_TRUE(ab.has_value());
  ASSERT_TRUE(ab->commit().has_value());
  expect_refused(b, "a", m_out + "/a is a directory: refused to put a file in its place");
  EXPECT_TRUE(fs::is_regular_file(m_out + "/a/b"));
}

TEST_P(BeneathTest, FolderAppearingBeforeCommitIsReportedNotReplaced) {
  const Beneath b = open_out();
  auto f = b.create("a");
  ASSERT_TRUE(f.has_value());
  fs::create_directories(m_out + "/a/b");
  auto c = f->commit();
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().message, m_out + "/a is a directory: refused to put a file in its place");
  EXPECT_TRUE(fs::is_directory(m_out + "/a/b"));
  f = std::unexpected(Error{});  // dropping it removes the temporary file
  EXPECT_TRUE(temps().empty());
}

TEST_P(BeneathTest, SpecialFileInTheWayIsRefused) {
  const Beneath b = open_out();
  fs::create_directory(m_out + "/s");
  ASSERT_EQ(::mkfifo((m_out + "/s/fifo").c_str(), 0600), 0);
  expect_refused(b, "s/fifo", m_out + "/s/fifo is a FIFO: refused");
  expect_refused(b, "s/fifo/x", m_out + "/s/fifo is a FIFO, not a directory");
}

TEST_P(BeneathTest, DeepPaths) {
  const Beneath b = open_out();
  std::string rel;
  for (int i = 0; i < 60; ++i) rel += "level" + std::to_string(i) + "/";
  rel += "leaf";
  auto f = b.create(rel);
  ASSERT_TRUE(f.has_value()) << f.error().message;
  write_all(f->fd(), "deep");
  ASSERT_TRUE(f->commit().has_value());
  EXPECT_EQ(get(m_out + "/" + rel), "deep");
  auto again = b.create(rel);  // every parent there: openat2's one-call path
  ASSERT_TRUE(again.has_value());
  ASSERT_TRUE(again->commit().has_value());
}

TEST_P(BeneathTest, UnicodeNames) {
  const Beneath b = open_out();
  for (const std::string rel : {"données/ñandú/文件 名.txt", "😀/emoji 😀.bin", "Ω/\xFF\xFEnot-utf8"}) {
    auto f = b.create(rel);
    ASSERT_TRUE(f.has_value()) << f.error().message;
    write_all(f->fd(), rel);
    ASSERT_TRUE(f->commit().has_value());
    EXPECT_EQ(get(m_out + "/" + rel), rel);
    auto e = b.exists(rel);
    ASSERT_TRUE(e.has_value() && e->has_value());
    EXPECT_EQ((*e)->size, rel.size());
  }
}

TEST_P(BeneathTest, ExistsReportsWhatIsThere) {
  const Beneath b = open_out();
  fs::create_directories(m_out + "/d/sub");
  put(m_out + "/d/file", "12345");
  fs::create_symlink("file", m_out + "/d/link");
  fs::create_directory_symlink("../outside", m_out + "/escape");

  auto none = b.exists("d/none");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
  auto no_parent = b.exists("nodir/deeper/x");
  ASSERT_TRUE(no_parent.has_value());
  EXPECT_FALSE(no_parent->has_value());

  auto file = b.exists("d/file");
  ASSERT_TRUE(file.has_value() && file->has_value());
  EXPECT_EQ((*file)->kind, EntryInfo::Kind::File);
  EXPECT_EQ((*file)->size, 5u);
  struct stat st {};
  ASSERT_EQ(::stat((m_out + "/d/file").c_str(), &st), 0);
  EXPECT_EQ((*file)->mtime.tv_sec, st.st_mtim.tv_sec);
  EXPECT_EQ((*file)->mtime.tv_nsec, st.st_mtim.tv_nsec);

  EXPECT_EQ((*b.exists("d/sub"))->kind, EntryInfo::Kind::Directory);
  EXPECT_EQ((*b.exists("d/link"))->kind, EntryInfo::Kind::Symlink);

  auto through_link = b.exists("escape/victim");
  ASSERT_FALSE(through_link.has_value());
  EXPECT_NE(through_link.error().message.find(m_out + "/escape is a symlink: refused"), std::string::npos);
  auto through_file = b.exists("d/file/x");
  ASSERT_FALSE(through_file.has_value());
  EXPECT_NE(through_file.error().message.find("is a file, not a directory"), std::string::npos);
  EXPECT_FALSE(b.exists("../outside/victim").has_value());
}

TEST_P(BeneathTest, OpenReadOnlyRegularFilesBeneath) {
  const Beneath b = open_out();
  fs::create_directories(m_out + "/up");
  put(m_out + "/up/f", "payload");
  fs::create_symlink("../../outside/victim", m_out + "/up/link");
  fs::create_directory_symlink("../outside", m_out + "/escape");
  ASSERT_EQ(::mkfifo((m_out + "/up/fifo").c_str(), 0600), 0);

  auto fd = b.open_read("up/f");
  ASSERT_TRUE(fd.has_value()) << fd.error().message;
  char buf[16] = {};
  EXPECT_EQ(::read(fd->get(), buf, sizeof buf), 7);
  EXPECT_STREQ(buf, "payload");
  EXPECT_EQ(::fcntl(fd->get(), F_GETFL) & O_NONBLOCK, 0);

  EXPECT_EQ(b.open_read("up/link").error().message, m_out + "/up/link is a symlink: refused");
  EXPECT_EQ(b.open_read("up/fifo").error().message, m_out + "/up/fifo is a FIFO: refused");  // not waited on
  EXPECT_EQ(b.open_read("up").error().message, "cannot read " + m_out + "/up: it is a directory");
  EXPECT_NE(b.open_read("escape/victim").error().message.find("is a symlink: refused"), std::string::npos);
  EXPECT_NE(b.open_read("up/none").error().message.find("No such file"), std::string::npos);
  EXPECT_NE(b.open_read("none/x").error().message.find("No such file"), std::string::npos);
}

TEST_P(BeneathTest, OpenReadFollowingSymlinksReadsTheirTargetsButNoDotDot) {
  const Beneath b = open_out();
  fs::create_directories(m_out + "/up");
  fs::create_symlink("../../outside/victim", m_out + "/up/link");
  fs::create_directory_symlink("../outside", m_out + "/escape");
  ASSERT_EQ(::mkfifo((m_out + "/up/fifo").c_str(), 0600), 0);
  constexpr auto follow = Beneath::Symlinks::Follow;
  for (const char* path : {"up/link", "escape/victim"}) {
    auto fd = b.open_read(path, follow);
    ASSERT_TRUE(fd.has_value()) << path << ": " << fd.error().message;
    char buf[16] = {};
    EXPECT_EQ(::read(fd->get(), buf, sizeof buf), 8) << path;
    EXPECT_STREQ(buf, "precious");
    EXPECT_EQ(::fcntl(fd->get(), F_GETFL) & O_NONBLOCK, 0);
  }
  EXPECT_EQ(b.open_read("up/fifo", follow).error().message, m_out + "/up/fifo is a FIFO: refused");
  EXPECT_EQ(b.open_read("../outside/victim", follow).error().message,
            "refusing " + m_out + "/../outside/victim: key has a '..' segment");
  EXPECT_NE(b.open_read("up/none", follow).error().message.find("No such file"), std::string::npos);
}

// Runs `check` as an unprivileged user (root ignores permission bits): in a child that drops to nobody when
// we are root, in-process otherwise. `check` returns an empty string on success or what went wrong.
void expect_unprivileged(const std::function<std::string()>& check) {
  if (::geteuid() != 0) {
    EXPECT_EQ(check(), "");
    return;
  }
  const pid_t pid = ::fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    if (::setgid(65534) != 0 || ::setuid(65534) != 0) ::_exit(2);
    const std::string problem = check();
    if (!problem.empty()) std::fprintf(stderr, "unprivileged check: %s\n", problem.c_str());
    ::_exit(problem.empty() ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "the check failed in the unprivileged child (see stderr)";
}

TEST_P(BeneathTest, PermissionErrorsNameThePath) {
  ::chmod(m_root.c_str(), 0755);
  fs::create_directories(m_out + "/ro");
  ::chmod(m_out.c_str(), 0755);
  ::chmod((m_out + "/ro").c_str(), 0555);
  const bool fallback = GetParam();
  const std::string out = m_out;
  expect_unprivileged([&]() -> std::string {
    auto b = Beneath::open(out, {.create = false, .force_fallback = fallback});
    if (!b) return "open: " + b.error().message;
    auto f = b->create("ro/x");
    if (f) return "create ro/x succeeded";
    if (f.error().message != "cannot create a temporary file for " + out + "/ro/x: Permission denied") {
      return "create ro/x: " + f.error().message;
    }
    auto g = b->create("ro/sub/x");
    if (g) return "create ro/sub/x succeeded";
    if (g.error().message !=
        "cannot write " + out + "/ro/sub/x: cannot create directory " + out + "/ro/sub: Permission denied") {
      return "create ro/sub/x: " + g.error().message;
    }
    return "";
  });
  EXPECT_TRUE(fs::is_empty(m_out + "/ro"));
}

TEST_F(TempTree, OpenMakesDirWithItsParents) {
  const std::string deep = m_root + "/new/deeper/dir/";
  auto b = Beneath::open(deep);
  ASSERT_TRUE(b.has_value()) << b.error().message;
  EXPECT_TRUE(fs::is_directory(deep));
  EXPECT_EQ(b->path(), m_root + "/new/deeper/dir");  // trailing '/' dropped from messages
  auto f = b->create("x");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->path(), m_root + "/new/deeper/dir/x");
}

TEST_F(TempTree, OpenRefusesMissingWithoutCreateAndNonDirectories) {
  auto missing = Beneath::open(m_root + "/missing", {.create = false});
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().kind, ErrorKind::Io);
  EXPECT_NE(missing.error().message.find("No such file or directory"), std::string::npos);
  EXPECT_FALSE(fs::exists(m_root + "/missing"));

  auto file = Beneath::open(m_outside + "/victim");
  ASSERT_FALSE(file.has_value());
  EXPECT_EQ(file.error().message, m_outside + "/victim is not a directory");
  auto under_file = Beneath::open(m_outside + "/victim/sub");
  ASSERT_FALSE(under_file.has_value());
  EXPECT_EQ(under_file.error().kind, ErrorKind::Io);
  EXPECT_EQ(Beneath::open("").error().kind, ErrorKind::Usage);
}

TEST_F(TempTree, TheUsersOwnSymlinkIsFollowed) {
  fs::create_directory_symlink("outside", m_root + "/mine");
  auto b = Beneath::open(m_root + "/mine");
  ASSERT_TRUE(b.has_value());
  auto f = b->create("made-here");
  ASSERT_TRUE(f.has_value());
  ASSERT_TRUE(f->commit().has_value());
  EXPECT_TRUE(fs::exists(m_outside + "/made-here"));
}

TEST_F(TempTree, Openat2IsUsedWhereTheKernelHasIt) {
  auto b = Beneath::open(m_out);
  ASSERT_TRUE(b.has_value());
  EXPECT_TRUE(b->uses_openat2());  // Linux >= 5.6; the fallback is covered by the parameterized suite
  EXPECT_FALSE(Beneath::open(m_out, {.force_fallback = true})->uses_openat2());
}

// ---- list_regular_files -----------------------------------------------------------------------------------

std::vector<std::string> paths_of(const LocalListing& l) {
  std::vector<std::string> out;
  for (const auto& f : l.files) out.push_back(f.path);
  return out;
}

// The entries a listing left out, with why.
std::vector<std::pair<std::string, std::string>> skips_of(const LocalListing& l) {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& s : l.skipped) out.emplace_back(s.path, s.reason);
  return out;
}

TEST_F(TempTree, ListingIsSortedByBytes) {
  fs::create_directories(m_out + "/a");
  fs::create_directories(m_out + "/z/y");
  fs::create_directories(m_out + "/empty");
  for (const char* p : {"a-c", "a/b", "B", "é", "a/.hidden", "z/y/x", "a0"}) put(m_out + "/" + p, p);
  auto l = list_regular_files(m_out + "/");
  ASSERT_TRUE(l.has_value()) << l.error().message;
  EXPECT_EQ(paths_of(*l), (std::vector<std::string>{"B", "a-c", "a/.hidden", "a/b", "a0", "z/y/x", "é"}));
  EXPECT_TRUE(l->skipped.empty());
  EXPECT_EQ(l->files[0].size, 1u);
  EXPECT_EQ(l->files[6].size, std::string("é").size());
}

TEST_F(TempTree, ListingSkipsSymlinksAndSpecialFilesWithReasons) {
  fs::create_directories(m_out + "/d");
  put(m_out + "/d/real", "0123456789");
  const timespec times[2] = {{1700000000, 123456789}, {1600000000, 987654321}};
  ASSERT_EQ(::utimensat(AT_FDCWD, (m_out + "/d/real").c_str(), times, 0), 0);
  fs::create_symlink("real", m_out + "/d/to-file");
  fs::create_directory_symlink("../../outside", m_out + "/d/to-dir");
  fs::create_symlink("nowhere", m_out + "/d/dangling");
  ASSERT_EQ(::mkfifo((m_out + "/d/fifo").c_str(), 0600), 0);

  auto l = list_regular_files(m_out);
  ASSERT_TRUE(l.has_value());
  ASSERT_EQ(paths_of(*l), std::vector<std::string>{"d/real"});
  EXPECT_EQ(l->files[0].size, 10u);
  EXPECT_EQ(l->files[0].mtime.tv_sec, 1600000000);
  EXPECT_EQ(l->files[0].mtime.tv_nsec, 987654321);
  const std::string not_followed = "symlink: not followed (--follow-symlinks follows it)";
  EXPECT_EQ(skips_of(*l), (std::vector<std::pair<std::string, std::string>>{{"d/dangling", not_followed},
                                                                           {"d/fifo", "not a regular file (FIFO)"},
                                                                           {"d/to-dir", not_followed},
                                                                           {"d/to-file", not_followed}}));
  for (const auto& s : l->skipped) EXPECT_FALSE(s.unreadable) << s.path;  // left out by a rule, not a failure
}

TEST_F(TempTree, ListingFollowingSymlinksListsTheirTargetsUnderTheirNames) {
  fs::create_directories(m_out + "/d");
  put(m_out + "/d/real", "0123456789");
  fs::create_symlink("real", m_out + "/d/to-file");
  fs::create_directory_symlink("../../outside", m_out + "/d/to-dir");
  fs::create_symlink("nowhere", m_out + "/d/dangling");
  fs::create_directory_symlink("..", m_out + "/d/cycle");
  ASSERT_EQ(::mkfifo((m_out + "/d/fifo").c_str(), 0600), 0);

  auto l = list_regular_files(m_out, Beneath::Symlinks::Follow);
  ASSERT_TRUE(l.has_value()) << l.error().message;
  ASSERT_EQ(paths_of(*l), (std::vector<std::string>{"d/real", "d/to-dir/victim", "d/to-file"}));
  EXPECT_EQ(l->files[1].size, 8u);   // precious
  EXPECT_EQ(l->files[2].size, 10u);  // the target's size, not the link's
  EXPECT_EQ(skips_of(*l), (std::vector<std::pair<std::string, std::string>>{
                             {"d/cycle", "directory cycle"},
                             {"d/dangling", "dangling symlink"},
                             {"d/fifo", "not a regular file (FIFO)"}}));
}

TEST_F(TempTree, ListingUnreadableDirectoryIsSkippedNotFatal) {
  ::chmod(m_root.c_str(), 0755);
  fs::create_directories(m_out + "/locked");
  put(m_out + "/locked/secret", "s");
  put(m_out + "/open", "o");
  ::chmod(m_out.c_str(), 0755);
  ::chmod((m_out + "/open").c_str(), 0644);
  ::chmod((m_out + "/locked").c_str(), 0);
  const std::string out = m_out;
  expect_unprivileged([&]() -> std::string {
    auto l = list_regular_files(out);
    if (!l) return l.error().message;
    if (paths_of(*l) != std::vector<std::string>{"open"}) return "unexpected files";
    if (l->skipped.size() != 1 || l->skipped[0].path != "locked" ||
        l->skipped[0].reason != "cannot read directory: Permission denied" || !l->skipped[0].unreadable) {
      return "unexpected skips";
    }
    return "";
  });
}

TEST_F(TempTree, ListingRootRules) {
  fs::create_directories(m_out);
  put(m_out + "/f", "x");
  fs::create_directory_symlink("out", m_root + "/alias");
  auto via_link = list_regular_files(m_root + "/alias");  // the user's own path is followed
  ASSERT_TRUE(via_link.has_value());
  EXPECT_EQ(paths_of(*via_link), std::vector<std::string>{"f"});

  EXPECT_EQ(list_regular_files(m_out + "/f").error().message, m_out + "/f is not a directory");
  EXPECT_EQ(list_regular_files(m_root + "/missing").error().kind, ErrorKind::Io);
  fs::create_directories(m_root + "/void");
  auto empty = list_regular_files(m_root + "/void");
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->files.empty() && empty->skipped.empty());
}

}  // namespace
}  // namespace s3fcp
