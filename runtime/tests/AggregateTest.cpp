//===- AggregateTest.cpp - Results over seeds, selection stability --------===//

#include "netc/Aggregate.h"
#include "netc/Stability.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace netc::rt;
using nlohmann::json;

namespace {

json plain(const nlohmann::ordered_json &o) { return json::parse(o.dump()); }

RunRecord run(const std::string &arm, uint64_t seed, double testLoss,
              double finalLoss) {
  RunRecord r;
  r.params = json{{"arm", arm}};
  r.seed = seed;
  r.metricName = "mse";
  r.cells = {{"arm", arm}, {"test_loss", testLoss}};
  EpochRecord e;
  e.epoch = 1;
  e.loss = finalLoss + 1;
  r.history.push_back(e);
  e.epoch = 2;
  e.loss = finalLoss;
  e.metric = finalLoss / 2;
  r.history.push_back(e);
  return r;
}

// Arm a: test losses 3, 5, 7 (seeds 1, 2, 3); arm b: 2, 3, 4.
ExperimentRecord twoArms() {
  ExperimentRecord exp;
  exp.name = "e";
  const double a[] = {3, 5, 7}, b[] = {2, 3, 4};
  for (uint64_t s = 1; s <= 3; ++s) {
    exp.runs.push_back(run("a", s, a[s - 1], 10.0 * s));
    exp.runs.push_back(run("b", s, b[s - 1], 1.0 * s));
  }
  return exp;
}

TEST(Aggregate, ConfigurationsSummarizeEachReportedNumber) {
  const std::vector<Configuration> cs = configurations(twoArms());
  ASSERT_EQ(cs.size(), 2u);
  EXPECT_EQ(cs[0].params, json({{"arm", "a"}}));
  EXPECT_EQ(cs[0].seeds, (std::vector<uint64_t>{1, 2, 3}));
  // test_loss, then the final epoch's loss and mse.
  ASSERT_EQ(cs[0].values.size(), 3u);
  EXPECT_EQ(cs[0].values[0].first, "test_loss");
  const stats::Summary &t = cs[0].values[0].second;
  EXPECT_EQ(t.n, 3);
  EXPECT_DOUBLE_EQ(t.mean, 5);
  EXPECT_NEAR(t.stdError, 2 / std::sqrt(3.0), 1e-15); // sd 2
  EXPECT_EQ(t.min, 3);
  EXPECT_EQ(t.max, 7);
  EXPECT_EQ(cs[0].values[1].first, "loss");
  EXPECT_DOUBLE_EQ(cs[0].values[1].second.mean, 20); // 10, 20, 30
  EXPECT_EQ(cs[0].values[2].first, "mse");
  EXPECT_DOUBLE_EQ(cs[1].values[2].second.mean, 1); // 0.5, 1, 1.5
}

TEST(Aggregate, OnlyRepeatedConfigurationsAreSummarized) {
  ExperimentRecord exp = twoArms();
  EXPECT_TRUE(repeatsOverSeeds(exp));
  ExperimentRecord same = exp; // repeated runs with one seed do not count
  for (RunRecord &r : same.runs)
    r.seed = 7;
  EXPECT_FALSE(repeatsOverSeeds(same));
  exp.runs.resize(2); // one run per arm
  EXPECT_FALSE(repeatsOverSeeds(exp));
  EXPECT_TRUE(summaryJson(exp).is_null());
  EXPECT_TRUE(pairedComparisons(exp).empty());
  nlohmann::ordered_json out = nlohmann::ordered_json::object();
  addSummaryJson(exp, out);
  EXPECT_TRUE(out.empty());
}

TEST(Aggregate, PairedComparisonPairsBySeed) {
  ExperimentRecord exp = twoArms();
  std::swap(exp.runs[1], exp.runs[5]); // order must not matter: seed pairs
  const std::vector<Comparison> cs = pairedComparisons(exp);
  ASSERT_EQ(cs.size(), 1u);
  EXPECT_EQ(cs[0].variable, "arm");
  EXPECT_EQ(cs[0].first, "a");
  ASSERT_EQ(cs[0].values.size(), 1u); // test numbers only
  // Differences a - b by seed: 1, 2, 3: mean 2, SE 1/sqrt(3), df 2.
  const stats::PairedDifference &d = cs[0].values[0].second;
  EXPECT_EQ(d.n, 3);
  EXPECT_DOUBLE_EQ(d.mean, 2);
  EXPECT_NEAR(d.stdError, 1 / std::sqrt(3.0), 1e-15);
  EXPECT_NEAR(d.high, 2 + 4.302653 / std::sqrt(3.0), 1e-6);
  const auto j = comparisonsJson(exp);
  EXPECT_EQ(j[0]["difference"], "a - b");
  EXPECT_EQ(j[0]["values"]["test_loss"]["df"], 2);
}

TEST(Aggregate, SummaryFilesAndTable) {
  const ExperimentRecord exp = twoArms();
  const std::string csv = summaryCsv(exp);
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "arm,runs,test_loss_n,test_loss_mean,test_loss_std_error,"
            "test_loss_min,test_loss_max,loss_n,loss_mean,loss_std_error,"
            "loss_min,loss_max,mse_n,mse_mean,mse_std_error,mse_min,mse_max");
  EXPECT_NE(csv.find("\na,3,3,5.0,"), std::string::npos) << csv;
  const std::string text = summaryText(exp);
  EXPECT_NE(text.find("5.0000 ± 1.1547 "), std::string::npos) << text;
  EXPECT_NE(text.find(" [3.0000, 7.0000] "), std::string::npos) << text;
  EXPECT_NE(text.find("Paired difference arm=a minus arm=b"),
            std::string::npos);
  EXPECT_NE(summaryHtml(exp).find("<polygon class=\"band\""),
            std::string::npos);
}

