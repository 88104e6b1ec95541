//===- Plan.cpp - The plan's writer and reader ----------------------------===//
//
// The library `netc_plan`, linked into the compiler's driver (which writes
// the plan) and the runtime (which reads it): the JSON of the schema in
// netc/Plan.h, in one place. Reading checks the schema and names the path of
// a bad field. docs/design.md describes the fields.
//
//===----------------------------------------------------------------------===//

#include "netc/Plan.h"
#include "netc/OptimizerTable.h"

#include <algorithm>
#include <cmath>

using nlohmann::json;

namespace netc {

namespace {
// The names of StepOp's values, in its order.
const char *const kStepOpNames[] = {"new",      "copy",   "train",
                                    "evaluate", "report", "save",
                                    "load",     "freeze", "compose"};
} // namespace

const char *stepOpName(StepOp op) { return kStepOpNames[static_cast<int>(op)]; }

bool parseStepOp(const std::string &name, StepOp &op) {
  for (int i = 0; i < static_cast<int>(std::size(kStepOpNames)); ++i)
    if (name == kStepOpNames[i]) {
      op = static_cast<StepOp>(i);
      return true;
    }
  return false;
}

double OptimizerSpec::learningRate() const {
  auto it = args.find("learning_rate");
  if (it != args.end())
    return it->second;
  // The optimizer's Keras default (netc/Optimizers.def).
  const optimizers::Optimizer *o = optimizers::findOptimizer(name);
  return o ? o->learningRate : 0.001;
}

//===----------------------------------------------------------------------===//
// Reading (the runtime's side)
//===----------------------------------------------------------------------===//

namespace {

[[noreturn]] void bad(const std::string &path, const std::string &problem) {
  throw PlanError("plan: " + path + ": " + problem);
}

const json &field(const json &obj, const char *key, const std::string &path) {
  if (!obj.is_object())
    bad(path, "expected an object");
  auto it = obj.find(key);
  if (it == obj.end())
    bad(path, std::string("missing field '") + key + "'");
  return *it;
}

std::string str(const json &obj, const char *key, const std::string &path,
                const char *fallback = nullptr) {
  if (fallback && (!obj.contains(key) || obj[key].is_null()))
    return fallback;
  const json &v = field(obj, key, path);
  if (!v.is_string())
    bad(path + "." + key, "expected a string");
  return v.get<std::string>();
}

int64_t integer(const json &obj, const char *key, const std::string &path,
                const int64_t *fallback = nullptr) {
  if (fallback && (!obj.contains(key) || obj[key].is_null()))
    return *fallback;
  const json &v = field(obj, key, path);
  if (!v.is_number_integer())
    bad(path + "." + key, "expected an integer");
  return v.get<int64_t>();
}

double number(const json &v, const std::string &path) {
  if (!v.is_number())
    bad(path, "expected a number");
  return v.get<double>();
}

std::vector<int64_t> shape(const json &obj, const char *key,
                           const std::string &path) {
  const json &v = field(obj, key, path);
  if (!v.is_array())
    bad(path + "." + key, "expected an array of integers");
  std::vector<int64_t> dims;
  for (const json &d : v) {
    if (!d.is_number_integer() || d.get<int64_t>() < 0)
      bad(path + "." + key, "expected an array of non-negative integers");
    dims.push_back(d.get<int64_t>());
  }
  return dims;
}

template <typename T, typename F>
std::vector<T> list(const json &obj, const char *key, const std::string &path,
                    F parseOne) {
  std::vector<T> out;
  if (!obj.contains(key) || obj[key].is_null())
    return out;
  const json &v = obj[key];
  if (!v.is_array())
    bad(path + "." + key, "expected an array");
  for (size_t i = 0; i < v.size(); ++i)
    out.push_back(
        parseOne(v[i], path + "." + key + "[" + std::to_string(i) + "]"));
  return out;
}

std::map<std::string, double> numberMap(const json &obj, const char *key,
                                        const std::string &path) {
  std::map<std::string, double> out;
  if (!obj.contains(key) || obj[key].is_null())
    return out;
  for (auto &[k, v] : obj[key].items())
    if (v.is_boolean())
      out[k] = v.get<bool>() ? 1.0 : 0.0;
    else
      out[k] = number(v, path + "." + key + "." + k);
  return out;
}

std::map<std::string, std::string> stringMap(const json &obj, const char *key,
                                             const std::string &path) {
  std::map<std::string, std::string> out;
  if (!obj.contains(key) || obj[key].is_null())
    return out;
  for (auto &[k, v] : obj[key].items()) {
    if (!v.is_string())
      bad(path + "." + key + "." + k, "expected a string");
    out[k] = v.get<std::string>();
  }
  return out;
}

InitSpec parseInit(const json &j, const std::string &path) {
  InitSpec init;
  if (j.is_string()) { // tolerate the short form "glorot_uniform"
    init.name = j.get<std::string>();
    return init;
  }
  init.name = str(j, "name", path);
  init.args = numberMap(j, "args", path);
  init.strArgs = stringMap(j, "str_args", path);
  return init;
}

ParamSpec parseParam(const json &j, const std::string &path) {
  ParamSpec p;
  p.name = str(j, "name", path);
  p.shape = shape(j, "shape", path);
  p.offset = integer(j, "offset", path);
  p.trainable = j.value("trainable", true);
  const int64_t one = 1;
  p.fanIn = integer(j, "fan_in", path, &one);
  p.fanOut = integer(j, "fan_out", path, &one);
  p.init = parseInit(field(j, "init", path), path + ".init");
  return p;
}

memory::LayerSize parseLayerSize(const json &j, const std::string &path) {
  memory::LayerSize l;
  const int64_t zero = 0;
  l.name = str(j, "name", path);
  l.kind = str(j, "kind", path, "");
  l.line = static_cast<int>(integer(j, "line", path, &zero));
  l.col = static_cast<int>(integer(j, "col", path, &zero));
  l.outFloats = integer(j, "out_floats", path, &zero);
  l.paramFloats = integer(j, "param_floats", path, &zero);
  l.trainableFloats = integer(j, "trainable_floats", path, &zero);
  return l;
}

NetworkSpec parseNetwork(const json &j, const std::string &path) {
  NetworkSpec n;
  n.name = str(j, "name", path);
  n.instance = str(j, "instance", path, "");
  n.paramFloats = integer(j, "param_floats", path);
  n.trainableParams = integer(j, "trainable_params", path, &n.paramFloats);
  n.inputShape = shape(j, "input_shape", path);
  n.outputShape = shape(j, "output_shape", path);
  n.params = list<ParamSpec>(j, "params", path, parseParam);
  n.layers = list<memory::LayerSize>(j, "layers", path, parseLayerSize);
  for (size_t i = 0; i < n.params.size(); ++i) {
    const ParamSpec &p = n.params[i];
    if (p.offset < 0 || p.offset + p.size() > n.paramFloats)
      bad(path + ".params[" + std::to_string(i) + "]",
          "parameter '" + p.name + "' lies outside param_floats");
  }
  return n;
}

KernelSpec parseKernel(const json &j, const std::string &path) {
  KernelSpec k;
  const int64_t zero = 0;
  k.name = str(j, "name", path);
  k.index = integer(j, "index", path);
  k.network = integer(j, "network", path);
  k.loss = str(j, "loss", path, "");
  k.metric = str(j, "metric", path, "accuracy");
  if (j.contains("metrics"))
    for (const json &m : j["metrics"]) {
      if (!m.is_string())
        bad(path + ".metrics", "expected metric names");
      k.metrics.push_back(m.get<std::string>());
    }
  if (k.metrics.empty())
    k.metrics = {k.metric};
  if (k.metrics.front() != k.metric)
    bad(path + ".metrics", "must start with the metric '" + k.metric + "'");
  k.labelShape = shape(j, "label_shape", path);
  k.outputShape = shape(j, "output_shape", path);
  k.stateFloats = integer(j, "state_floats", path, &zero);
  k.trainWsPerSample = integer(j, "train_ws_per_sample", path, &zero);
  k.evalWsPerSample = integer(j, "eval_ws_per_sample", path, &zero);
  k.trainWsFixed = integer(j, "train_ws_fixed", path, &zero);
  k.evalWsFixed = integer(j, "eval_ws_fixed", path, &zero);
  k.hasTrainF64 = j.contains("train_f64_ws_per_sample");
  k.trainF64WsPerSample = integer(j, "train_f64_ws_per_sample", path, &zero);
  k.trainF64WsFixed = integer(j, "train_f64_ws_fixed", path, &zero);
  k.stateInit = list<StateInit>(
      j, "state_init", path, [&](const json &s, const std::string &p) {
        StateInit init;
        init.offset = integer(s, "offset", p);
        init.size = integer(s, "size", p);
        init.value = number(field(s, "value", p), p + ".value");
        if (init.offset < 0 || init.size < 0 ||
            init.offset + init.size > k.stateFloats)
          bad(p, "lies outside state_floats");
        return init;
      });
  if (j.contains("optimizer") && !j["optimizer"].is_null()) {
    const json &o = j["optimizer"];
    k.optimizer.name = str(o, "name", path + ".optimizer");
    k.optimizer.args = numberMap(o, "args", path + ".optimizer");
    if (o.contains("schedule") && !o["schedule"].is_null()) {
      const json &sj = o["schedule"];
      const std::string sp = path + ".optimizer.schedule";
      k.optimizer.schedule = str(sj, "name", sp);
      k.optimizer.scheduleArgs = numberMap(sj, "args", sp);
      if (!isSchedule(k.optimizer.schedule))
        bad(sp + ".name", "unknown schedule '" + k.optimizer.schedule + "'");
      for (const char *key : {"decay_steps", "step_size"})
        if (k.optimizer.scheduleArgs.count(key) &&
            k.optimizer.scheduleArgs[key] <= 0)
          bad(sp + ".args." + key, "must be positive");
    }
  }
  return k;
}

DatasetSpec parseDataset(const json &j, const std::string &path) {
  DatasetSpec d;
  d.name = str(j, "name", path);
  d.kind = str(j, "kind", path);
  d.path = str(j, "path", path, "");
  d.args = numberMap(j, "args", path);
  d.str_args = stringMap(j, "str_args", path);
  if (j.contains("list_args") && !j["list_args"].is_null())
    for (auto &[k, v] : j["list_args"].items()) {
      if (!v.is_array())
        bad(path + ".list_args." + k, "expected an array of numbers");
      std::vector<double> values;
      for (const json &x : v)
        values.push_back(number(x, path + ".list_args." + k));
      d.list_args[k] = values;
    }
  return d;
}

StepSpec parseStep(const json &j, const std::string &path) {
  StepSpec s;
  const int64_t minusOne = -1, one = 1, batch = 32;
  const std::string op = str(j, "op", path);
  if (!parseStepOp(op, s.op))
    bad(path + ".op", "step '" + op + "' is not supported by this runtime");
  s.slot = integer(j, "slot", path, &minusOne);
  s.network = integer(j, "network", path, &minusOne);
  s.kernel = integer(j, "kernel", path, &minusOne);
  s.dataset = integer(j, "dataset", path, &minusOne);
  s.result = integer(j, "result", path, &minusOne);
  s.split = str(j, "split", path, "");
  s.src = integer(j, "src", path, &minusOne);
  s.file = str(j, "file", path, "");
  if (j.contains("parts") && !j["parts"].is_null())
    for (const json &p : j["parts"]) {
      if (!p.is_number_integer())
        bad(path + ".parts", "expected slot numbers");
      s.parts.push_back(p.get<int64_t>());
    }
  if (j.contains("validation_split") && !j["validation_split"].is_null()) {
    s.validationSplit =
        number(j["validation_split"], path + ".validation_split");
    if (s.validationSplit < 0 || s.validationSplit >= 1)
      bad(path + ".validation_split", "must be in [0, 1)");
  }
  s.epochs = integer(j, "epochs", path, &one);
  s.batchSize = integer(j, "batch_size", path, &batch);
  if (s.epochs < 0)
    bad(path + ".epochs", "must not be negative");
  if (s.batchSize < 1)
    bad(path + ".batch_size", "must be at least 1");
  if (j.contains("columns"))
    for (const json &c : j["columns"]) {
      if (!c.is_string())
        bad(path + ".columns", "expected strings");
      s.columns.push_back(c.get<std::string>());
    }
  if (j.contains("values"))
    for (const json &v : j["values"])
      s.values.push_back(v);
  s.callbacks = list<CallbackSpec>(
      j, "callbacks", path, [](const json &c, const std::string &p) {
        CallbackSpec cb;
        cb.name = str(c, "name", p);
        if (!isCallback(cb.name))
          bad(p + ".name", "unknown callback '" + cb.name + "'");
        cb.args = numberMap(c, "args", p);
        cb.strArgs = stringMap(c, "str_args", p);
        return cb;
      });
  if (s.columns.size() != s.values.size())
    bad(path, "report has " + std::to_string(s.columns.size()) +
                  " columns but " + std::to_string(s.values.size()) +
                  " values");
  return s;
}

RunSpec parseRun(const json &j, const std::string &path) {
  RunSpec r;
  if (j.contains("params") && !j["params"].is_null())
    r.params = j["params"];
  const int64_t minusOne = -1;
  r.fold = integer(j, "fold", path, &minusOne);
  r.shared = j.value("shared", false);
  r.steps = list<StepSpec>(j, "steps", path, parseStep);
  r.seed = integer(j, "seed", path, &minusOne);
  r.repetition = integer(j, "repetition", path, &minusOne);
  if (r.seed < -1)
    bad(path + ".seed", "must not be negative");
  return r;
}

ExperimentSpec parseExperiment(const json &j, const std::string &path) {
  ExperimentSpec e;
  e.name = str(j, "name", path);
  if (j.contains("select"))
    e.select = j["select"];
  if (e.select.is_object()) {
    const int64_t zero = 0;
    if (integer(e.select, "folds", path + ".select", &zero) < 2)
      bad(path + ".select.folds", "needs at least 2 folds");
    str(e.select, "metric", path + ".select");
  }
  e.runs = list<RunSpec>(j, "runs", path, parseRun);
  return e;
}

void checkIndex(int64_t index, size_t size, const std::string &path,
                const char *what) {
  if (index < 0 || static_cast<size_t>(index) >= size)
    bad(path, std::string(what) + " index " + std::to_string(index) +
                  " out of range");
}

} // namespace

Plan parsePlan(const std::string &text) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error &e) {
    throw PlanError(std::string("plan: invalid JSON: ") + e.what());
  }
  Plan plan;
  const int64_t one = 1;
  plan.version = static_cast<int>(integer(j, "version", "plan", &one));
  if (plan.version != 1)
    bad("version", "unsupported plan version " + std::to_string(plan.version));
  plan.file = str(j, "file", "plan", "");
  plan.networks = list<NetworkSpec>(j, "networks", "plan", parseNetwork);
  plan.kernels = list<KernelSpec>(j, "kernels", "plan", parseKernel);
  plan.datasets = list<DatasetSpec>(j, "datasets", "plan", parseDataset);
  plan.experiments =
      list<ExperimentSpec>(j, "experiments", "plan", parseExperiment);

  for (size_t k = 0; k < plan.kernels.size(); ++k)
    checkIndex(plan.kernels[k].network, plan.networks.size(),
               "plan.kernels[" + std::to_string(k) + "]", "network");
  for (const ExperimentSpec &e : plan.experiments)
    for (size_t r = 0; r < e.runs.size(); ++r)
      for (size_t s = 0; s < e.runs[r].steps.size(); ++s) {
        const StepSpec &step = e.runs[r].steps[s];
        const std::string path = "experiment " + e.name + " run " +
                                 std::to_string(r) + " step " +
                                 std::to_string(s);
        if (step.op == StepOp::New || step.op == StepOp::Compose)
          checkIndex(step.network, plan.networks.size(), path, "network");
        if ((step.op == StepOp::Save || step.op == StepOp::Load) &&
            step.file.empty())
          bad(path, std::string("'") + stepOpName(step.op) + "' needs a file");
        if (step.op == StepOp::Train || step.op == StepOp::Evaluate) {
          checkIndex(step.kernel, plan.kernels.size(), path, "kernel");
          checkIndex(step.dataset, plan.datasets.size(), path, "dataset");
        }
      }
  return plan;
}

