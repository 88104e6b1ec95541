// The driver end to end: a hand-written "compiled" kernel (linear regression
// trained by plain SGD, obeying the netc_train_fn / netc_eval_fn ABI) and a
// hand-written plan, run through runProgram as a built program would be.
#include "netc/Driver.h"
#include "TestUtil.h"
#include "netc/Plan.h"
#include "netc/Runner.h"

#include <cmath>
#include <fstream>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;
using nlohmann::json;

namespace {

// What the fake kernel saw, to check the ABI contract from the inside.
struct Observed {
  int64_t calls = 0, samples = 0, lastIteration = 0, maxN = 0;
  bool iterationsConsecutive = true, seedsIntegral = true, sizesOk = true;
  float learningRate = 0;
};
Observed observed;

// params = [w, b]; y = w x + b; loss = mean (y - t)^2; metric = sum sq err.
void linearTrain(netc_buf *params, netc_buf *state, netc_buf *x, netc_buf *y,
                 int64_t n, netc_buf *ws, int64_t cap, netc_buf *hyper,
                 netc_buf *metrics) {
  float *p = params->aligned;
  const float lr = hyper->aligned[0];
  const auto iteration = static_cast<int64_t>(hyper->aligned[1]);
  const float seed = hyper->aligned[2];
  observed.iterationsConsecutive &= iteration == observed.lastIteration + 1;
  observed.lastIteration = iteration;
  observed.seedsIntegral &= seed == std::floor(seed) && seed >= 0;
  observed.sizesOk &= params->size == 2 && state->size == 2 && x->size == cap &&
                      y->size == cap && ws->size == 3 * cap &&
                      hyper->size == 3 && metrics->size == 2 && n <= cap &&
                      n > 0 &&
                      reinterpret_cast<uintptr_t>(ws->aligned) % 64 == 0;
  observed.learningRate = lr;
  ++observed.calls;
  observed.samples += n;
  observed.maxN = std::max(observed.maxN, n);
  double gw = 0, gb = 0, sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    const double err = p[0] * x->aligned[i] + p[1] - y->aligned[i];
    gw += 2 * err * x->aligned[i];
    gb += 2 * err;
    sq += err * err;
  }
  // Momentum-free SGD; state counts steps to check it persists per train.
  state->aligned[0] += 1;
  p[0] -= lr * static_cast<float>(gw / n);
  p[1] -= lr * static_cast<float>(gb / n);
  metrics->aligned[0] = static_cast<float>(sq / n);
  metrics->aligned[1] = static_cast<float>(sq);
}

void linearEval(netc_buf *params, netc_buf *x, netc_buf *y, int64_t n,
                netc_buf *, int64_t, netc_buf *metrics, netc_buf *out) {
  const float *p = params->aligned;
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    out->aligned[i] = p[0] * x->aligned[i] + p[1];
    const double err = out->aligned[i] - y->aligned[i];
    sq += err * err;
  }
  metrics->aligned[0] = static_cast<float>(sq / n);
  metrics->aligned[1] = static_cast<float>(sq);
}

const netc_kernel_entry kKernels[] = {{"k0_Lin", linearTrain, linearEval}};

