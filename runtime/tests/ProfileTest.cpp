// Tests of the --profile accumulator (netc/Profile.h): regions booked per
// family with chosen clock values, the outermost region winning, stray ends
// and unknown families, other/idle, the table's rows, and the program's
// profiler off and on.

#include "netc/Profile.h"

#include <gtest/gtest.h>

using namespace netc::rt::profile;

namespace {

int32_t id(Family f) { return static_cast<int32_t>(f); }
int64_t calls(const Report &r, Family f) { return r.calls[id(f)]; }
int64_t ns(const Report &r, Family f) { return r.ns[id(f)]; }

TEST(ProfileTest, BooksRegionsPerFamily) {
  Accumulator a;
  a.start(1000);
  a.begin(id(Family::conv_fwd), 1100);
  a.end(1400);
  a.begin(id(Family::batchnorm), 1500);
  a.end(1550);
  a.begin(id(Family::conv_fwd), 1600);
  a.end(1700);
  a.countStep();
  a.countStep();
  const Report r = a.finish(2000);
  EXPECT_EQ(calls(r, Family::conv_fwd), 2);
  EXPECT_EQ(ns(r, Family::conv_fwd), 400);
  EXPECT_EQ(calls(r, Family::batchnorm), 1);
  EXPECT_EQ(ns(r, Family::batchnorm), 50);
  EXPECT_EQ(calls(r, Family::matmul), 0);
  EXPECT_EQ(r.windowNs, 1000);
  EXPECT_EQ(r.steps, 2);
  EXPECT_EQ(r.otherNs(), 550);
}

TEST(ProfileTest, OutermostRegionWins) {
  Accumulator a;
  a.start(0);
  a.begin(id(Family::evaluation), 10);
  a.begin(id(Family::conv_fwd), 20);
  a.end(30);
  a.begin(id(Family::batch), 40);
  a.end(50);
  a.end(100);
  const Report r = a.finish(100);
  EXPECT_EQ(calls(r, Family::evaluation), 1);
  EXPECT_EQ(ns(r, Family::evaluation), 90);
  EXPECT_EQ(calls(r, Family::conv_fwd), 0);
  EXPECT_EQ(calls(r, Family::batch), 0);
  EXPECT_EQ(r.otherNs(), 10);
}

TEST(ProfileTest, StrayEndsAndUnknownFamilies) {
  Accumulator a;
  a.start(0);
  a.end(5); // no region open: ignored
  a.begin(kNumFamilies, 10);
  a.end(20);
  a.begin(-3, 30);
  a.end(35);
  const Report r = a.finish(40);
  EXPECT_EQ(calls(r, Family::compiled), 2);
  EXPECT_EQ(ns(r, Family::compiled), 15);
  EXPECT_EQ(r.otherNs(), 25);
}

TEST(ProfileTest, StartClearsTheWindow) {
  Accumulator a;
  a.start(0);
  a.begin(id(Family::matmul), 0);
  a.end(10);
  a.countStep();
  a.start(100);
  const Report r = a.finish(150);
  EXPECT_EQ(calls(r, Family::matmul), 0);
  EXPECT_EQ(r.steps, 0);
  EXPECT_EQ(r.windowNs, 50);
}

TEST(ProfileTest, OtherIsNeverNegative) {
  Report r;
  r.windowNs = 10;
  r.ns[id(Family::matmul)] = 25;
  EXPECT_EQ(r.otherNs(), 0);
}

TEST(ProfileTest, TableHasARowPerFamilyThatRan) {
  Accumulator a;
  a.start(0);
  a.begin(id(Family::conv_bwd_weights), 0);
  a.end(3000000); // 3 ms
  a.begin(id(Family::optimizer), 3000000);
  a.end(4000000); // 1 ms
  a.countStep();
  a.countStep();
  const std::string table = formatTable(a.finish(8000000));
  EXPECT_NE(table.find("Profile: 2 train steps in 8.0 ms, 4.000 ms per step"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("% of step"), std::string::npos) << table;
  EXPECT_NE(table.find("conv backward weights           1        3.000      "
                       "1.500      37.5"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("optimizer update                1        1.000      "
                       "0.500      12.5"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("other/idle                      -        4.000      "
                       "2.000      50.0"),
            std::string::npos)
      << table;
  EXPECT_NE(table.find("total                           -        8.000      "
                       "4.000     100.0"),
            std::string::npos)
      << table;
  EXPECT_EQ(table.find("matmul"), std::string::npos) << table;
}

TEST(ProfileTest, TableWithoutTrainSteps) {
  Accumulator a;
  a.start(0);
  const std::string table = formatTable(a.finish(2000000));
  EXPECT_NE(table.find("Profile: no train steps, 2.0 ms in all"),
            std::string::npos)
      << table;
  EXPECT_NE(
      table.find("other/idle                      -        2.000          "
                 "-     100.0"),
      std::string::npos)
      << table;
}

TEST(ProfileTest, ProgramProfilerRecordsOnlyWhenStarted) {
  // Off: regions and steps are not recorded.
  netc_profile_begin(id(Family::dropout));
  netc_profile_end(id(Family::dropout));
  countStep();
  start();
  { const Scope s(Family::dropout); }
  netc_profile_begin(id(Family::loss));
  netc_profile_end(id(Family::loss));
  countStep();
  const Report on = stop();
  EXPECT_EQ(calls(on, Family::dropout), 1);
  EXPECT_EQ(calls(on, Family::loss), 1);
  EXPECT_EQ(on.steps, 1);
  EXPECT_GE(on.windowNs, ns(on, Family::dropout) + ns(on, Family::loss));
  // Stopped: nothing more is recorded into the next window either.
  { const Scope s(Family::dropout); }
  start();
  EXPECT_EQ(calls(stop(), Family::dropout), 0);
}

} // namespace
