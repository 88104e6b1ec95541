//===- Plan.h - The plan: what a program runs, shared schema ----*- C++ -*-===//
//
// The one schema of the plan that the compiler embeds in every program
// (`netc_plan_json`, docs/design.md) and the runtime executes: the compiler
// fills a Plan and writes it with writePlan, the runtime reads it back with
// parsePlan. Both live in runtime/lib/Plan.cpp, the library `netc_plan` that
// the compiler's driver and the runtime link, so the JSON has one writer and
// one reader next to each other. Reading checks the schema and reports a bad
// field with its path.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_PLAN_H
#define NETC_PLAN_H

#include "netc/MemoryEstimate.h"

#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

namespace netc {

struct PlanError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The number of elements of a tensor of this shape (1 for a scalar). Inline:
/// the front end (ParamSpec::size) uses it without linking the plan library.
inline int64_t elementCount(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// A Keras initializer: name plus its (already evaluated) keyword arguments,
/// e.g. {"random_normal", {{"mean",0},{"stddev",0.05}}}, {"constant",
/// {{"value", 0.1}}}, {"variance_scaling", {{"scale",2},{"mode",..}}}.
/// String-valued arguments (mode, distribution) go to `strArgs`.
struct InitSpec {
  std::string name = "glorot_uniform";
  std::map<std::string, double> args;
  std::map<std::string, std::string> strArgs;
};

/// One weight tensor of a network, at `offset` floats into the network's
/// flat parameter buffer. Kernels use Keras layouts: conv HWIO, dense
/// (in, out). `fanIn`/`fanOut` are Keras' fans for the shape.
struct ParamSpec {
  std::string name;
  std::vector<int64_t> shape;
  int64_t offset = 0;
  bool trainable = true;
  int64_t fanIn = 1, fanOut = 1;
  InitSpec init;
  int64_t size() const { return elementCount(shape); }
};

/// Lays `params` out one after the other in a flat buffer, in order: sets
/// each offset and returns the buffer's size in floats. The one place
/// parameter offsets are computed (the compiled code's views of the buffer
/// follow the same order).
template <typename Param> int64_t layOutParams(std::vector<Param> &params) {
  int64_t offset = 0;
  for (ParamSpec &p : params) {
    p.offset = offset;
    offset += p.size();
  }
  return offset;
}

struct NetworkSpec {
  std::string name, instance;
  int64_t paramFloats = 0, trainableParams = 0;
  std::vector<int64_t> inputShape, outputShape;
  std::vector<ParamSpec> params;
  /// Per layer: output and weight sizes, for the memory estimate (empty in
  /// plans that do not give them).
  std::vector<memory::LayerSize> layers;
};

/// `size` floats of the optimizer state from `offset` start at `value`.
struct StateInit {
  int64_t offset = 0, size = 0;
  double value = 0;
};

/// Whether the runtime has the learning-rate schedule `name`
/// (runtime/lib/Schedules.cpp).
bool isSchedule(const std::string &name);

struct OptimizerSpec {
  std::string name;
  std::map<std::string, double> args;
  /// Learning-rate schedule: exponential_decay, cosine_decay or step, with
  /// its arguments (initial_learning_rate, decay_steps, ...); empty for a
  /// constant rate.
  std::string schedule;
  std::map<std::string, double> scheduleArgs;
  /// learning_rate from args, else the optimizer's Keras default.
  double learningRate() const;
  /// The rate of the step taken after `iteration` earlier steps (0 for the
  /// first), as Keras evaluates a LearningRateSchedule at
  /// `optimizer.iterations` before incrementing it.
  double learningRateAt(int64_t iteration) const;
};

/// One compiled kernel (a network structure with its loss and optimizer):
/// the entry `netc_kernels[index]` of netc/Abi.h and its buffers' layout.
struct KernelSpec {
  std::string name;
  int64_t index = 0, network = 0;
  std::string loss, metric;
  /// Every metric's name, `metric` first (`metrics: [a, b, ...]`); the
  /// plan gives it with more than one. The compiled functions write the
  /// loss, then each metric's sum: metricFloats() floats.
  std::vector<std::string> metrics;
  int64_t metricFloats() const {
    return 1 + static_cast<int64_t>(metrics.empty() ? 1 : metrics.size());
  }
  std::vector<int64_t> labelShape, outputShape;
  int64_t stateFloats = 0, trainWsPerSample = 0, evalWsPerSample = 0;
  /// Batch-independent workspace (weight gradients) after the per-sample
  /// part: a function's workspace is WsPerSample * cap + WsFixed floats.
  int64_t trainWsFixed = 0, evalWsFixed = 0;
  int64_t trainWsFloats(int64_t cap) const {
    return trainWsPerSample * cap + trainWsFixed;
  }
  int64_t evalWsFloats(int64_t cap) const {
    return evalWsPerSample * cap + evalWsFixed;
  }
  /// The float64 train entry of --gradcheck-f64, when there is one, and its
  /// workspace in doubles.
  bool hasTrainF64 = false;
  int64_t trainF64WsPerSample = 0, trainF64WsFixed = 0;
  int64_t trainF64WsDoubles(int64_t cap) const {
    return trainF64WsPerSample * cap + trainF64WsFixed;
  }
  std::vector<StateInit> stateInit;
  OptimizerSpec optimizer;
};

/// A data set as the program declares it; loaders interpret the arguments
/// (runtime/include/netc/data/Dataset.h).
struct DatasetSpec {
  std::string name;
  std::string kind;
  std::string path;
  std::map<std::string, double> args;
  std::map<std::string, std::vector<double>> list_args;
  std::map<std::string, std::string> str_args;
};

/// A callback of a train step, with Keras' names and arguments (the front
/// end fills the defaults): early_stopping, reduce_lr_on_plateau, save_best.
/// `strArgs` holds monitor, mode and save_best's file. The runtime's
/// netc/Callbacks.h runs them.
struct CallbackSpec {
  std::string name;
  std::map<std::string, double> args;
  std::map<std::string, std::string> strArgs;
  bool operator==(const CallbackSpec &o) const {
    return name == o.name && args == o.args && strArgs == o.strArgs;
  }
};

/// Whether the runtime has the callback `name` (runtime/lib/Callbacks.cpp).
bool isCallback(const std::string &name);

/// What a step of a run does; in the plan's JSON, its name ("new", ...).
enum class StepOp {
  New,
  Copy,
  Train,
  Evaluate,
  Report,
  Save,
  Load,
  Freeze,
  Compose
};

/// The plan's name of `op`.
const char *stepOpName(StepOp op);
/// The op named `name`; false for a name no step has.
bool parseStepOp(const std::string &name, StepOp &op);

/// One step of a run; which fields matter depends on `op`.
struct StepSpec {
  StepOp op = StepOp::New;
  int64_t slot = -1, network = -1, kernel = -1, dataset = -1, result = -1;
  int64_t src = -1;           // copy: the slot copied
  std::vector<int64_t> parts; // compose: the part slots, in order
  std::string file;           // save / load
  std::string split;
  int64_t epochs = 1, batchSize = 32;
  double validationSplit = 0; // train: last fraction held out (0: none)
  std::vector<CallbackSpec> callbacks; // train: in the order written
  std::vector<std::string> columns;
  std::vector<nlohmann::json> values;
};

struct RunSpec {
  nlohmann::json params = nlohmann::json::object();
  int64_t fold = -1;
  /// A shared run (statements before an experiment's loop) reports nothing;
  /// its slots stay alive for the later runs.
  bool shared = false;
  std::vector<StepSpec> steps;
  /// The seed the file gives the run (`experiment e (seeds: ...)`), -1 for
  /// spec §2's default; the repetition over the experiment's seeds
  /// (0-based), -1 when it does not repeat. Written only when >= 0.
  int64_t seed = -1;
  int64_t repetition = -1;
};

struct ExperimentSpec {
  std::string name;
  nlohmann::json select; // null when absent
  std::vector<RunSpec> runs;
};

struct Plan {
  int version = 1;
  std::string file;
  std::vector<NetworkSpec> networks;
  std::vector<KernelSpec> kernels;
  std::vector<DatasetSpec> datasets;
  std::vector<ExperimentSpec> experiments;
};

/// Parses and checks the plan (indices in range, offsets inside buffers).
/// Throws PlanError.
Plan parsePlan(const std::string &text);

/// The JSON text of `plan`, as parsePlan reads it.
std::string writePlan(const Plan &plan);

} // namespace netc

#endif // NETC_PLAN_H
