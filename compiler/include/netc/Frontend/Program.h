//===- Program.h - The checked, elaborated program --------------*- C++ -*-===//
//
// What the frontend hands to the rest of the compiler: every network
// instantiated with concrete arguments (layers in topological order, shapes
// inferred, parameters listed) and every experiment unrolled into runs of
// plan steps. Nothing here refers back to the parse tree; source locations are
// kept for diagnostics in later stages.
//
//===----------------------------------------------------------------------===//
#ifndef NETC_FRONTEND_PROGRAM_H
#define NETC_FRONTEND_PROGRAM_H

#include "netc/Plan.h"

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace netc {

struct SourceLoc {
  int line = 0; // 1-based
  int col = 0;  // 1-based
};

// InitSpec (a Keras initializer with its arguments) and ParamSpec (a weight
// tensor as the plan gives it) are the plan's, netc/Plan.h in
// runtime/include.

/// l1/l2/l1_l2 folded into two coefficients; none = both zero.
struct RegSpec {
  double l1 = 0, l2 = 0;
  bool any() const { return l1 != 0 || l2 != 0; }
  std::string str() const; // "none", "l2(0.0001)", "l1_l2(l1=..., l2=...)"
};

/// One layer instance. `kind` is the spec's layer name: input, conv2d, dense,
/// batchnorm, dropout, maxpool, avgpool, globalavgpool, flatten, zeropad, add,
/// concat, polyfeatures, relu, sigmoid, tanh, softmax, linear.
struct Layer {
  std::string kind;
  std::string name; // Keras-style unique name in its network: conv2d, conv2d_1
  SourceLoc loc;
  std::vector<int> inputs;       // indices into Network::layers (producers)
  std::vector<int64_t> outShape; // without the batch dimension
  // Attributes; meaning depends on kind.
  int64_t units = 0;                 // dense units, conv filters, poly degree
  int64_t kernel[2] = {1, 1};        // conv kernel / pool size
  int64_t strides[2] = {1, 1};       // conv / pool strides
  int64_t pads[4] = {0, 0, 0, 0};    // top, bottom, left, right (TF 'same')
  std::string padding = "valid";     // as written: same | valid
  std::string activation = "linear"; // fused activation of conv2d/dense
  bool useBias = true;
  double rate = 0;                        // dropout
  double momentum = 0.99, epsilon = 1e-3; // batchnorm
  int64_t axis = -1;                      // concat axis (of the full tensor)
  InitSpec kernelInit, biasInit;
  RegSpec kernelReg, biasReg, activityReg;
  std::vector<int> params; // indices into Network::params owned by the layer
};

/// One weight tensor: the plan's ParamSpec (name, shape, initializer,
/// trainable, fans; its offset is set when the plan is written) with what
/// only the compiler needs. Names follow `netc summary`: "<layer>/kernel",
/// "<layer>/bias", "<layer>/gamma", "<layer>/beta", "<layer>/moving_mean",
/// "<layer>/moving_variance".
struct Param : ParamSpec {
  RegSpec reg;
  int layer = -1; // index into Network::layers of the owner
};

/// A network instantiated with concrete arguments.
struct Network {
  std::string name;     // as declared, e.g. "LeNet"
  std::string instance; // name plus arguments, e.g. "PolyReg(degree=3)"
  SourceLoc loc;
  std::vector<Layer> layers; // topological order; layers[0] is the input
  std::vector<Param> params;
  int output = -1; // index of the output layer
  std::vector<int64_t> inputShape() const { return layers.front().outShape; }
  std::vector<int64_t> outputShape() const { return layers[output].outShape; }
  int64_t countParams(bool trainableOnly) const;
};

/// An optimizer or loss call with its evaluated arguments. An optimizer's
/// learning-rate schedule is `schedule` (empty for a constant rate) with its
/// arguments; args["learning_rate"] is then the schedule's initial value.
struct Call {
  std::string name;
  std::map<std::string, double> args;
  std::map<std::string, std::string> strArgs;
  std::string schedule;
  std::map<std::string, double> scheduleArgs;
  std::string str() const;
};

struct DatasetDecl {
  std::string name; // the `dataset NAME = ...` name
  std::string kind; // mnist, fashion_mnist, cifar10, stl10, image_folder, csv,
                    // polynomial
  std::string path; // as written (may be empty), relative to --data
  std::map<std::string, double> args; // scale, limit, validation_split,
                                      // samples, noise, seed, ...
  std::map<std::string, std::vector<double>> listArgs; // coefficients, ...
  std::map<std::string, std::string> strArgs;          // label column, ...
  SourceLoc loc;
};

struct TrainSpec {
  Call loss{"categorical_crossentropy", {}, {}};
  Call optimizer{"adam", {}, {}};
  int64_t epochs = 1;
  int64_t batchSize = 32;
  /// The run's metric: accuracy (the default of the cross-entropies),
  /// top_k(k), mse (mse's default) or mae (mae's); see metricName().
  Call metric{"", {}, {}};
  /// The metric's key in results: accuracy, top_5_accuracy, mse, mae.
  std::string metricName() const;
  /// `metrics: [a, b, ...]`: the metrics after the first (`metric`), each
  /// computed by the compiled steps beside it.
  std::vector<Call> moreMetrics;
  /// Every metric's key in results, metricName() first.
  std::vector<std::string> metricNames() const;
  double validationSplit = 0;
  /// `callbacks: [...]`: early_stopping, reduce_lr_on_plateau, save_best,
  /// in the order written, defaults filled (runtime/include/netc/Callbacks.h).
  std::vector<Call> callbacks;
};

/// One step of an unrolled experiment run. Networks live in numbered slots.
struct Step {
  // Compose: `A() -> b`; the result slot holds Program::networks[network],
  // whose params are the params of the `parts` slots concatenated in order
  // (each part's names prefixed), so the runtime fills it by copying.
  /// What the step does: the plan's own kinds (netc/Plan.h).
  using Kind = StepOp;
  Kind kind;
  SourceLoc loc;
  int slot = -1;    // the network slot acted on (result slot for New/Copy)
  int network = -1; // New: index into Program::networks
  int srcSlot = -1; // Copy: the slot copied
  // Train / Evaluate
  int dataset = -1;    // index into Program::datasets
  std::string split;   // train | test
  TrainSpec train;     // Train
  int evalResult = -1; // Evaluate: index of the value it produces
  std::vector<std::string> reportColumns; // Report: names of columns
  std::vector<std::string> reportValues;  // Report: literal values or
                                          // "@eval:N" for evaluation N
  std::string file;                       // Save / Load
  std::vector<int> parts;                 // Compose: source slots, in order
};

/// One run of an experiment: the loop values that made it and its steps.
struct Run {
  std::vector<std::pair<std::string, std::string>> params; // loop var, value
  std::vector<Step> steps;
  int fold = -1;
  /// Statements outside the innermost loop (e.g. training a base network
  /// before `for start in [...]`) form a shared run: it reports nothing of
  /// its own and its slots stay alive for the later runs of the experiment.
  /// Slots are numbered experiment-wide for that reason.
  bool shared = false;
  /// The seed the file gives the run (`experiment e (seeds: ...)`), -1 for
  /// the default rule; and which of the experiment's seeds it repeats with
  /// (0-based), -1 when the experiment is not repeated over seeds.
  int64_t seed = -1;
  int repetition = -1;
};

struct Experiment {
  std::string name;
  SourceLoc loc;
  std::vector<Run> runs;
  // K-fold selection (crossvalidate ... select); empty metric = none.
  std::string selectMetric, selectMode /*min|max*/,
      selectRule /*min|one_std_error*/;
  int folds = 0;
  int64_t foldSeed = 0;
  /// The crossvalidate loop's variable: the candidates' parameter. Runs
  /// with other loop values around it select once per those values.
  std::string selectVariable;
};

struct Program {
  std::string file;
  std::vector<std::unique_ptr<Network>> networks; // every distinct instance
  std::vector<DatasetDecl> datasets;
  std::vector<Experiment> experiments;
  /// Network name -> index of its instance with default arguments (only
  /// networks whose parameters all have defaults).
  std::map<std::string, int> defaultInstances;
  /// Declared network names in source order (for `netc summary FILE`).
  std::vector<std::string> networkNames;
  /// The network declared by name with default arguments, if any (for
  /// `netc summary FILE NETWORK`).
  const Network *findNetwork(const std::string &name) const;
};

} // namespace netc

#endif