//===----------------------------------------------------------------------===//
// Writing (the compiler's side)
//===----------------------------------------------------------------------===//

namespace {

using ojson = nlohmann::ordered_json;

ojson initJson(const InitSpec &i) {
  return {{"name", i.name}, {"args", i.args}, {"str_args", i.strArgs}};
}

ojson paramJson(const ParamSpec &p) {
  return {{"name", p.name},          {"shape", p.shape},
          {"offset", p.offset},      {"trainable", p.trainable},
          {"fan_in", p.fanIn},       {"fan_out", p.fanOut},
          {"init", initJson(p.init)}};
}

ojson layerJson(const memory::LayerSize &l) {
  return {{"name", l.name},
          {"kind", l.kind},
          {"line", l.line},
          {"col", l.col},
          {"out_floats", l.outFloats},
          {"param_floats", l.paramFloats},
          {"trainable_floats", l.trainableFloats}};
}

template <typename T, typename F>
ojson arrayJson(const std::vector<T> &items, F toJson) {
  ojson a = ojson::array();
  for (const T &item : items)
    a.push_back(toJson(item));
  return a;
}

ojson networkJson(const NetworkSpec &n) {
  return {{"name", n.name},
          {"instance", n.instance},
          {"param_floats", n.paramFloats},
          {"trainable_params", n.trainableParams},
          {"input_shape", n.inputShape},
          {"output_shape", n.outputShape},
          {"params", arrayJson(n.params, paramJson)},
          {"layers", arrayJson(n.layers, layerJson)}};
}

ojson optimizerJson(const OptimizerSpec &o) {
  ojson j = {{"name", o.name}, {"args", o.args}};
  if (!o.schedule.empty())
    j["schedule"] = {{"name", o.schedule}, {"args", o.scheduleArgs}};
  return j;
}

ojson stateInitJson(const StateInit &s) {
  return {{"offset", s.offset}, {"size", s.size}, {"value", s.value}};
}

ojson kernelJson(const KernelSpec &k) {
  ojson j = {{"name", k.name},
             {"index", k.index},
             {"network", k.network},
             {"loss", k.loss},
             {"metric", k.metric},
             {"label_shape", k.labelShape},
             {"output_shape", k.outputShape},
             {"state_floats", k.stateFloats},
             {"train_ws_per_sample", k.trainWsPerSample},
             {"eval_ws_per_sample", k.evalWsPerSample},
             {"train_ws_fixed", k.trainWsFixed},
             {"eval_ws_fixed", k.evalWsFixed},
             {"state_init", arrayJson(k.stateInit, stateInitJson)},
             {"optimizer", optimizerJson(k.optimizer)}};
  if (k.metrics.size() > 1)
    j["metrics"] = k.metrics;
  if (k.hasTrainF64) {
    j["train_f64_ws_per_sample"] = k.trainF64WsPerSample;
    j["train_f64_ws_fixed"] = k.trainF64WsFixed;
  }
  return j;
}

ojson datasetJson(const DatasetSpec &d) {
  return {{"name", d.name},           {"kind", d.kind},
          {"path", d.path},           {"args", d.args},
          {"list_args", d.list_args}, {"str_args", d.str_args}};
}

/// `op` and `slot`, then every field that differs from its default (the
/// reader's value for an absent one).
ojson stepJson(const StepSpec &s) {
  const StepSpec d;
  ojson j = {{"op", stepOpName(s.op)}, {"slot", s.slot}};
  auto put = [&](const char *key, const auto &value, const auto &dflt) {
    if (value != dflt)
      j[key] = value;
  };
  put("network", s.network, d.network);
  put("src", s.src, d.src);
  put("kernel", s.kernel, d.kernel);
  put("dataset", s.dataset, d.dataset);
  put("split", s.split, d.split);
  put("epochs", s.epochs, d.epochs);
  put("batch_size", s.batchSize, d.batchSize);
  put("validation_split", s.validationSplit, d.validationSplit);
  put("result", s.result, d.result);
  put("columns", s.columns, d.columns);
  if (!s.values.empty())
    j["values"] = arrayJson(s.values, [](const nlohmann::json &v) {
      return ojson::parse(v.dump());
    });
  put("file", s.file, d.file);
  put("parts", s.parts, d.parts);
  if (!s.callbacks.empty())
    j["callbacks"] = arrayJson(s.callbacks, [](const CallbackSpec &c) {
      return ojson{{"name", c.name}, {"args", c.args}, {"str_args", c.strArgs}};
    });
  return j;
}

ojson runJson(const RunSpec &r) {
  ojson j = {{"params", ojson::parse(r.params.dump())},
             {"fold", r.fold},
             {"shared", r.shared},
             {"steps", arrayJson(r.steps, stepJson)}};
  if (r.seed >= 0)
    j["seed"] = r.seed;
  if (r.repetition >= 0)
    j["repetition"] = r.repetition;
  return j;
}

ojson experimentJson(const ExperimentSpec &e) {
  return {{"name", e.name},
          {"select", ojson::parse(e.select.dump())},
          {"runs", arrayJson(e.runs, runJson)}};
}

} // namespace

std::string writePlan(const Plan &plan) {
  ojson root = {{"version", plan.version},
                {"file", plan.file},
                {"networks", arrayJson(plan.networks, networkJson)},
                {"kernels", arrayJson(plan.kernels, kernelJson)},
                {"datasets", arrayJson(plan.datasets, datasetJson)},
                {"experiments", arrayJson(plan.experiments, experimentJson)}};
  return root.dump(1);
}

} // namespace netc
