// Divergence is a result, not a number: a run whose loss becomes NaN or Inf
// stops at once, is marked "diverged" in every results file and the table,
// with a warning, and selection skips it; the study goes on and the program
// exits with kExitDiverged. Also: `select max` is reported as max, and
// results.json and results.csv describe the same runs whatever interrupts
// their writing. The kernel is real SGD on y = w x + b, which overflows to
// Inf and then NaN at a learning rate of 1e6.
#include "TestUtil.h"
#include "netc/CrossValidation.h"
#include "netc/Driver.h"
#include "netc/Results.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;
using nlohmann::json;

namespace {

int64_t trainCalls = 0;

void linearTrain(netc_buf *params, netc_buf *, netc_buf *x, netc_buf *y,
                 int64_t n, netc_buf *, int64_t, netc_buf *hyper,
                 netc_buf *metrics) {
  ++trainCalls;
  float *p = params->aligned;
  const float lr = hyper->aligned[0];
  float gw = 0, gb = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float err = p[0] * x->aligned[i] + p[1] - y->aligned[i];
    gw += 2 * err * x->aligned[i];
    gb += 2 * err;
    sq += err * err;
  }
  p[0] -= lr * gw / static_cast<float>(n);
  p[1] -= lr * gb / static_cast<float>(n);
  metrics->aligned[0] = sq / static_cast<float>(n);
  metrics->aligned[1] = sq;
}

void linearEval(netc_buf *params, netc_buf *x, netc_buf *y, int64_t n,
                netc_buf *, int64_t, netc_buf *metrics, netc_buf *) {
  const float *p = params->aligned;
  float sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    const float err = p[0] * x->aligned[i] + p[1] - y->aligned[i];
    sq += err * err;
  }
  metrics->aligned[0] = sq / static_cast<float>(n);
  metrics->aligned[1] = sq;
}

// Kernel i trains with learning rate kRates[i].
const char *const kRates[] = {"0.1", "1e6", "0.01"};
const netc_kernel_entry kKernels[] = {{"k_0.1", linearTrain, linearEval},
                                      {"k_1e6", linearTrain, linearEval},
                                      {"k_0.01", linearTrain, linearEval}};

json basePlan() {
  json plan = {{"version", 1}, {"file", "t.net"}};
  plan["networks"] = {
      {{"name", "Lin"},
       {"param_floats", 2},
       {"input_shape", {1}},
       {"output_shape", {1}},
       {"params",
        {{{"name", "w"}, {"shape", {1}}, {"offset", 0}, {"init", "ones"}},
         {{"name", "b"}, {"shape", {1}}, {"offset", 1}, {"init", "zeros"}}}}}};
  plan["kernels"] = json::array();
  for (int i = 0; i < 3; ++i)
    plan["kernels"].push_back(
        {{"name", std::string("k_") + kRates[i]},
         {"index", i},
         {"network", 0},
         {"loss", "mse"},
         {"metric", "mse"},
         {"label_shape", {1}},
         {"output_shape", {1}},
         {"optimizer",
          {{"name", "sgd"},
           {"args", {{"learning_rate", std::stod(kRates[i])}}}}}});
  plan["datasets"] = {
      {{"name", "line"},
       {"kind", "polynomial"},
       {"args", {{"samples", 60}, {"noise", 0.1}, {"seed", 3}}},
       {"list_args", {{"coefficients", {0.5, 2.0}}, {"x_range", {-1, 1}}}}}};
  return plan;
}

json trainStep(int kernel) {
  return {{"op", "train"},    {"slot", 0},   {"kernel", kernel}, {"dataset", 0},
          {"split", "train"}, {"epochs", 4}, {"batch_size", 16}};
}

// One run per kernel in `order`: train, evaluate, report lr and test.
json sweepPlan(const std::vector<int> &order) {
  json plan = basePlan();
  json runs = json::array();
  for (int k : order)
    runs.push_back({{"params", {{"lr", kRates[k]}}},
                    {"steps",
                     {{{"op", "new"}, {"slot", 0}, {"network", 0}},
                      trainStep(k),
                      {{"op", "evaluate"},
                       {"slot", 0},
                       {"kernel", k},
                       {"dataset", 0},
                       {"split", "test"},
                       {"result", 0}},
                      {{"op", "report"},
                       {"columns", {"lr", "test"}},
                       {"values", {kRates[k], "@eval:0"}}}}}});
  plan["experiments"] = {
      {{"name", "sweep"}, {"select", nullptr}, {"runs", runs}}};
  return plan;
}

