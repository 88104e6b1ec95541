// Experiment plans end to end through runProgram with hand-written
// "compiled" kernels: a chain of scalar linear layers y = w_k(...(w_1 x +
// b_1)...) + b_k trained by plain SGD on every parameter (so only the
// runtime's freeze can keep weights fixed). Covers copy, compose, freeze,
// save/load, shared runs, validation splits, K-fold selection, --resume
// after a real kill, --save-weights and report.html.
#include "TestUtil.h"
#include "netc/CrossValidation.h"
#include "netc/Driver.h"
#include "netc/Plan.h"
#include "netc/Safetensors.h"
#include "netc/data/Dataset.h"

#include <cmath>
#include <csignal>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

using namespace netc;
using namespace netc::rt;
using namespace netc::test;
using nlohmann::json;

namespace {

int64_t trainCalls = 0, trainSamples = 0, killAfterCalls = -1;

void chainTrain(netc_buf *params, netc_buf *, netc_buf *x, netc_buf *y,
                int64_t n, netc_buf *, int64_t, netc_buf *hyper,
                netc_buf *metrics) {
  if (++trainCalls == killAfterCalls)
    _exit(42); // an interruption in the middle of a run
  trainSamples += n;
  float *p = params->aligned;
  const int64_t layers = params->size / 2;
  const float lr = hyper->aligned[0];
  std::vector<double> grad(static_cast<size_t>(params->size), 0.0);
  std::vector<double> a(static_cast<size_t>(layers + 1));
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    a[0] = x->aligned[i];
    for (int64_t l = 0; l < layers; ++l)
      a[l + 1] = p[2 * l] * a[l] + p[2 * l + 1];
    const double err = a[layers] - y->aligned[i];
    sq += err * err;
    double g = 2 * err;
    for (int64_t l = layers - 1; l >= 0; --l) {
      grad[2 * l] += g * a[l];
      grad[2 * l + 1] += g;
      g *= p[2 * l];
    }
  }
  for (int64_t k = 0; k < params->size; ++k)
    p[k] -= lr * static_cast<float>(grad[k] / n);
  metrics->aligned[0] = static_cast<float>(sq / n);
  metrics->aligned[1] = static_cast<float>(sq);
}

void chainEval(netc_buf *params, netc_buf *x, netc_buf *y, int64_t n,
               netc_buf *, int64_t, netc_buf *metrics, netc_buf *out) {
  const float *p = params->aligned;
  const int64_t layers = params->size / 2;
  double sq = 0;
  for (int64_t i = 0; i < n; ++i) {
    double a = x->aligned[i];
    for (int64_t l = 0; l < layers; ++l)
      a = p[2 * l] * a + p[2 * l + 1];
    out->aligned[i] = static_cast<float>(a);
    sq += (a - y->aligned[i]) * (a - y->aligned[i]);
  }
  metrics->aligned[0] = static_cast<float>(sq / n);
  metrics->aligned[1] = static_cast<float>(sq);
}

const netc_kernel_entry kKernels[] = {{"k0_Lin", chainTrain, chainEval},
                                      {"k1_LinLin", chainTrain, chainEval}};

json param(const std::string &name, std::vector<int64_t> shape, int64_t offset,
           const char *init) {
  return {{"name", name},
          {"shape", shape},
          {"offset", offset},
          {"trainable", true},
          {"fan_in", 1},
          {"fan_out", 1},
          {"init", {{"name", init}, {"args", json::object()}}}};
}

json kernel(const std::string &name, int index, int network, int64_t params) {
  return {{"name", name},
          {"index", index},
          {"network", network},
          {"loss", "mse"},
          {"metric", "mse"},
          {"label_shape", {1}},
          {"output_shape", {1}},
          {"state_floats", params},
          {"state_init", json::array()},
          {"optimizer", {{"name", "sgd"}, {"args", {{"learning_rate", 0.1}}}}}};
}

