// Fail before the first step, not after the last: a built program checks at
// start-up, before any training, that its destinations can be written, that
// every data set it reads loads and fits its networks (labels included),
// that folds can be cut, and that every file it loads exists or is saved
// earlier. Hand-written "compiled" kernels count the steps taken: each
// error below must come with none.
#include "TestUtil.h"
#include "netc/Driver.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;
using nlohmann::json;

namespace {

int64_t steps = 0;

// Any train step: counted, loss 1. (Never reached by the bad plans below.)
void countingTrain(netc_buf *, netc_buf *, netc_buf *, netc_buf *, int64_t,
                   netc_buf *, int64_t, netc_buf *, netc_buf *metrics) {
  ++steps;
  metrics->aligned[0] = 1;
  metrics->aligned[1] = 0;
}

void constantEval(netc_buf *, netc_buf *, netc_buf *, int64_t n, netc_buf *,
                  int64_t, netc_buf *metrics, netc_buf *) {
  metrics->aligned[0] = 1;
  metrics->aligned[1] = static_cast<float>(n);
}

const netc_kernel_entry kKernels[] = {{"k0_Cls", countingTrain, constantEval}};

// Cls: 2 features in, 3 classes out, sparse categorical cross-entropy; data
// set 0 is `csv` at `path`.
json planFor(const std::string &path) {
  json net = {{"name", "Cls"},
              {"instance", "Cls()"},
              {"param_floats", 9},
              {"input_shape", {2}},
              {"output_shape", {3}},
              {"params",
               {{{"name", "dense/kernel"},
                 {"shape", {3, 3}},
                 {"offset", 0},
                 {"init", "zeros"}}}}};
  json kernel = {{"name", "k0_Cls"},
                 {"index", 0},
                 {"network", 0},
                 {"loss", "sparse_categorical_crossentropy"},
                 {"metric", "accuracy"},
                 {"label_shape", {1}},
                 {"output_shape", {3}},
                 {"optimizer", {{"name", "sgd"}, {"args", json::object()}}}};
  json data = {{"name", "table"},
               {"kind", "csv"},
               {"path", path},
               {"str_args", {{"label", "label"}}}};
  json run = {
      {"params", json::object()},
      {"steps",
       {{{"op", "new"}, {"slot", 0}, {"network", 0}},
        {{"op", "train"},
         {"slot", 0},
         {"kernel", 0},
         {"dataset", 0},
         {"split", "train"},
         {"epochs", 2},
         {"batch_size", 2}},
        {{"op", "evaluate"},
         {"slot", 0},
         {"kernel", 0},
         {"dataset", 0},
         {"split", "test"},
         {"result", 0}},
        {{"op", "report"}, {"columns", {"test"}}, {"values", {"@eval:0"}}}}}};
  return {{"version", 1},
          {"networks", {net}},
          {"kernels", {kernel}},
          {"datasets", {data}},
          {"experiments",
           {{{"name", "first"}, {"select", nullptr}, {"runs", {run}}}}}};
}

// An experiment "second" after "first": `folds`-fold cross-validation.
json withFolds(json plan, int64_t folds) {
  json runs = json::array();
  for (int64_t k = 0; k < folds; ++k) {
    json run = plan["experiments"][0]["runs"][0];
    run["fold"] = k;
    run["steps"] = {run["steps"][0], run["steps"][1]};
    runs.push_back(run);
  }
  plan["experiments"].push_back(
      {{"name", "second"},
       {"select", {{"metric", "val_loss"}, {"mode", "min"}, {"folds", folds}}},
       {"runs", runs}});
  return plan;
}

struct Outcome {
  int status;
  std::string err;
};

Outcome runWith(const json &plan, std::vector<std::string> args) {
  args.insert(args.begin(), "prog");
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  const std::string text = plan.dump();
  steps = 0;
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int status = runProgram(text.c_str(), kKernels, 1,
                                static_cast<int>(argv.size()), argv.data());
  ::testing::internal::GetCapturedStdout();
  return {status, ::testing::internal::GetCapturedStderr()};
}

// train.csv with `rows` good rows (labels 0..2) and test.csv, in `dir`.
void writeCsv(const TempDir &dir, int rows = 10) {
  std::ofstream train(dir / "train.csv");
  train << "a,b,label\n";
  for (int i = 0; i < rows; ++i)
    train << i << "," << 2 * i << "," << i % 3 << "\n";
  std::ofstream(dir / "test.csv") << "a,b,label\n1,2,0\n3,4,1\n";
}

} // namespace