// crossvalidate lr in `order`, 3 folds, select `mode` `metric`.
json cvPlan(const std::vector<int> &order, const std::string &mode = "min",
            const std::string &metric = "val_loss") {
  json plan = basePlan();
  json runs = json::array();
  for (int k : order)
    for (int fold = 0; fold < 3; ++fold)
      runs.push_back(
          {{"params", {{"lr", kRates[k]}}},
           {"fold", fold},
           {"steps",
            {{{"op", "new"}, {"slot", 0}, {"network", 0}}, trainStep(k)}}});
  plan["experiments"] = {{{"name", "cv"},
                          {"select",
                           {{"metric", metric},
                            {"mode", mode},
                            {"rule", "min"},
                            {"folds", 3},
                            {"seed", 1}}},
                          {"runs", runs}}};
  return plan;
}

struct Outcome {
  int status;
  std::string out, err;
};

Outcome runWith(const json &plan, std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  const std::string text = plan.dump();
  trainCalls = 0;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int status = runProgram(text.c_str(), kKernels, 3,
                                static_cast<int>(argv.size()), argv.data());
  std::string out = ::testing::internal::GetCapturedStdout();
  return {status, out, ::testing::internal::GetCapturedStderr()};
}

std::string slurp(const std::string &path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

json withoutSeconds(json results) {
  for (json &run : results["runs"])
    run.erase("seconds");
  return results;
}

// The data rows of results.csv, in order.
std::vector<std::string> csvRows(const std::string &path) {
  std::istringstream in(slurp(path));
  std::vector<std::string> rows;
  std::string line;
  std::getline(in, line); // header
  while (std::getline(in, line))
    rows.push_back(line);
  return rows;
}

} // namespace

TEST(Divergence, ADivergedRunIsMarkedAndTheStudyGoesOn) {
  TempDir dir;
  Outcome o = runWith(sweepPlan({0, 1, 0}), {"--out", dir.path});
  EXPECT_EQ(o.status, kExitDiverged) << o.err;
  // 60 samples, batches of 16: 4 steps an epoch, 4 epochs for a good run;
  // the diverged run stops at its first non-finite loss.
  const int64_t divergedSteps = trainCalls - 2 * 16;
  EXPECT_GT(divergedSteps, 0);
  EXPECT_LT(divergedSteps, 16);

  const json r = json::parse(slurp(dir / "sweep/results.json"));
  ASSERT_EQ(r["runs"].size(), 3u);
  EXPECT_EQ(r["runs"][0]["status"], "ok");
  EXPECT_EQ(r["runs"][2]["status"], "ok");
  EXPECT_FALSE(r["runs"][0].contains("diverged_at"));
  const json &bad = r["runs"][1];
  EXPECT_EQ(bad["status"], "diverged");
  const int64_t epoch = bad["diverged_at"]["epoch"],
                step = bad["diverged_at"]["step"];
  EXPECT_EQ((epoch - 1) * 4 + step, divergedSteps);
  // The history ends with the partial epoch, whose loss JSON cannot hold.
  EXPECT_EQ(bad["history"].size(), static_cast<size_t>(epoch));
  EXPECT_TRUE(bad["history"].back()["loss"].is_null());
  EXPECT_FALSE(bad.contains("test")); // the run stopped before evaluating
  EXPECT_EQ(bad["report"], json({{"lr", "1e6"}}));
  EXPECT_TRUE(r["runs"][2]["test"]["loss"].is_number());

  const std::string status = "diverged at epoch " + std::to_string(epoch) +
                             ", step " + std::to_string(step);
  const auto rows = csvRows(dir / "sweep/results.csv");
  EXPECT_EQ(slurp(dir / "sweep/results.csv").substr(0, 42),
            "lr,test_loss,test_mse,status,seconds,rank\n");
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[1].rfind("1e6,,,\"" + status + "\",", 0), 0u) << rows[1];
  EXPECT_NE(rows[0].find(",ok,"), std::string::npos) << rows[0];
  EXPECT_NE(o.out.find(status), std::string::npos) << o.out;
  EXPECT_NE(slurp(dir / "sweep/report.html").find(status), std::string::npos);
  EXPECT_NE(slurp(dir / "sweep/report.html").find("class=\"diverged\""),
            std::string::npos);
  EXPECT_NE(o.err.find("warning: experiment sweep, run lr=1e6: the loss "
                       "became "),
            std::string::npos)
      << o.err;
  EXPECT_NE(o.err.find("warning: 1 of 3 runs of experiment sweep diverged "
                       "(lr=1e6)"),
            std::string::npos)
      << o.err;
}

TEST(Divergence, RunsThatStayFiniteExitZeroWithStatusOk) {
  TempDir dir;
  Outcome o = runWith(sweepPlan({0}), {"--out", dir.path});
  EXPECT_EQ(o.status, 0) << o.err;
  const json r = json::parse(slurp(dir / "sweep/results.json"));
  EXPECT_EQ(r["runs"][0]["status"], "ok");
  // No diverged run: the table has no status column.
  EXPECT_EQ(slurp(dir / "sweep/results.csv").substr(0, 35),
            "lr,test_loss,test_mse,seconds,rank\n");
  EXPECT_EQ(o.err.find("warning"), std::string::npos) << o.err;
}

