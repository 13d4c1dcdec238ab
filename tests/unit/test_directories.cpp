#include "util/directories.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "test_support.h"

namespace s3fcp {
namespace {

namespace fs = std::filesystem;

class DirectoriesTest : public ::testing::Test {
 protected:
  TempDir m_tmp{"directories-test"};
  const std::string m_root = m_tmp.path();
};

TEST_F(DirectoriesTest, MakesTheMissingPartsOutermostFirst) {
  auto made = make_directories(m_root + "/a//b/c/", 0777);
  ASSERT_TRUE(made) << made.error().message;
  EXPECT_EQ(*made, (std::vector<std::string>{m_root + "/a", m_root + "/a//b", m_root + "/a//b/c"}));
  EXPECT_TRUE(fs::is_directory(m_root + "/a/b/c"));
  auto again = make_directories(m_root + "/a/b/c", 0777);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->empty());  // nothing new: nothing to take back
}

TEST_F(DirectoriesTest, AFileInTheWayIsAnIoErrorNamingIt) {
  std::ofstream(m_root + "/file") << "x";
  auto made = make_directories(m_root + "/file/sub", 0777);
  ASSERT_FALSE(made);
  EXPECT_EQ(made.error().kind, ErrorKind::Io);
  EXPECT_NE(made.error().message.find(m_root + "/file is not a directory"), std::string::npos)
      << made.error().message;
}

TEST_F(DirectoriesTest, TakenBackOnlyWhileEmptyUnlessKept) {
  {
    auto made = make_directories(m_root + "/x/y/z", 0777);
    ASSERT_TRUE(made);
    MadeDirectories dirs(std::move(*made));
  }
  EXPECT_FALSE(fs::exists(m_root + "/x"));
  {
    auto made = make_directories(m_root + "/x/y/z", 0777);
    ASSERT_TRUE(made);
    MadeDirectories dirs(std::move(*made));
    std::ofstream(m_root + "/x/y/kept") << "x";  // y is not empty: y and x stay, z goes
  }
  EXPECT_FALSE(fs::exists(m_root + "/x/y/z"));
  EXPECT_TRUE(fs::exists(m_root + "/x/y/kept"));
  {
    auto made = make_directories(m_root + "/k/l", 0777);
    ASSERT_TRUE(made);
    MadeDirectories dirs(std::move(*made));
    dirs.keep();
  }
  EXPECT_TRUE(fs::is_directory(m_root + "/k/l"));
}

}  // namespace
}  // namespace s3fcp