// Networks: 0 = Lin (2 params), 1 = Lin->Lin (4 params, the composition).
json basePlan() {
  json plan = {{"version", 1}, {"file", "t.net"}};
  plan["networks"] = {
      {{"name", "Lin"},
       {"instance", "Lin()"},
       {"param_floats", 2},
       {"trainable_params", 2},
       {"input_shape", {1}},
       {"output_shape", {1}},
       {"params",
        {param("dense/kernel", {1, 1}, 0, "glorot_uniform"),
         param("dense/bias", {1}, 1, "zeros")}}},
      {{"name", "Lin->Lin"},
       {"instance", "Lin()->Lin()"},
       {"param_floats", 4},
       {"trainable_params", 4},
       {"input_shape", {1}},
       {"output_shape", {1}},
       {"params",
        {param("Lin/dense/kernel", {1, 1}, 0, "glorot_uniform"),
         param("Lin/dense/bias", {1}, 1, "zeros"),
         param("Lin_1/dense/kernel", {1, 1}, 2, "glorot_uniform"),
         param("Lin_1/dense/bias", {1}, 3, "zeros")}}}};
  plan["kernels"] = {kernel("k0_Lin", 0, 0, 2), kernel("k1_LinLin", 1, 1, 4)};
  plan["datasets"] = {
      {{"name", "line"},
       {"kind", "polynomial"},
       {"path", ""},
       {"args", {{"samples", 60}, {"noise", 0.3}, {"seed", 3}}},
       {"list_args", {{"coefficients", {0.5, 2.0}}, {"x_range", {-1, 1}}}}}};
  return plan;
}

json train(int slot, int kernel, int epochs = 5) {
  return {{"op", "train"},   {"slot", slot},     {"kernel", kernel},
          {"dataset", 0},    {"split", "train"}, {"epochs", epochs},
          {"batch_size", 16}};
}
json evaluate(int slot, int kernel) {
  return {{"op", "evaluate"}, {"slot", slot},    {"kernel", kernel},
          {"dataset", 0},     {"split", "test"}, {"result", 0}};
}
json report(const std::string &value) {
  return {{"op", "report"},
          {"columns", {"start", "test"}},
          {"values", {value, "@eval:0"}}};
}

// spec §1.4's transfer experiment, on the linear chain.
json transferPlan() {
  json plan = basePlan();
  json shared = {{"params", json::object()},
                 {"fold", -1},
                 {"shared", true},
                 {"steps",
                  {{{"op", "new"}, {"slot", 0}, {"network", 0}},
                   train(0, 0),
                   {{"op", "save"},
                    {"slot", 0},
                    {"network", 0},
                    {"file", "base.safetensors"}}}}};
  json pretrained = {
      {"params", {{"start", "pretrained"}}},
      {"fold", -1},
      {"steps",
       {{{"op", "copy"}, {"slot", 1}, {"src", 0}},
        {{"op", "freeze"}, {"slot", 1}},
        {{"op", "new"}, {"slot", 2}, {"network", 0}},
        {{"op", "compose"}, {"slot", 3}, {"network", 1}, {"parts", {2, 1}}},
        train(3, 1),
        evaluate(3, 1),
        report("pretrained")}}};
  json scratch = {
      {"params", {{"start", "scratch"}}},
      {"fold", -1},
      {"steps",
       {{{"op", "new"}, {"slot", 1}, {"network", 0}},
        {{"op", "new"}, {"slot", 2}, {"network", 0}},
        {{"op", "compose"}, {"slot", 3}, {"network", 1}, {"parts", {2, 1}}},
        train(3, 1),
        evaluate(3, 1),
        report("scratch")}}};
  json reload = {{"params", {{"start", "reloaded"}}},
                 {"fold", -1},
                 {"steps",
                  {{{"op", "new"}, {"slot", 4}, {"network", 0}},
                   {{"op", "load"},
                    {"slot", 4},
                    {"network", 0},
                    {"file", "base.safetensors"}},
                   {{"op", "save"},
                    {"slot", 4},
                    {"network", 0},
                    {"file", "again.safetensors"}},
                   evaluate(4, 0),
                   report("reloaded")}}};
  plan["experiments"] = {{{"name", "transfer"},
                          {"select", nullptr},
                          {"runs", {shared, pretrained, scratch, reload}}}};
  return plan;
}