json planJson() {
  return json::parse(R"json({
  "version": 1, "file": "lin.net",
  "networks": [{"name": "Lin", "instance": "Lin()", "param_floats": 2,
    "trainable_params": 2, "input_shape": [1], "output_shape": [1],
    "params": [
      {"name": "dense/kernel", "shape": [1, 1], "offset": 0, "trainable": true,
       "fan_in": 1, "fan_out": 1,
       "init": {"name": "random_normal", "args": {"stddev": 0.5},
                "str_args": {}}},
      {"name": "dense/bias", "shape": [1], "offset": 1, "trainable": true,
       "fan_in": 1, "fan_out": 1,
       "init": {"name": "zeros", "args": {}, "str_args": {}}}]}],
  "kernels": [{"name": "k0_Lin", "index": 0, "network": 0, "loss": "mse",
    "metric": "mse", "label_shape": [1], "output_shape": [1],
    "state_floats": 2, "train_ws_per_sample": 3, "eval_ws_per_sample": 1,
    "state_init": [{"offset": 0, "size": 2, "value": 0.0}],
    "optimizer": {"name": "sgd", "args": {"learning_rate": 0.1}}}],
  "datasets": [{"name": "line", "kind": "polynomial", "path": "",
    "args": {"samples": 100, "noise": 0.05, "seed": 3},
    "list_args": {"coefficients": [0.5, 2.0], "x_range": [-1, 1]},
    "str_args": {}}],
  "experiments": [{"name": "fit", "select": null, "runs": [
    {"params": {"lr": "0.1"}, "fold": -1, "steps": [
      {"op": "new", "slot": 0, "network": 0},
      {"op": "train", "slot": 0, "kernel": 0, "dataset": 0, "split": "train",
       "epochs": 5, "batch_size": 32},
      {"op": "evaluate", "slot": 0, "kernel": 0, "dataset": 0,
       "split": "test", "result": 0},
      {"op": "report", "columns": ["lr", "test"],
       "values": ["0.1", "@eval:0"]}]},
    {"params": {"lr": "other"}, "fold": -1, "steps": [
      {"op": "new", "slot": 0, "network": 0},
      {"op": "train", "slot": 0, "kernel": 0, "dataset": 0, "split": "train",
       "epochs": 5, "batch_size": 32},
      {"op": "evaluate", "slot": 0, "kernel": 0, "dataset": 0,
       "split": "test", "result": 0},
      {"op": "report", "columns": ["lr", "test"],
       "values": ["other", "@eval:0"]}]}]}]
})json");
}

struct Outcome {
  int status;
  std::string out, err;
};

Outcome runWith(const json &plan, std::vector<std::string> args,
                const netc_kernel_entry *kernels = kKernels,
                int64_t numKernels = 1) {
  args.insert(args.begin(), "prog");
  std::vector<char *> argv;
  for (std::string &a : args)
    argv.push_back(a.data());
  const std::string text = plan.dump();
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int status = runProgram(text.c_str(), kernels, numKernels,
                                static_cast<int>(argv.size()), argv.data());
  std::string out = ::testing::internal::GetCapturedStdout();
  std::string err = ::testing::internal::GetCapturedStderr();
  return {status, out, err};
}

std::string slurp(const std::string &path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// results.json without the wall-clock fields.
json withoutSeconds(json results) {
  for (json &run : results["runs"])
    run.erase("seconds");
  return results;
}

} // namespace

