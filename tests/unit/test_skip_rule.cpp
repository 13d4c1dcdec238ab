#include <gtest/gtest.h>

#include "ops/many/skip_rule.h"

namespace s3fcp {
namespace {

using namespace std::chrono;

SkipRule rule(bool skip_existing, bool if_source_newer) { return {skip_existing, if_source_newer}; }

TEST(SkipRuleTest, EachOptionAloneDecides) {
  EXPECT_TRUE(keep_destination(rule(true, false), {.same_content = true, .source_newer = true}));
  EXPECT_FALSE(keep_destination(rule(true, false), {.same_content = false, .source_newer = false}));
  EXPECT_TRUE(keep_destination(rule(false, true), {.same_content = false, .source_newer = false}));
  EXPECT_FALSE(keep_destination(rule(false, true), {.same_content = true, .source_newer = true}));
  EXPECT_FALSE(keep_destination(rule(false, false), {.same_content = true, .source_newer = false}));
}

TEST(SkipRuleTest, BothTogetherCopyWhatDiffersOrIsNewer) {  // aws s3 sync's rule
  const SkipRule both = rule(true, true);
  EXPECT_TRUE(keep_destination(both, {.same_content = true, .source_newer = false}));
  EXPECT_FALSE(keep_destination(both, {.same_content = false, .source_newer = false}));
  EXPECT_FALSE(keep_destination(both, {.same_content = true, .source_newer = true}));
}

TEST(SkipRuleTest, NewerInWholeSecondsAndUnknownIsNewer) {
  const auto t = sys_days(year(2026) / 12 / 3) + hours(12);
  EXPECT_TRUE(source_is_newer(t + seconds(1), t));
  EXPECT_FALSE(source_is_newer(t, t));
  // S3 keeps whole seconds: a file written 0.9 s into the second its object was stored is not older than it.
  EXPECT_FALSE(source_is_newer(t + milliseconds(900), t));
  EXPECT_FALSE(source_is_newer(t, t + milliseconds(900)));
  EXPECT_FALSE(source_is_newer(t - seconds(1), t));
  EXPECT_TRUE(source_is_newer(std::nullopt, t));
  EXPECT_TRUE(source_is_newer(t, std::nullopt));
}

}  // namespace
}  // namespace s3fcp