// spec §1.3's selection on two candidates, 3 folds.
json cvPlan(const std::string &rule = "one_std_error") {
  json plan = basePlan();
  json runs = json::array();
  for (int model = 0; model < 2; ++model)
    for (int fold = 0; fold < 3; ++fold)
      runs.push_back({{"params", {{"model", model ? "deep" : "flat"}}},
                      {"fold", fold},
                      {"steps",
                       {{{"op", "new"}, {"slot", 0}, {"network", model}},
                        train(0, model, 8)}}});
  plan["experiments"] = {{{"name", "select"},
                          {"select",
                           {{"metric", "val_loss"},
                            {"mode", "min"},
                            {"rule", rule},
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
  ::testing::internal::CaptureStdout();
  ::testing::internal::CaptureStderr();
  const int status = runProgram(text.c_str(), kKernels, 2,
                                static_cast<int>(argv.size()), argv.data());
  std::string out = ::testing::internal::GetCapturedStdout();
  std::string err = ::testing::internal::GetCapturedStderr();
  return {status, out, err};
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

std::map<std::string, std::vector<float>> tensors(const std::string &path,
                                                  const NetworkSpec &net) {
  std::vector<float> params(static_cast<size_t>(net.paramFloats));
  loadSafetensors(path, net, params.data());
  std::map<std::string, std::vector<float>> out;
  for (const ParamSpec &p : net.params)
    out[p.name] = std::vector<float>(params.begin() + p.offset,
                                     params.begin() + p.offset + p.size());
  return out;
}

size_t count(const std::string &text, const std::string &what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos;
       p = text.find(what, p + 1))
    ++n;
  return n;
}

} // namespace

TEST(Transfer, CopyFreezeComposeSaveLoadAndSharedRuns) {
  TempDir dir;
  Outcome o = runWith(transferPlan(),
                      {"--out", dir / "r", "--save-weights", dir / "w"});
  ASSERT_EQ(o.status, 0) << o.err;
  const Plan plan = parsePlan(transferPlan().dump());
  const json results = json::parse(slurp(dir / "r/transfer/results.json"));
  // The shared run reports nothing of its own.
  ASSERT_EQ(results["runs"].size(), 3u);
  EXPECT_EQ(results["runs"][0]["params"], json({{"start", "pretrained"}}));

  // The frozen part (the copy of the trained base) stays bit-identical
  // through training; the other part trains.
  const auto base = tensors(dir / "r/base.safetensors", plan.networks[0]);
  const auto pre = tensors(dir / "w/transfer/start=pretrained.safetensors",
                           plan.networks[1]);
  EXPECT_EQ(pre.at("Lin_1/dense/kernel"), base.at("dense/kernel"));
  EXPECT_EQ(pre.at("Lin_1/dense/bias"), base.at("dense/bias"));
  EXPECT_NE(pre.at("Lin/dense/bias"), std::vector<float>{0.0f});
  const auto scratch =
      tensors(dir / "w/transfer/start=scratch.safetensors", plan.networks[1]);
  EXPECT_NE(scratch.at("Lin_1/dense/kernel"), base.at("dense/kernel"));
  // --save-weights also wrote the shared run's trained base.
  EXPECT_EQ(tensors(dir / "w/transfer/shared0.safetensors", plan.networks[0]),
            base);
  // load restores exactly what save wrote.
  EXPECT_EQ(slurp(dir / "r/again.safetensors"),
            slurp(dir / "r/base.safetensors"));
  // The reloaded base fits the line (it was trained by the shared run).
  EXPECT_LT(results["runs"][2]["test"]["loss"].get<double>(), 1.0);
}

TEST(Transfer, FreezeKeepsATrainedNetworkBitIdentical) {
  TempDir dir;
  json plan = basePlan();
  plan["experiments"] = {
      {{"name", "f"},
       {"select", nullptr},
       {"runs",
        {{{"params", json::object()},
          {"fold", -1},
          {"steps",
           {{{"op", "new"}, {"slot", 0}, {"network", 0}},
            {{"op", "save"}, {"slot", 0}, {"file", "before.safetensors"}},
            {{"op", "freeze"}, {"slot", 0}},
            train(0, 0),
            {{"op", "save"}, {"slot", 0}, {"file", "after.safetensors"}}}}}}}}};
  trainCalls = 0;
  Outcome o = runWith(plan, {"--out", dir.path});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_GT(trainCalls, 0);
  EXPECT_EQ(slurp(dir / "before.safetensors"),
            slurp(dir / "after.safetensors"));
}

TEST(Transfer, RunsSeeSharedSlotsCopyOnWrite) {
  TempDir dir;
  json plan = basePlan();
  json shared = {{"params", json::object()},
                 {"fold", -1},
                 {"shared", true},
                 {"steps", {{{"op", "new"}, {"slot", 0}, {"network", 0}}}}};
  auto run = [&](const char *name) {
    return json{{"params", {{"r", name}}},
                {"fold", -1},
                {"steps", {train(0, 0), evaluate(0, 0)}}};
  };
  plan["experiments"] = {{{"name", "cow"},
                          {"select", nullptr},
                          {"runs", {shared, run("a"), run("b")}}}};
  Outcome o = runWith(plan, {"--out", dir.path, "--set", "seed=9"});
  ASSERT_EQ(o.status, 0) << o.err;
  const json r = json::parse(slurp(dir / "cow/results.json"));
  // Both start from the shared initial weights, not from each other's.
  EXPECT_EQ(r["runs"][0]["history"], r["runs"][1]["history"]);
}

TEST(Transfer, LoadErrorsNameTheFile) {
  TempDir dir;
  json plan = transferPlan();
  plan["experiments"][0]["runs"][3]["steps"][1]["file"] = "absent.safetensors";
  Outcome o = runWith(plan, {"--out", dir.path});
  EXPECT_EQ(o.status, 1);
  EXPECT_NE(o.err.find("absent.safetensors"), std::string::npos) << o.err;
}

TEST(Safetensors, HeaderIsTheStandardLayout) {
  TempDir dir;
  const Plan plan = parsePlan(basePlan().dump());
  const NetworkSpec &net = plan.networks[1];
  const float params[4] = {1.5f, -2.0f, 3.25f, 0.0f};
  saveSafetensors(dir / "n.safetensors", net, params, {{"format", "pt"}});
  const std::string bytes = slurp(dir / "n.safetensors");
  uint64_t n = 0;
  for (int i = 0; i < 8; ++i)
    n |= static_cast<uint64_t>(static_cast<uint8_t>(bytes[i])) << (8 * i);
  EXPECT_EQ((8 + n) % 8, 0u); // data 8-byte aligned
  const json header = json::parse(bytes.substr(8, n));
  EXPECT_EQ(header["__metadata__"]["format"], "pt");
  EXPECT_EQ(header["Lin_1/dense/kernel"]["dtype"], "F32");
  EXPECT_EQ(header["Lin_1/dense/kernel"]["shape"], json({1, 1}));
  EXPECT_EQ(header["Lin_1/dense/kernel"]["data_offsets"], json({8, 12}));
  EXPECT_EQ(bytes.size(), 8 + n + 16);
  float third;
  std::memcpy(&third, bytes.data() + 8 + n + 8, 4);
  EXPECT_EQ(third, 3.25f);
  float back[4] = {};
  loadSafetensors(dir / "n.safetensors", net, back);
  EXPECT_EQ(std::vector<float>(back, back + 4),
            std::vector<float>(params, params + 4));
}

TEST(Safetensors, ErrorsNameTheFileAndTheProblem) {
  TempDir dir;
  const Plan plan = parsePlan(basePlan().dump());
  const float params[4] = {1, 2, 3, 4};
  saveSafetensors(dir / "small.safetensors", plan.networks[0], params);
  float out[4];
  auto error = [&](const std::string &file, const NetworkSpec &net) {
    try {
      loadSafetensors(file, net, out);
    } catch (const DataError &e) {
      return std::string(e.what());
    }
    return std::string();
  };
  std::string msg = error(dir / "small.safetensors", plan.networks[1]);
  EXPECT_NE(msg.find(dir / "small.safetensors: no tensor 'Lin/dense/kernel'"),
            std::string::npos)
      << msg;
  const std::string good = slurp(dir / "small.safetensors");
  writeBytes(dir / "cut.safetensors",
             std::vector<uint8_t>(good.begin(), good.end() - 3), false);
  msg = error(dir / "cut.safetensors", plan.networks[0]);
  EXPECT_NE(msg.find("truncated data"), std::string::npos) << msg;
  writeBytes(dir / "tiny.safetensors", {1, 2, 3}, false);
  msg = error(dir / "tiny.safetensors", plan.networks[0]);
  EXPECT_NE(msg.find("truncated safetensors file"), std::string::npos) << msg;
  std::string bad = good;
  const size_t at = bad.find("F32");
  bad.replace(at, 3, "F16");
  writeBytes(dir / "f16.safetensors",
             std::vector<uint8_t>(bad.begin(), bad.end()), false);
  msg = error(dir / "f16.safetensors", plan.networks[0]);
  EXPECT_NE(msg.find("dtype \"F16\", expected \"F32\""), std::string::npos)
      << msg;
  NetworkSpec other = plan.networks[0];
  other.params[0].shape = {1};
  msg = error(dir / "small.safetensors", other);
  EXPECT_NE(msg.find("has shape [1, 1], network Lin expects [1]"),
            std::string::npos)
      << msg;
  msg = error(dir / "none.safetensors", plan.networks[0]);
  EXPECT_NE(msg.find(dir / "none.safetensors"), std::string::npos) << msg;
}

TEST(Training, ValidationSplitHoldsOutTheLastFraction) {
  TempDir dir;
  json plan = basePlan();
  json step = train(0, 0, 3);
  step["validation_split"] = 0.25;
  plan["experiments"] = {
      {{"name", "v"},
       {"select", nullptr},
       {"runs",
        {{{"params", json::object()},
          {"fold", -1},
          {"steps", {{{"op", "new"}, {"slot", 0}, {"network", 0}}, step}}}}}}};
  trainSamples = 0;
  Outcome o = runWith(plan, {"--out", dir.path});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(trainSamples, 3 * 45); // 60 records, the last 15 held out
  const json r = json::parse(slurp(dir / "v/results.json"));
  const json &h = r["runs"][0]["history"];
  ASSERT_EQ(h.size(), 3u);
  EXPECT_TRUE(h[2].contains("val_loss"));
  EXPECT_TRUE(h[2].contains("val_mse"));
  EXPECT_NE(o.err.find("- val_loss: "), std::string::npos) << o.err;
}

TEST(CrossValidation, FoldsPartitionDeterministically) {
  const auto folds = foldIndices(17, 5, 1);
  ASSERT_EQ(folds.size(), 5u);
  std::vector<int64_t> all;
  for (size_t k = 0; k < folds.size(); ++k) {
    EXPECT_EQ(folds[k].size(), k < 2 ? 4u : 3u);
    all.insert(all.end(), folds[k].begin(), folds[k].end());
  }
  std::sort(all.begin(), all.end());
  for (int64_t i = 0; i < 17; ++i)
    EXPECT_EQ(all[i], i);
  EXPECT_EQ(foldIndices(17, 5, 1), folds);
  EXPECT_NE(foldIndices(17, 5, 2), folds);
  std::vector<int64_t> train, val;
  foldSplit(17, 5, 1, 3, train, val);
  EXPECT_EQ(val, folds[3]);
  EXPECT_EQ(train.size(), 14u);
  EXPECT_TRUE(std::is_sorted(train.begin(), train.end()));
  EXPECT_THROW(foldIndices(3, 5, 1), std::runtime_error);
}

TEST(CrossValidation, OneStandardErrorPrefersTheSimplerCandidate) {
  auto run = [](const char *name, int64_t fold, double valLoss) {
    RunRecord r;
    r.params = {{"degree", name}};
    r.fold = fold;
    r.metricName = "mse";
    EpochRecord e{1, 0, 0, true, valLoss, 0};
    r.history = {e};
    return r;
  };
  // Means: "4" 1.0 (SE 0.1), "3" 1.05, "1" 1.5.
  std::vector<RunRecord> runs = {run("4", 0, 0.9), run("4", 1, 1.1),
                                 run("3", 0, 1.0), run("3", 1, 1.1),
                                 run("1", 0, 1.5), run("1", 1, 1.5)};
  std::vector<int64_t> trainable = {5, 5, 4, 4, 2, 2};
  json select = {{"metric", "val_loss"},
                 {"mode", "min"},
                 {"rule", "one_std_error"},
                 {"folds", 2}};
  Selection s = selectModel(select, runs, trainable);
  ASSERT_EQ(s.candidates.size(), 3u);
  EXPECT_EQ(s.candidates[0].params, json({{"degree", 4}}));
  EXPECT_DOUBLE_EQ(s.candidates[0].mean, 1.0);
  EXPECT_NEAR(s.candidates[0].stdError, 0.1, 1e-12);
  EXPECT_EQ(s.chosenByBest, 0u);
  EXPECT_EQ(s.chosen, 1u);
  const auto j = selectionJson(s);
  EXPECT_EQ(j["chosen"], nlohmann::ordered_json({{"degree", 3}}));
  EXPECT_EQ(j["chosen_by_min"], nlohmann::ordered_json({{"degree", 4}}));
  EXPECT_EQ(j["candidates"][2]["trainable_params"], 2);
  const std::string table = selectionTable(j);
  EXPECT_NE(table.find("degree=3"), std::string::npos);
  EXPECT_NE(table.find("1.0500 ± 0.0500"), std::string::npos) << table;
  EXPECT_NE(table.find("<- chosen\n"), std::string::npos) << table;
  EXPECT_NE(table.find("<- chosen_by_min"), std::string::npos) << table;
  select["rule"] = "min";
  EXPECT_EQ(selectModel(select, runs, trainable).chosen, 0u);
  select["metric"] = "val_accuracy";
  EXPECT_THROW(selectModel(select, runs, trainable), std::runtime_error);
}

TEST(CrossValidation, KFoldExperimentWritesTheSelection) {
  TempDir dir;
  trainSamples = 0;
  Outcome o = runWith(cvPlan(), {"--out", dir.path});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(trainSamples, 6 * 8 * 40); // each fold trains on 2/3 of 60
  const json r = json::parse(slurp(dir / "select/results.json"));
  ASSERT_EQ(r["runs"].size(), 6u);
  EXPECT_EQ(r["runs"][4]["fold"], 1);
  std::map<std::string, std::vector<double>> finals;
  for (const json &run : r["runs"])
    finals[run["params"]["model"]].push_back(
        run["history"].back()["val_loss"].get<double>());
  const json &sel = r["selection"];
  EXPECT_EQ(sel["metric"], "val_loss");
  EXPECT_EQ(sel["rule"], "one_std_error");
  ASSERT_EQ(sel["candidates"].size(), 2u);
  for (const json &c : sel["candidates"]) {
    const auto &v = finals[c["params"]["model"]];
    const double mean = (v[0] + v[1] + v[2]) / 3;
    double sq = 0;
    for (double x : v)
      sq += (x - mean) * (x - mean);
    EXPECT_NEAR(c["mean"].get<double>(), mean, 1e-12);
    EXPECT_NEAR(c["std_error"].get<double>(), std::sqrt(sq / 2) / std::sqrt(3),
                1e-12);
  }
  EXPECT_EQ(sel["candidates"][0]["trainable_params"], 2);
  EXPECT_EQ(sel["candidates"][1]["trainable_params"], 4);
  EXPECT_TRUE(sel.contains("chosen"));
  EXPECT_TRUE(sel.contains("chosen_by_min"));
  EXPECT_NE(o.out.find("Selection by val_loss, rule one_std_error"),
            std::string::npos)
      << o.out;
  EXPECT_NE(o.out.find("<- chosen"), std::string::npos) << o.out;
}

TEST(Resume, KilledMidRunThenResumedEqualsAnUninterruptedRun) {
  TempDir dir;
  ASSERT_EQ(runWith(cvPlan(), {"--out", dir / "full"}).status, 0);
  // 60 records, folds of 20, batches of 16: 3 steps per epoch, 8 epochs.
  // Die in the middle of the third run.
  std::fflush(nullptr);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    ::dup2(null, 1);
    ::dup2(null, 2);
    trainCalls = 0;
    killAfterCalls = 2 * 24 + 10;
    std::string text = cvPlan().dump();
    std::vector<std::string> args = {"prog", "--out", dir / "part"};
    std::vector<char *> argv;
    for (std::string &a : args)
      argv.push_back(a.data());
    runProgram(text.c_str(), kKernels, 2, 3, argv.data());
    _exit(0);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 42);
  const json partial = json::parse(slurp(dir / "part/select/results.json"));
  EXPECT_EQ(partial["runs"].size(), 2u);
  EXPECT_FALSE(partial.contains("selection"));

  trainCalls = 0;
  Outcome resumed = runWith(cvPlan(), {"--out", dir / "part", "--resume"});
  ASSERT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_EQ(trainCalls, 4 * 24); // only the four unfinished runs trained
  EXPECT_EQ(count(resumed.err, "finished earlier, skipped"), 2u);
  EXPECT_EQ(
      withoutSeconds(json::parse(slurp(dir / "part/select/results.json"))),
      withoutSeconds(json::parse(slurp(dir / "full/select/results.json"))));
  Outcome full = runWith(cvPlan(), {"--out", dir / "again"});
  const auto tail = [](const std::string &s) {
    return s.substr(s.find("Selection by"));
  };
  EXPECT_EQ(tail(resumed.out), tail(full.out));
  // Resuming a finished experiment runs nothing.
  trainCalls = 0;
  ASSERT_EQ(runWith(cvPlan(), {"--out", dir / "part", "--resume"}).status, 0);
  EXPECT_EQ(trainCalls, 0);
  // A results.json of another experiment is refused (here copied into the
  // directory of experiment `transfer`).
  std::filesystem::create_directories(dir / "part/transfer");
  std::filesystem::copy_file(dir / "part/select/results.json",
                             dir / "part/transfer/results.json");
  Outcome other = runWith(transferPlan(), {"--out", dir / "part", "--resume"});
  EXPECT_EQ(other.status, 1);
  EXPECT_NE(other.err.find("holds the results of experiment 'select'"),
            std::string::npos)
      << other.err;
}

TEST(Report, SelfContainedWithOnePathPerRun) {
  TempDir dir;
  ASSERT_EQ(runWith(cvPlan(), {"--out", dir.path}).status, 0);
  const std::string html = slurp(dir / "select/report.html");
  EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
  // Two plots (loss, mse), each with a train and a dashed validation path per
  // run.
  EXPECT_EQ(count(html, "<path class=\"train\""), 2u * 6);
  EXPECT_EQ(count(html, "<path class=\"val\""), 2u * 6);
  EXPECT_NE(html.find("stroke-dasharray"), std::string::npos);
  EXPECT_NE(html.find("chosen_by_min"), std::string::npos);
  EXPECT_NE(html.find("model=deep, fold=2"), std::string::npos);
  // Nothing external.
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_EQ(html.find("src="), std::string::npos);
  EXPECT_EQ(html.find("href="), std::string::npos);
  EXPECT_EQ(html.find("url("), std::string::npos);
}

TEST(Report, RendersInHeadlessChromium) {
  if (std::system("command -v chromium >/dev/null 2>&1") != 0)
    GTEST_SKIP() << "chromium is not installed (scripts/setup.sh installs it)";
  TempDir dir;
  ASSERT_EQ(runWith(transferPlan(), {"--out", dir.path}).status, 0);
  const std::string cmd = std::string("python3 ") + NETC_SOURCE_DIR +
                          "/scripts/check_report.py " +
                          dir / "transfer/report.html" + " --runs 3 > " +
                          dir / "check.log" + " 2>&1";
  const int status = std::system(cmd.c_str());
  EXPECT_EQ(status, 0) << slurp(dir / "check.log");
}