TEST(Aggregate, MeanCurvePerEpoch) {
  const ExperimentRecord exp = twoArms();
  const std::vector<stats::Summary> c =
      meanCurve(exp, configurations(exp)[1], false, false);
  ASSERT_EQ(c.size(), 2u);
  EXPECT_DOUBLE_EQ(c[0].mean, 3); // 2, 3, 4
  EXPECT_DOUBLE_EQ(c[1].mean, 2); // 1, 2, 3
  EXPECT_NEAR(c[1].stdError, 1 / std::sqrt(3.0), 1e-15);
}

// Fold runs of candidates degree 1 and 2 over draws; `better` is the
// degree with the lower val_loss in that draw.
void addDraw(std::vector<RunRecord> &runs, std::vector<int64_t> &params,
             int draw, int better) {
  for (int degree = 1; degree <= 2; ++degree)
    for (int fold = 0; fold < 2; ++fold) {
      RunRecord r;
      r.params = json{{"degree", std::to_string(degree)},
                      {"draw", std::to_string(draw)}};
      r.fold = fold;
      EpochRecord e;
      e.epoch = 1;
      e.hasVal = true;
      e.valLoss = (degree == better ? 1.0 : 5.0) + 0.01 * fold;
      r.history.push_back(e);
      runs.push_back(r);
      params.push_back(degree + 1);
    }
}

TEST(Stability, SelectsOncePerDraw) {
  std::vector<RunRecord> runs;
  std::vector<int64_t> params;
  addDraw(runs, params, 1, 2);
  addDraw(runs, params, 2, 1);
  addDraw(runs, params, 3, 2);
  const json select = {{"metric", "val_loss"},
                       {"mode", "min"},
                       {"rule", "one_std_error"},
                       {"folds", 2},
                       {"variable", "degree"}};
  ExperimentRecord exp;
  exp.runs = runs;
  selectAll(select, exp, params);
  const auto &s = exp.selectionStability;
  ASSERT_FALSE(s.is_null());
  EXPECT_EQ(s["groups"], 3);
  EXPECT_EQ(plain(s["candidates"][0]["params"]), json({{"degree", 1}}));
  EXPECT_EQ(s["candidates"][0]["chosen"], 1);
  EXPECT_EQ(s["candidates"][1]["chosen"], 2);
  EXPECT_EQ(s["candidates"][1]["chosen_by_min"], 2);
  EXPECT_EQ(plain(s["selections"][1]["params"]), json({{"draw", 2}}));
  EXPECT_EQ(plain(s["selections"][1]["chosen"]), json({{"degree", 1}}));
  EXPECT_EQ(plain(exp.selection["over"]), json({{"draw", 1}}));
  EXPECT_NE(stabilityTable(s).find("degree=2   2 (67%)"), std::string::npos)
      << stabilityTable(s);
}

TEST(Stability, OneGroupIsTheSingleSelection) {
  std::vector<RunRecord> runs;
  std::vector<int64_t> params;
  addDraw(runs, params, 1, 2);
  for (RunRecord &r : runs)
    r.params.erase("draw");
  const json select = {{"metric", "val_loss"},
                       {"mode", "min"},
                       {"rule", "min"},
                       {"folds", 2},
                       {"variable", "degree"}};
  ExperimentRecord exp;
  exp.runs = runs;
  selectAll(select, exp, params);
  EXPECT_TRUE(exp.selectionStability.is_null());
  EXPECT_EQ(plain(exp.selection["chosen"]), json({{"degree", 2}}));
  EXPECT_FALSE(exp.selection.contains("over"));
}

} // namespace
