//===- CallbacksTest.cpp - Callbacks against Keras 3 ----------------------===//
//
// netc's callbacks on constructed metric sequences against what Keras 3's
// EarlyStopping, ReduceLROnPlateau and ModelCheckpoint(save_best_only) do on
// the same sequences (CallbackRefs.inc, from gen_callback_refs.py): the
// epoch training stops at, the epoch whose weights are restored, the
// learning rate of every epoch and the epochs whose weights are saved.
//
//===----------------------------------------------------------------------===//
#include "netc/Callbacks.h"

#include <gtest/gtest.h>

using namespace netc;

namespace {

struct Ref {
  const char *name;
  std::map<std::string, double> args;
  std::map<std::string, std::string> strArgs;
  std::vector<double> values;
  int64_t stopped, restored;
  std::vector<double> rates;
  std::vector<int64_t> saved;
};

const Ref kRefs[] = {
#include "CallbackRefs.inc"
};

constexpr double kRate = 0.01;

TEST(Callbacks, MatchKeras) {
  for (const Ref &ref : kRefs) {
    SCOPED_TRACE(std::string(ref.name) + " on " + ref.strArgs.at("monitor") +
                 " #" + std::to_string(&ref - kRefs));
    Callbacks cbs({CallbackSpec{ref.name, ref.args, ref.strArgs}}, kRate);
    std::vector<double> rates;
    std::vector<int64_t> saved;
    int64_t keptAt = 0;
    for (size_t e = 0; e < ref.values.size(); ++e) {
      const int64_t epoch = static_cast<int64_t>(e) + 1;
      rates.push_back(cbs.learningRate());
      CallbackActions a =
          cbs.endEpoch(epoch, {{ref.strArgs.at("monitor"), ref.values[e]},
                               {"unwatched", 0}});
      if (a.keepWeights)
        keptAt = epoch;
      if (!a.saveTo.empty()) {
        EXPECT_EQ(a.saveTo, std::vector<std::string>{"best"});
        saved.push_back(epoch);
      }
      if (a.stop)
        break;
    }
    EXPECT_EQ(cbs.stoppedEpoch(), ref.stopped);
    EXPECT_EQ(cbs.restoreEpoch(), ref.restored);
    // The weights restored are the last ones kept.
    EXPECT_EQ(keptAt, ref.restored);
    EXPECT_EQ(saved, ref.saved);
    if (!ref.rates.empty())
      EXPECT_EQ(rates, ref.rates);
    EXPECT_EQ(cbs.controlsLearningRate(),
              std::string(ref.name) == "reduce_lr_on_plateau");
  }
}

TEST(Callbacks, SeveralRunInOrderAndStopTogether) {
  // Early stopping stops at epoch 3; the plateau halves the rate after two
  // epochs without improvement, in the same epoch's end.
  Callbacks cbs({{"early_stopping", {{"patience", 2}}, {{"monitor", "loss"}}},
                 {"reduce_lr_on_plateau",
                  {{"factor", 0.5}, {"patience", 2}},
                  {{"monitor", "loss"}}}},
                0.1);
  EXPECT_FALSE(cbs.endEpoch(1, {{"loss", 1.0}}).stop);
  EXPECT_FALSE(cbs.endEpoch(2, {{"loss", 1.0}}).stop);
  EXPECT_FLOAT_EQ(cbs.learningRate(), 0.1);
  EXPECT_TRUE(cbs.endEpoch(3, {{"loss", 1.0}}).stop);
  EXPECT_FLOAT_EQ(cbs.learningRate(), 0.05);
  EXPECT_EQ(cbs.stoppedEpoch(), 3);
  EXPECT_EQ(cbs.restoreEpoch(), 0);
}

TEST(Callbacks, MonitorDirections) {
  EXPECT_TRUE(Monitor("val_loss", "auto", 0).lower);
  EXPECT_TRUE(Monitor("mae", "auto", 0).lower);
  EXPECT_TRUE(Monitor("val_mse", "auto", 0).lower);
  EXPECT_FALSE(Monitor("val_accuracy", "auto", 0).lower);
  EXPECT_FALSE(Monitor("top_5_accuracy", "auto", 0).lower);
  EXPECT_FALSE(Monitor("val_loss", "max", 0).lower);
  EXPECT_THROW(Monitor("val_precision", "auto", 0), PlanError);
  EXPECT_THROW(Monitor("val_loss", "upwards", 0), PlanError);
  // min_delta counts as an absolute value, in the monitor's direction.
  const Monitor down("val_loss", "auto", -0.1), up("accuracy", "auto", 0.1);
  EXPECT_TRUE(down.improves(0.85, 1.0));
  EXPECT_FALSE(down.improves(0.95, 1.0));
  EXPECT_TRUE(up.improves(0.75, 0.6));
  EXPECT_FALSE(up.improves(0.65, 0.6));
  EXPECT_TRUE(up.improves(-1e9, std::nullopt));
}

TEST(Callbacks, BadSpecsAndMissingValues) {
  EXPECT_THROW(Callbacks({{"early_stop", {}, {}}}, 0.1), PlanError);
  EXPECT_THROW(Callbacks({{"reduce_lr_on_plateau", {{"factor", 1}}, {}}}, 0.1),
               PlanError);
  EXPECT_THROW(Callbacks({{"save_best", {}, {{"monitor", "loss"}}}}, 0.1),
               PlanError);
  Callbacks cbs({{"early_stopping", {}, {{"monitor", "val_loss"}}}}, 0.1);
  try {
    cbs.endEpoch(1, {{"loss", 1.0}, {"accuracy", 0.5}});
    FAIL() << "expected a PlanError";
  } catch (const PlanError &e) {
    EXPECT_STREQ(e.what(), "early_stopping monitors 'val_loss', which the "
                           "run does not log (it logs accuracy, loss)");
  }
}

} // namespace
