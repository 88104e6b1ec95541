//===- Plan.cpp - The plan embedded in every program ----------------------===//
//
// Serializes the checked program (networks with their parameters and
// initializers, kernels, data sets, unrolled experiments) into the JSON that
// the runtime executes. Schema: docs/design.md.
//
//===----------------------------------------------------------------------===//
#include "Plan.h"
#include "Memory.h"
#include "netc/Transforms/MLIRGen.h"

#include <nlohmann/json.hpp>

using namespace netc;
using json = nlohmann::ordered_json;

static json callJson(const std::map<std::string, double> &args,
                     const std::map<std::string, std::string> &strArgs) {
  json a = json::object(), s = json::object();
  for (auto &[k, v] : args)
    a[k] = v;
  for (auto &[k, v] : strArgs)
    s[k] = v;
  return {{"args", a}, {"str_args", s}};
}

/// {"name", "args", "str_args"} and, with a learning-rate schedule,
/// "schedule": {"name", "args"}.
static json optimizerJson(const Call &c) {
  json o = callJson(c.args, c.strArgs);
  o["name"] = c.name;
  if (!c.schedule.empty()) {
    json a = json::object();
    for (auto &[k, v] : c.scheduleArgs)
      a[k] = v;
    o["schedule"] = {{"name", c.schedule}, {"args", a}};
  }
  return o;
}

static json networkJson(const Network &net) {
  json params = json::array();
  int64_t offset = 0;
  for (const Param &p : net.params) {
    json init = callJson(p.init.args, p.init.strArgs);
    init["name"] = p.init.name;
    params.push_back({{"name", p.name},
                      {"shape", p.shape},
                      {"offset", offset},
                      {"trainable", p.trainable},
                      {"fan_in", p.fanIn},
                      {"fan_out", p.fanOut},
                      {"init", init}});
    offset += p.size();
  }
  // Per layer, for the memory estimate at start-up (runtime/lib/Memory.cpp).
  json layers = json::array();
  for (const memory::LayerSize &l : layerSizes(net))
    layers.push_back({{"name", l.name},
                      {"kind", l.kind},
                      {"line", l.line},
                      {"col", l.col},
                      {"out_floats", l.outFloats},
                      {"param_floats", l.paramFloats},
                      {"trainable_floats", l.trainableFloats}});
  return {{"name", net.name},
          {"instance", net.instance},
          {"param_floats", offset},
          {"trainable_params", net.countParams(true)},
          {"input_shape", net.inputShape()},
          {"output_shape", net.outputShape()},
          {"params", params},
          {"layers", layers}};
}

static json stepJson(const Step &s, int kernel) {
  static const char *names[] = {"new",  "copy", "train",  "evaluate", "report",
                                "save", "load", "freeze", "compose"};
  json j = {{"op", names[s.kind]}, {"slot", s.slot}};
  switch (s.kind) {
  case Step::NewNet:
    j["network"] = s.network;
    break;
  case Step::Copy:
    j["src"] = s.srcSlot;
    break;
  case Step::Train: {
    j["kernel"] = kernel;
    j["dataset"] = s.dataset;
    j["split"] = s.split;
    j["epochs"] = s.train.epochs;
    j["batch_size"] = s.train.batchSize;
    j["validation_split"] = s.train.validationSplit;
    j["optimizer"] = optimizerJson(s.train.optimizer);
    j["loss"] = s.train.loss.name;
    break;
  }
  case Step::Evaluate:
    j["kernel"] = kernel;
    j["dataset"] = s.dataset;
    j["split"] = s.split;
    j["result"] = s.evalResult;
    break;
  case Step::Report:
    j["columns"] = s.reportColumns;
    j["values"] = s.reportValues;
    break;
  case Step::Save:
  case Step::Load:
    j["file"] = s.file;
    if (s.network >= 0)
      j["network"] = s.network;
    break;
  case Step::Freeze:
    break;
  case Step::Compose:
    j["network"] = s.network;
    j["parts"] = s.parts;
    break;
  }
  return j;
}

std::string netc::planJson(const Program &program, const KernelPlan &kernels,
                           const std::vector<KernelLayout> &layouts) {
  json root;
  root["version"] = 1;
  root["file"] = program.file;
  json networks = json::array();
  for (const auto &net : program.networks)
    networks.push_back(networkJson(*net));
  root["networks"] = networks;

  json ks = json::array();
  for (size_t i = 0; i < kernels.kernels.size(); ++i) {
    const KernelSpec &k = kernels.kernels[i];
    const KernelLayout &layout = layouts[i];
    const Network &net = *k.network;
    std::string metric = k.train.metricName();
    json stateInit = json::array();
    for (auto &[off, size, value] : layout.stateInit)
      stateInit.push_back({{"offset", (int64_t)off},
                           {"size", (int64_t)size},
                           {"value", value}});
    json opt = optimizerJson(k.train.optimizer);
    ks.push_back(
        {{"name", k.name},
         {"index", i},
         {"network", kernels.networkOf[i]},
         {"loss", k.train.loss.name},
         {"metric", metric},
         {"label_shape", labelShape(k.train.loss.name, net.outputShape())},
         {"output_shape", net.outputShape()},
         {"state_floats", layout.stateFloats},
         {"train_ws_per_sample", layout.trainWsPerSample},
         {"eval_ws_per_sample", layout.evalWsPerSample},
         {"train_ws_fixed", layout.trainWsFixed},
         {"eval_ws_fixed", layout.evalWsFixed},
         {"state_init", stateInit},
         {"optimizer", opt}});
    if (layout.hasTrainF64) {
      ks.back()["train_f64_ws_per_sample"] = layout.trainF64WsPerSample;
      ks.back()["train_f64_ws_fixed"] = layout.trainF64WsFixed;
    }
  }
  root["kernels"] = ks;

  json datasets = json::array();
  for (const DatasetDecl &d : program.datasets) {
    json j = callJson(d.args, d.strArgs);
    json lists = json::object();
    for (auto &[k, v] : d.listArgs)
      lists[k] = v;
    datasets.push_back({{"name", d.name},
                        {"kind", d.kind},
                        {"path", d.path},
                        {"args", j["args"]},
                        {"list_args", lists},
                        {"str_args", j["str_args"]}});
  }
  root["datasets"] = datasets;

  json experiments = json::array();
  for (size_t e = 0; e < program.experiments.size(); ++e) {
    const Experiment &exp = program.experiments[e];
    json runs = json::array();
    for (size_t r = 0; r < exp.runs.size(); ++r) {
      const Run &run = exp.runs[r];
      json params = json::object();
      for (auto &[k, v] : run.params)
        params[k] = v;
      json steps = json::array();
      for (size_t s = 0; s < run.steps.size(); ++s)
        steps.push_back(stepJson(run.steps[s], kernels.stepKernel[e][r][s]));
      runs.push_back({{"params", params},
                      {"fold", run.fold},
                      {"shared", run.shared},
                      {"steps", steps}});
    }
    json select = nullptr;
    if (!exp.selectMetric.empty())
      select = {{"metric", exp.selectMetric},
                {"mode", exp.selectMode},
                {"rule", exp.selectRule},
                {"folds", exp.folds},
                {"seed", exp.foldSeed}};
    experiments.push_back(
        {{"name", exp.name}, {"select", select}, {"runs", runs}});
  }
  root["experiments"] = experiments;
  return root.dump(1);
}