TEST(Driver, TrainsEvaluatesAndWritesResults) {
  TempDir dir;
  observed = {};
  Outcome o = runWith(planJson(), {"--out", dir / "res", "--set", "epochs=20"});
  ASSERT_EQ(o.status, 0) << o.err;
  const json results = json::parse(slurp(dir / "res/fit/results.json"));
  EXPECT_EQ(results["experiment"], "fit");
  EXPECT_EQ(results["target"], "cpu");
  ASSERT_EQ(results["runs"].size(), 2u);
  const json &run = results["runs"][0];
  // Loop values that read as numbers are numbers in results (spec §5).
  EXPECT_EQ(run["params"], json({{"lr", 0.1}}));
  EXPECT_EQ(run["seed"].get<uint64_t>(),
            defaultSeed("fit", json({{"lr", "0.1"}}), -1));
  EXPECT_NE(run["seed"], results["runs"][1]["seed"]);
  ASSERT_EQ(run["history"].size(), 20u);
  EXPECT_EQ(run["history"][0]["epoch"], 1);
  EXPECT_TRUE(run["history"][0].contains("mse"));
  const double first = run["history"][0]["loss"];
  const double last = run["history"][19]["loss"];
  EXPECT_LT(last, first);
  EXPECT_LT(last, 0.01); // noise 0.05 → irreducible 0.0025
  // mse metric = Σ squared error / N = the loss here.
  EXPECT_NEAR(run["history"][19]["mse"].get<double>(), last, 1e-6);
  EXPECT_LT(run["test"]["loss"].get<double>(), 0.01);
  EXPECT_TRUE(run["test"].contains("mse"));
  EXPECT_GE(run["seconds"].get<double>(), 0.0);

  // 100 samples, batch 32: 4 steps per epoch, the last with 4 samples.
  EXPECT_EQ(observed.calls, 2 * 20 * 4);
  EXPECT_EQ(observed.samples, 2 * 20 * 100);
  EXPECT_EQ(observed.maxN, 32);
  EXPECT_TRUE(observed.sizesOk);
  EXPECT_TRUE(observed.seedsIntegral);
  EXPECT_FLOAT_EQ(observed.learningRate, 0.1f);
  // Iterations restart at 1 for the second run's train (new optimizer).
  EXPECT_EQ(observed.lastIteration, 80);

  const std::string csv = slurp(dir / "res/fit/results.csv");
  EXPECT_EQ(csv.substr(0, csv.find('\n')),
            "lr,test_loss,test_mse,seconds,rank");
  EXPECT_NE(csv.find("\nother,"), std::string::npos);
  // The table on stdout and one progress line per epoch (not a TTY).
  EXPECT_NE(o.out.find("Experiment fit"), std::string::npos);
  EXPECT_NE(o.out.find("test_loss"), std::string::npos);
  size_t lines = 0;
  for (size_t p = o.err.find("Epoch "); p != std::string::npos;
       p = o.err.find("Epoch ", p + 1))
    ++lines;
  EXPECT_EQ(lines, 40u);
  EXPECT_NE(o.err.find("Epoch 20/20  4/4 [==="), std::string::npos) << o.err;
  EXPECT_NE(o.err.find("- loss: "), std::string::npos);
  EXPECT_NE(o.err.find("- mse: "), std::string::npos);
  // No temporary files are left behind.
  EXPECT_FALSE(std::filesystem::exists(dir / "res/fit/results.json.tmp"));
}

TEST(Driver, SameSeedGivesIdenticalMetrics) {
  TempDir dir;
  ASSERT_EQ(runWith(planJson(), {"--out", dir / "a"}).status, 0);
  ASSERT_EQ(runWith(planJson(), {"--out", dir / "b"}).status, 0);
  const json a = json::parse(slurp(dir / "a/fit/results.json"));
  const json b = json::parse(slurp(dir / "b/fit/results.json"));
  EXPECT_EQ(withoutSeconds(a), withoutSeconds(b));

  // --set seed=N overrides every run's seed and changes the weights.
  ASSERT_EQ(runWith(planJson(), {"--out", dir / "c", "--set", "seed=5"}).status,
            0);
  const json c = json::parse(slurp(dir / "c/fit/results.json"));
  EXPECT_EQ(c["runs"][0]["seed"], 5);
  EXPECT_EQ(c["runs"][1]["seed"], 5);
  // Both runs have the same structure, so the same seed gives the same
  // history whatever their loop values.
  EXPECT_EQ(c["runs"][0]["history"], c["runs"][1]["history"]);
  EXPECT_NE(c["runs"][0]["history"], a["runs"][0]["history"]);
}