TEST(Divergence, SelectionSkipsDivergedCandidatesInAnyOrder) {
  for (const auto &order : {std::vector<int>{1, 0}, std::vector<int>{0, 1}}) {
    TempDir dir;
    Outcome o = runWith(cvPlan(order), {"--out", dir.path});
    EXPECT_EQ(o.status, kExitDiverged) << o.err;
    const json sel = json::parse(slurp(dir / "cv/results.json"))["selection"];
    EXPECT_EQ(sel["chosen"], json({{"lr", 0.1}})) << sel.dump(1);
    EXPECT_EQ(sel["chosen_by_min"], json({{"lr", 0.1}}));
    for (const json &c : sel["candidates"])
      if (c["params"]["lr"] == 1e6)
        EXPECT_EQ(c["skipped"], "diverged in 3 of 3 folds");
      else
        EXPECT_FALSE(c.contains("skipped"));
    EXPECT_NE(o.out.find("skipped: diverged in 3 of 3 folds"),
              std::string::npos)
        << o.out;
    EXPECT_NE(o.out.find("<- chosen"), std::string::npos) << o.out;
  }
  // Every candidate diverged: nothing is chosen, and the table says so.
  TempDir dir;
  Outcome o = runWith(cvPlan({1}), {"--out", dir.path});
  EXPECT_EQ(o.status, kExitDiverged) << o.err;
  const json sel = json::parse(slurp(dir / "cv/results.json"))["selection"];
  EXPECT_TRUE(sel["chosen"].is_null());
  EXPECT_TRUE(sel["chosen_by_min"].is_null());
  EXPECT_NE(o.out.find("No candidate chosen: every one was skipped."),
            std::string::npos)
      << o.out;
}

TEST(Divergence, ResumeKeepsTheStatus) {
  TempDir dir;
  ASSERT_EQ(runWith(cvPlan({1, 0}), {"--out", dir / "full"}).status,
            kExitDiverged);
  const json full = json::parse(slurp(dir / "full/cv/results.json"));
  Outcome again = runWith(cvPlan({1, 0}), {"--out", dir / "full", "--resume"});
  EXPECT_EQ(again.status, kExitDiverged) << again.err;
  EXPECT_EQ(trainCalls, 0); // diverged runs are finished runs
  EXPECT_EQ(withoutSeconds(json::parse(slurp(dir / "full/cv/results.json"))),
            withoutSeconds(full));

  // A results.json from before runs had a status: its runs are ok.
  ASSERT_EQ(runWith(cvPlan({0}), {"--out", dir / "old"}).status, 0);
  json old = json::parse(slurp(dir / "old/cv/results.json"));
  for (json &run : old["runs"])
    run.erase("status");
  std::ofstream(dir / "old/cv/results.json") << old.dump(2);
  Outcome resumed = runWith(cvPlan({0}), {"--out", dir / "old", "--resume"});
  EXPECT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_EQ(trainCalls, 0);
  EXPECT_EQ(
      json::parse(slurp(dir / "old/cv/results.json"))["runs"][0]["status"],
      "ok");

  // An unknown status is refused, naming the file.
  old["runs"][0]["status"] = "sideways";
  std::ofstream(dir / "old/cv/results.json") << old.dump(2);
  Outcome bad = runWith(cvPlan({0}), {"--out", dir / "old", "--resume"});
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find((dir / "old/cv/results.json") +
                         ": cannot resume from it: a run has an unknown "
                         "status 'sideways'"),
            std::string::npos)
      << bad.err;
}

