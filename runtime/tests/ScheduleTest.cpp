//===- ScheduleTest.cpp - Learning-rate schedules against Keras/PyTorch ---===//
//
// OptimizerSpec::learningRateAt against the rates Keras 3's ExponentialDecay
// and CosineDecay (with and without warmup) and PyTorch's StepLR give at the
// same iteration counts (ScheduleRefs.inc, from gen_schedule_refs.py).
//
//===----------------------------------------------------------------------===//
#include "netc/Plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

using namespace netc;

namespace {

struct Ref {
  const char *schedule;
  std::map<std::string, double> args;
  int64_t iteration;
  double rate;
};

const Ref kRefs[] = {
#include "ScheduleRefs.inc"
};

TEST(Schedule, MatchesKerasAndPyTorch) {
  int checked = 0;
  for (const Ref &r : kRefs) {
    OptimizerSpec o;
    o.name = "sgd";
    o.schedule = r.schedule;
    o.scheduleArgs = r.args;
    const double got = o.learningRateAt(r.iteration);
    // Keras evaluates in float32: 1 + cos(pi * t / T) near t = T keeps
    // only float32 precision of the schedule's scale.
    double scale = r.args.at("initial_learning_rate");
    if (r.args.count("warmup_target"))
      scale = std::max(scale, r.args.at("warmup_target"));
    EXPECT_NEAR(got, r.rate, 1e-6 * scale)
        << r.schedule << " at iteration " << r.iteration;
    ++checked;
  }
  EXPECT_EQ(checked, 84);
}

TEST(Schedule, ConstantRateWithoutSchedule) {
  OptimizerSpec o;
  o.name = "adam";
  o.args["learning_rate"] = 0.25;
  EXPECT_EQ(o.learningRateAt(0), 0.25);
  EXPECT_EQ(o.learningRateAt(12345), 0.25);
}

} // namespace