TEST(Driver, SetOverridesBatchSizeAndLimit) {
  TempDir dir;
  observed = {};
  Outcome o =
      runWith(planJson(), {"--out=" + (dir / "r"), "--set", "batch_size=10",
                           "--set", "limit=30", "--set", "epochs=1"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(observed.calls, 2 * 3);
  EXPECT_EQ(observed.samples, 2 * 30);
  EXPECT_EQ(observed.maxN, 10);
}

TEST(Driver, ExperimentSelectionAndDefaultOut) {
  TempDir dir;
  const auto cwd = std::filesystem::current_path();
  std::filesystem::current_path(dir.path);
  Outcome o = runWith(planJson(), {"--experiment", "fit", "--set", "epochs=1"});
  std::filesystem::current_path(cwd);
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "netc-out/fit/results.json"));
  EXPECT_TRUE(std::filesystem::exists(dir / "netc-out/fit/results.csv"));

  Outcome bad = runWith(planJson(), {"--experiment", "nope"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_NE(bad.err.find("no experiment 'nope' (available: fit)"),
            std::string::npos)
      << bad.err;
}

TEST(Driver, UsageErrorsAndHelp) {
  EXPECT_EQ(runWith(planJson(), {"--bogus"}).status, 2);
  Outcome set = runWith(planJson(), {"--set", "epochs=zero"});
  EXPECT_EQ(set.status, 2);
  EXPECT_NE(set.err.find("--set epochs"), std::string::npos);
  EXPECT_EQ(runWith(planJson(), {"--set", "colour=3"}).status, 2);
  EXPECT_EQ(runWith(planJson(), {"--data"}).status, 2);
  Outcome help = runWith(planJson(), {"--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_NE(help.out.find("--experiment NAME"), std::string::npos);
}

TEST(Driver, ResumeAndSaveWeights) {
  TempDir dir;
  // --resume with no earlier results runs everything.
  Outcome o = runWith(planJson(), {"--resume", "--save-weights", dir / "w",
                                   "--out", dir / "r", "--set", "epochs=1"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_TRUE(std::filesystem::exists(dir / "w/fit/lr=0.1.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(dir / "w/fit/lr=other.safetensors"));
  EXPECT_TRUE(std::filesystem::exists(dir / "r/fit/report.html"));
}

TEST(Driver, MissingDataIsAnErrorNamingTheFile) {
  TempDir dir;
  json plan = planJson();
  plan["datasets"][0] = {
      {"name", "digits"}, {"kind", "mnist"}, {"path", "mnist"}};
  Outcome o = runWith(plan, {"--data", dir.path, "--out", dir / "r"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(
      o.err.find("error: " + (dir / "mnist/train-images-idx3-ubyte.gz") + ": "),
      std::string::npos)
      << o.err;
}

TEST(Driver, ShapeMismatchIsAnError) {
  TempDir dir;
  writeMnist(dir.path, "train", 4, true);
  writeMnist(dir.path, "t10k", 4, true);
  json plan = planJson();
  plan["datasets"][0] = {
      {"name", "digits"}, {"kind", "mnist"}, {"path", dir.path}};
  Outcome o = runWith(plan, {"--out", dir / "r"});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("error: digits: samples of shape [28, 28, 1] do not "
                       "fit the input [1] of Lin"),
            std::string::npos)
      << o.err;
}

TEST(Driver, PlanAndTableErrors) {
  EXPECT_EQ(runWith(json::object({{"version", 2}}), {}).status, 1);
  Outcome bad = runWith(planJson(), {}, kKernels, 0);
  EXPECT_EQ(bad.status, 1);
  EXPECT_NE(bad.err.find("kernel 'k0_Lin'"), std::string::npos);
  json plan = planJson();
  plan["experiments"][0]["runs"][0]["steps"][1]["op"] = "bogus";
  Outcome unsupported = runWith(plan, {"--set", "epochs=1"});
  EXPECT_EQ(unsupported.status, 1);
  EXPECT_NE(unsupported.err.find("step 'bogus' is not supported"),
            std::string::npos);
}

TEST(Plan, CarriesTheLearningRateSchedule) {
  json plan = planJson();
  json &opt = plan["kernels"][0]["optimizer"];
  opt["schedule"] = {
      {"name", "step"},
      {"args",
       {{"initial_learning_rate", 0.1}, {"step_size", 2}, {"gamma", 0.5}}}};
  Plan p = parsePlan(plan.dump());
  EXPECT_EQ(p.kernels[0].optimizer.schedule, "step");
  EXPECT_DOUBLE_EQ(p.kernels[0].optimizer.learningRateAt(1), 0.1);
  EXPECT_DOUBLE_EQ(p.kernels[0].optimizer.learningRateAt(2), 0.05);
  opt["schedule"]["args"]["step_size"] = 0;
  EXPECT_THROW(parsePlan(plan.dump()), PlanError);
  opt["schedule"] = {{"name", "linear"}, {"args", json::object()}};
  EXPECT_THROW(parsePlan(plan.dump()), PlanError);
}

TEST(Plan, ParsesTheDesignExample) {
  json plan = planJson();
  Plan p = parsePlan(plan.dump());
  ASSERT_EQ(p.networks.size(), 1u);
  EXPECT_EQ(p.networks[0].params[0].init.name, "random_normal");
  EXPECT_EQ(p.networks[0].params[0].init.args.at("stddev"), 0.5);
  EXPECT_EQ(p.kernels[0].optimizer.learningRate(), 0.1);
  EXPECT_EQ(p.datasets[0].list_args.at("coefficients"),
            (std::vector<double>{0.5, 2.0}));
  EXPECT_EQ(p.experiments[0].runs[0].steps[3].columns,
            (std::vector<std::string>{"lr", "test"}));
  // Keras default learning rates per optimizer.
  OptimizerSpec sgd{"sgd", {}}, adam{"adam", {}};
  EXPECT_EQ(sgd.learningRate(), 0.01);
  EXPECT_EQ(adam.learningRate(), 0.001);
  // A parameter outside the buffer is caught before any write.
  plan["networks"][0]["params"][1]["offset"] = 2;
  EXPECT_THROW(parsePlan(plan.dump()), PlanError);
  EXPECT_THROW(parsePlan("{not json"), PlanError);
}

namespace {

// planJson's first run alone, its train step with `callbacks`, and a second
// run (same seed under --set seed) that trains `plainEpochs` epochs plainly.
json callbacksPlan(const json &callbacks, int64_t plainEpochs) {
  json plan = planJson();
  json &runs = plan["experiments"][0]["runs"];
  runs[0]["steps"][1]["callbacks"] = callbacks;
  runs[0]["steps"][1]["validation_split"] = 0.2;
  runs[1]["steps"][1]["epochs"] = plainEpochs;
  runs[1]["steps"][1]["validation_split"] = 0.2;
  return plan;
}

} // namespace

TEST(Driver, EarlyStoppingStopsAndRestoresTheBestWeights) {
  TempDir dir;
  // No later epoch beats the first by 10: stop after epoch 2 (never after
  // the first), put epoch 1's weights back.
  const json cb = json::parse(R"([{"name": "early_stopping",
      "args": {"min_delta": 10, "patience": 0, "restore_best_weights": 1},
      "str_args": {"monitor": "val_loss", "mode": "auto"}}])");
  Outcome o =
      runWith(callbacksPlan(cb, 1), {"--out", dir / "res", "--set", "seed=7"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_NE(o.err.find("Epoch 2: early stopping"), std::string::npos);
  const json results = json::parse(slurp(dir / "res/fit/results.json"));
  const json &stopped = results["runs"][0], &plain = results["runs"][1];
  EXPECT_EQ(stopped["history"].size(), 2u);
  EXPECT_EQ(stopped["stopped_epoch"], 2);
  EXPECT_EQ(stopped["restored_epoch"], 1);
  EXPECT_FALSE(plain.contains("stopped_epoch"));
  // The same seed trains the same first epoch: the restored weights are
  // the plain one-epoch run's, so are their test results.
  EXPECT_EQ(stopped["test"], plain["test"]);
  EXPECT_EQ(stopped["history"][0], plain["history"][0]);
  EXPECT_NE(stopped["history"][1]["val_loss"], plain["history"][0]["val_loss"]);
}

TEST(Driver, ReduceLrOnPlateauReachesTheCompiledStep) {
  TempDir dir;
  // Patience 0 and an improvement of 10 never reached: the rate halves at
  // the end of every epoch but the first (which improves on nothing).
  const json cb = json::parse(R"([{"name": "reduce_lr_on_plateau",
      "args": {"factor": 0.5, "patience": 0, "min_delta": 10},
      "str_args": {"monitor": "loss"}}])");
  observed = {};
  json plan = callbacksPlan(cb, 1);
  plan["experiments"][0]["runs"].erase(1);
  Outcome o = runWith(plan, {"--out", dir / "res", "--set", "epochs=3"});
  ASSERT_EQ(o.status, 0) << o.err;
  const json h =
      json::parse(slurp(dir / "res/fit/results.json"))["runs"][0]["history"];
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0]["learning_rate"], static_cast<double>(0.1f));
  EXPECT_EQ(h[1]["learning_rate"], static_cast<double>(0.1f));
  EXPECT_EQ(h[2]["learning_rate"], static_cast<double>(0.05f));
  EXPECT_EQ(observed.learningRate, 0.05f); // the compiled step's, last
}

TEST(Driver, EveryTrainAndSharedRunKeepsItsHistory) {
  TempDir dir;
  json plan = planJson();
  json &runs = plan["experiments"][0]["runs"];
  // A shared run trains slot 5 for 3 epochs; the first run trains its copy
  // twice, for 2 then 4 epochs.
  json shared = {{"params", json::object()}, {"fold", -1}, {"shared", true}};
  shared["steps"] = json::parse(R"([{"op": "new", "slot": 5, "network": 0},
      {"op": "train", "slot": 5, "kernel": 0, "dataset": 0,
       "split": "train", "epochs": 3}])");
  runs[0]["steps"] = json::parse(R"([{"op": "copy", "slot": 0, "src": 5},
      {"op": "train", "slot": 0, "kernel": 0, "dataset": 0,
       "split": "train", "epochs": 2},
      {"op": "train", "slot": 0, "kernel": 0, "dataset": 0,
       "split": "train", "epochs": 4},
      {"op": "evaluate", "slot": 0, "kernel": 0, "dataset": 0,
       "split": "test", "result": 0},
      {"op": "report", "columns": ["lr", "test"],
       "values": ["0.1", "@eval:0"]}])");
  runs.insert(runs.begin(), shared);
  Outcome o = runWith(plan, {"--out", dir / "res"});
  ASSERT_EQ(o.status, 0) << o.err;
  json results = json::parse(slurp(dir / "res/fit/results.json"));
  ASSERT_EQ(results["shared_runs"].size(), 1u);
  EXPECT_EQ(results["shared_runs"][0]["history"].size(), 3u);
  EXPECT_FALSE(results["shared_runs"][0].contains("trains"));
  const json &run = results["runs"][0];
  ASSERT_EQ(run["trains"].size(), 2u);
  EXPECT_EQ(run["trains"][0]["network"], "Lin()");
  EXPECT_EQ(run["trains"][0]["history"].size(), 2u);
  EXPECT_EQ(run["trains"][1]["history"], run["history"]);
  EXPECT_EQ(run["history"].size(), 4u);
  // One train: the layout of spec §5, no "trains".
  EXPECT_FALSE(results["runs"][1].contains("trains"));
  // --resume keeps every history of the runs it does not run again.
  Outcome again = runWith(plan, {"--out", dir / "res", "--resume"});
  ASSERT_EQ(again.status, 0) << again.err;
  json resumed = json::parse(slurp(dir / "res/fit/results.json"));
  EXPECT_EQ(withoutSeconds(resumed)["runs"], withoutSeconds(results)["runs"]);
  resumed["shared_runs"][0].erase("seconds");
  results["shared_runs"][0].erase("seconds");
  EXPECT_EQ(resumed["shared_runs"], results["shared_runs"]);
}