TEST(Preflight, AGoodPlanRuns) {
  TempDir dir;
  writeCsv(dir);
  Outcome o = runWith(planFor(dir.path), {"--out", dir / "out"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(steps, 2 * 5);
}

TEST(Preflight, BadClassLabelsStopTheProgramBeforeTraining) {
  TempDir dir;
  writeCsv(dir);
  for (const char *bad : {"7", "-1", "1.5"}) {
    std::ofstream(dir / "train.csv") << "a,b,label\n1,2,0\n3,4," << bad << "\n";
    Outcome o = runWith(planFor(dir.path), {"--out", dir / "out"});
    EXPECT_EQ(o.status, 1);
    EXPECT_EQ(steps, 0);
    EXPECT_NE(o.err.find("error: " + (dir / "train.csv") + ":3: label " + bad +
                         " is not a class of Cls, which has 3 outputs"),
              std::string::npos)
        << o.err;
  }
  // A bad label in the test split, read only after training, stops the
  // program before it as well.
  writeCsv(dir);
  std::ofstream(dir / "test.csv") << "a,b,label\n1,2,0\n3,4,200\n";
  Outcome o = runWith(planFor(dir.path), {"--out", dir / "out"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(o.err.find((dir / "test.csv") + ":3: label 200 is not a class"),
            std::string::npos)
      << o.err;
}

TEST(Preflight, MissingTestFileStopsTheProgramBeforeTraining) {
  TempDir dir;
  writeCsv(dir);
  std::filesystem::remove(dir / "test.csv");
  Outcome o = runWith(planFor(dir.path), {"--out", dir / "out"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(o.err.find("error: " + (dir / "test.csv") +
                       ": No such file or directory"),
            std::string::npos)
      << o.err;
}

TEST(Preflight, UnwritableDestinationsStopTheProgramBeforeTraining) {
  TempDir dir;
  writeCsv(dir);
  std::ofstream(dir / "file") << "not a directory\n";
  Outcome o = runWith(planFor(dir.path), {"--out", dir / "file/out"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(o.err.find("error: " + (dir / "file/out/first") +
                       ": cannot create the results directory (--out)"),
            std::string::npos)
      << o.err;

  o = runWith(planFor(dir.path),
              {"--out", dir / "out", "--save-weights", dir / "file"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(o.err.find((dir / "file/first") + ": cannot create the weights "
                                              "directory (--save-weights)"),
            std::string::npos)
      << o.err;

  // `save ... to` a path that is a directory.
  json plan = planFor(dir.path);
  plan["experiments"][0]["runs"][0]["steps"].push_back(
      {{"op", "save"}, {"slot", 0}, {"file", "taken"}});
  std::filesystem::create_directories(dir / "out/taken");
  o = runWith(plan, {"--out", dir / "out"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(
      o.err.find((dir / "out/taken") + ": the save destination is a directory"),
      std::string::npos)
      << o.err;
}

TEST(Preflight, FoldsBeyondTheRecordsStopEveryExperimentBeforeTraining) {
  TempDir dir;
  writeCsv(dir, 10);
  // The first experiment is fine; the second cuts 10 rows into 20 folds.
  Outcome o = runWith(withFolds(planFor(dir.path), 20), {"--out", dir / "out"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(o.err.find("error: table: cannot cut 10 records into 20 folds "
                       "(experiment second)"),
            std::string::npos)
      << o.err;
  // With --set limit the data shrinks below the folds as well.
  o = runWith(withFolds(planFor(dir.path), 5),
              {"--out", dir / "out", "--set", "limit=4"});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(o.err.find("cannot cut 4 records into 5 folds"), std::string::npos)
      << o.err;
  ASSERT_EQ(
      runWith(withFolds(planFor(dir.path), 5), {"--out", dir / "out"}).status,
      0);
}

TEST(Preflight, LoadNeedsAFileOrAnEarlierSave) {
  TempDir dir;
  writeCsv(dir);
  json plan = planFor(dir.path);
  json &steps0 = plan["experiments"][0]["runs"][0]["steps"];
  steps0.insert(steps0.begin() + 1,
                json{{"op", "load"}, {"slot", 0}, {"file", "w.safetensors"}});
  Outcome o = runWith(plan, {"--out", dir / "out", "--data", dir.path});
  EXPECT_EQ(o.status, 1);
  EXPECT_EQ(steps, 0);
  EXPECT_NE(o.err.find("error: w.safetensors: no such file to load (looked "
                       "for " +
                       (dir / "out/w.safetensors") + ", " +
                       (dir / "w.safetensors") +
                       ", w.safetensors; no earlier save writes it)"),
            std::string::npos)
      << o.err;
  // A save earlier in the plan provides it.
  steps0.insert(steps0.begin() + 1,
                json{{"op", "save"}, {"slot", 0}, {"file", "w.safetensors"}});
  o = runWith(plan, {"--out", dir / "out", "--data", dir.path});
  EXPECT_EQ(o.status, 0) << o.err;
}
