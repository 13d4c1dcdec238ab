// The progress bar's text: done / total, percent, rate and ETA when the total is known; done and rate when
// not.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>

#include "io/progress_bar.h"
#include "test_support.h"

namespace s3fcp {
namespace {

constexpr uint64_t kUnknown = UINT64_MAX;

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

TEST(HumanBytesTest, Bytes) {
  EXPECT_EQ(human_bytes(0), "0 B");
  EXPECT_EQ(human_bytes(1), "1 B");
  EXPECT_EQ(human_bytes(1023), "1023 B");
}

TEST(HumanBytesTest, BinaryUnitsWithOneDecimal) {
  EXPECT_EQ(human_bytes(1024), "1.0 KiB");
  EXPECT_EQ(human_bytes(1536), "1.5 KiB");
  EXPECT_EQ(human_bytes(static_cast<double>(MiB)), "1.0 MiB");
  EXPECT_EQ(human_bytes(static_cast<double>(512 * MiB)), "512.0 MiB");
  EXPECT_EQ(human_bytes(static_cast<double>(GiB + GiB / 2)), "1.5 GiB");
  EXPECT_EQ(human_bytes(static_cast<double>(3 * (uint64_t{1} << 40))), "3.0 TiB");
}

TEST(HumanBytesTest, TiBIsTheLargestUnit) {
  EXPECT_EQ(human_bytes(static_cast<double>(uint64_t{1} << 50)), "1024.0 TiB");
}

TEST(ProgressBarRenderTest, KnownTotalShowsDoneTotalPercentRateAndEta) {
  // Half of 1 GiB at 1 MiB/s: 512 s to go.
  const std::string s = ProgressBar::render(512 * MiB, GiB, static_cast<double>(MiB));
  EXPECT_TRUE(contains(s, "512.0 MiB / 1.0 GiB")) << s;
  EXPECT_TRUE(contains(s, " 50%")) << s;
  EXPECT_TRUE(contains(s, "1.0 MiB/s")) << s;
  EXPECT_TRUE(contains(s, "ETA 8:32")) << s;
  EXPECT_EQ(s, "[############            ]  50%  512.0 MiB / 1.0 GiB  1.0 MiB/s  ETA 8:32");
}

TEST(ProgressBarRenderTest, BarWidthFollowsTheFraction) {
  const std::string quarter = ProgressBar::render(25, 100, 0);
  EXPECT_TRUE(quarter.starts_with("[######                  ]")) << quarter;
  EXPECT_TRUE(contains(quarter, " 25%")) << quarter;
  const std::string none = ProgressBar::render(0, 100, 0);
  EXPECT_TRUE(none.starts_with("[                        ]   0%")) << none;
}

TEST(ProgressBarRenderTest, EtaRoundsUpAndShowsMinutesPastAnHour) {
  // 10 KiB left at 3 KiB/s: 3.33 s, shown as 4 s.
  EXPECT_TRUE(contains(ProgressBar::render(0, 10 * KiB, 3.0 * KiB), "ETA 0:04"));
  // 2 h 5 s to go.
  const uint64_t total = 7205 * MiB;
  EXPECT_TRUE(contains(ProgressBar::render(0, total, static_cast<double>(MiB)), "ETA 120:05"));
}

TEST(ProgressBarRenderTest, CompleteShowsHundredPercentAndNoEta) {
  const std::string s = ProgressBar::render(GiB, GiB, static_cast<double>(MiB));
  EXPECT_TRUE(contains(s, "100%")) << s;
  EXPECT_TRUE(s.starts_with("[########################]")) << s;
  EXPECT_FALSE(contains(s, "ETA")) << s;
}

TEST(ProgressBarRenderTest, NoEtaWithoutARate) {
  const std::string s = ProgressBar::render(MiB, GiB, 0);
  EXPECT_TRUE(contains(s, "0%")) << s;
  EXPECT_TRUE(contains(s, "0 B/s")) << s;
  EXPECT_FALSE(contains(s, "ETA")) << s;
}

TEST(ProgressBarRenderTest, UnknownTotalShowsDoneAndRateOnly) {
  const std::string s = ProgressBar::render(5 * MiB, kUnknown, 2.0 * MiB);
  EXPECT_EQ(s, "5.0 MiB  2.0 MiB/s");
  EXPECT_FALSE(contains(s, "%"));
  EXPECT_FALSE(contains(s, "ETA"));
  EXPECT_FALSE(contains(s, "/ "));
}

TEST(ProgressBarRenderTest, EmptyObject) {
  const std::string s = ProgressBar::render(0, 0, 0);
  EXPECT_EQ(s, "0 B / 0 B  0 B/s");
}

TEST(ProgressBarTest, DisabledBarDrawsNothingAndFinishIsSafe) {
  ProgressBar bar(ProgressBar::Mode::Off);
  testing::internal::CaptureStderr();
  bar.update(10, 100);
  bar.finish();
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

}  // namespace
}  // namespace s3fcp