TEST(Selection, MaxIsReportedAsMax) {
  TempDir dir;
  // After 4 epochs the slower rate fits worse: the larger val_mse.
  Outcome o = runWith(cvPlan({0, 2}, "max", "val_mse"), {"--out", dir.path});
  EXPECT_EQ(o.status, 0) << o.err;
  const json sel = json::parse(slurp(dir / "cv/results.json"))["selection"];
  EXPECT_EQ(sel["chosen"], json({{"lr", 0.01}})) << sel.dump(1);
  EXPECT_EQ(sel["mode"], "max");
  EXPECT_EQ(sel["rule"], "max");
  EXPECT_TRUE(sel.contains("chosen_by_max"));
  EXPECT_FALSE(sel.contains("chosen_by_min"));
  EXPECT_EQ(sel["chosen"], sel["chosen_by_max"]);
  EXPECT_NE(o.out.find("Selection by val_mse (max), rule max"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("chosen_by_max"), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("chosen_by_min"), std::string::npos) << o.out;
  EXPECT_NE(slurp(dir / "cv/report.html").find("chosen_by_max"),
            std::string::npos);
}

TEST(Selection, MaxPicksTheLargestMeanAndOneStdErrorBelowIt) {
  auto run = [](const char *name, int64_t fold, double value) {
    RunRecord r;
    r.params = {{"k", name}};
    r.fold = fold;
    r.metricName = "accuracy";
    r.history = {EpochRecord{1, 0, 0, true, 0, value}};
    return r;
  };
  // Means: a 0.9 (SE 0.05), b 0.87, c 0.5.
  const std::vector<RunRecord> runs = {run("a", 0, 0.85), run("a", 1, 0.95),
                                       run("b", 0, 0.86), run("b", 1, 0.88),
                                       run("c", 0, 0.5),  run("c", 1, 0.5)};
  const std::vector<int64_t> trainable = {9, 9, 5, 5, 1, 1};
  json select = {{"metric", "val_accuracy"}, {"mode", "max"}, {"rule", "min"}};
  Selection s = selectModel(select, runs, trainable);
  EXPECT_EQ(s.rule, "max");
  EXPECT_EQ(s.chosen, 0u);
  select["rule"] = "one_std_error";
  s = selectModel(select, runs, trainable);
  EXPECT_EQ(s.chosenByBest, 0u);
  EXPECT_EQ(s.chosen, 1u); // b is within one SE below a, and simpler
  const auto j = selectionJson(s);
  EXPECT_EQ(j["chosen_by_max"], nlohmann::ordered_json({{"k", "a"}}));
  EXPECT_EQ(j["chosen"], nlohmann::ordered_json({{"k", "b"}}));
}

namespace {

ExperimentRecord recordOf(size_t runs) {
  ExperimentRecord exp;
  exp.name = "e";
  for (size_t i = 0; i < runs; ++i) {
    RunRecord r;
    r.params = {{"i", std::to_string(i)}};
    r.metricName = "mse";
    r.history = {EpochRecord{1, 0.5, 0.5}};
    exp.runs.push_back(r);
  }
  return exp;
}

size_t jsonRuns(const std::string &dir) {
  return json::parse(slurp(dir + "/results.json"))["runs"].size();
}

} // namespace

TEST(Results, JsonIsPutInPlaceLastAfterEveryFileIsWritten) {
  const auto files = resultsFiles(recordOf(1));
  ASSERT_EQ(files.size(), 3u);
  EXPECT_EQ(files.back().first, "results.json");
  EXPECT_EQ(files[1].first, "results.csv");

  TempDir dir;
  writeResults(recordOf(1), dir.path);
  // Interrupted before any rename: every file still describes one run.
  struct Interrupt {};
  EXPECT_THROW(
      writeFilesTogether(dir.path, resultsFiles(recordOf(2)),
                         [](const std::string &) { throw Interrupt(); }),
      Interrupt);
  EXPECT_EQ(jsonRuns(dir.path), 1u);
  EXPECT_EQ(csvRows(dir / "results.csv").size(), 1u);
  // A write that fails (here: results.csv.tmp cannot be opened) leaves
  // every old file in place, results.json included.
  std::filesystem::remove(dir / "results.csv.tmp");
  std::filesystem::create_directory(dir / "results.csv.tmp");
  EXPECT_THROW(writeResults(recordOf(2), dir.path), std::runtime_error);
  EXPECT_EQ(jsonRuns(dir.path), 1u);
  EXPECT_EQ(csvRows(dir / "results.csv").size(), 1u);
  std::filesystem::remove(dir / "results.csv.tmp");
  // Interrupted between renames: results.json, put in place last, never
  // holds a run that results.csv lacks.
  std::vector<std::string> renamed;
  EXPECT_THROW(writeFilesTogether(dir.path, resultsFiles(recordOf(2)),
                                  [&](const std::string &name) {
                                    if (name == "results.json")
                                      throw Interrupt();
                                    renamed.push_back(name);
                                  }),
               Interrupt);
  EXPECT_EQ(renamed, (std::vector<std::string>{"report.html", "results.csv"}));
  EXPECT_EQ(jsonRuns(dir.path), 1u);
  EXPECT_EQ(csvRows(dir / "results.csv").size(), 2u);
  // Written whole: the same runs in the same order.
  writeResults(recordOf(3), dir.path);
  const json runs = json::parse(slurp(dir / "results.json"))["runs"];
  const auto rows = csvRows(dir / "results.csv");
  ASSERT_EQ(runs.size(), rows.size());
  for (size_t i = 0; i < rows.size(); ++i)
    EXPECT_EQ(rows[i].substr(0, rows[i].find(',')),
              std::to_string(runs[i]["params"]["i"].get<int>()));
}
