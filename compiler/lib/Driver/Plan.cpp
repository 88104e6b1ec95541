//===- Plan.cpp - The plan embedded in every program ----------------------===//
//
// Fills the plan of runtime/include/netc/Plan.h from the checked program
// (networks with their parameters and initializers, kernels, data sets,
// unrolled experiments) and what compilation decided about each kernel's
// buffers; writePlan, next to the runtime's reader, turns it into JSON.
//
//===----------------------------------------------------------------------===//
#include "Plan.h"
#include "Memory.h"
#include "netc/Transforms/MLIRGen.h"

using namespace netc;

namespace {

NetworkSpec networkSpec(const Network &net) {
  NetworkSpec n;
  n.name = net.name;
  n.instance = net.instance;
  n.params.assign(net.params.begin(), net.params.end());
  n.paramFloats = layOutParams(n.params);
  n.trainableParams = net.countParams(true);
  n.inputShape = net.inputShape();
  n.outputShape = net.outputShape();
  // Per layer, for the memory estimate at start-up (runtime/lib/Memory.cpp).
  n.layers = layerSizes(net);
  return n;
}

OptimizerSpec optimizerSpec(const Call &c) {
  OptimizerSpec o;
  o.name = c.name;
  o.args = c.args;
  o.schedule = c.schedule;
  o.scheduleArgs = c.scheduleArgs;
  return o;
}

/// `layout` carries what compilation recorded; the rest comes from the
/// program.
KernelSpec kernelSpec(const KernelPlan &kernels, size_t i, KernelSpec layout) {
  const KernelUnit &unit = kernels.kernels[i];
  KernelSpec k = std::move(layout);
  k.name = unit.name;
  k.index = i;
  k.network = kernels.networkOf[i];
  k.loss = unit.train.loss.name;
  k.metric = unit.train.metricName();
  k.metrics = unit.train.metricNames();
  k.outputShape = unit.network->outputShape();
  k.labelShape = labelShape(k.loss, k.outputShape);
  k.optimizer = optimizerSpec(unit.train.optimizer);
  return k;
}

DatasetSpec datasetSpec(const DatasetDecl &d) {
  DatasetSpec s;
  s.name = d.name;
  s.kind = d.kind;
  s.path = d.path;
  s.args = d.args;
  s.list_args = d.listArgs;
  s.str_args = d.strArgs;
  return s;
}

StepSpec stepSpec(const Step &s, int kernel) {
  StepSpec j;
  j.op = s.kind;
  j.slot = s.slot;
  if (s.kind == StepOp::New || s.kind == StepOp::Save ||
      s.kind == StepOp::Load || s.kind == StepOp::Compose)
    j.network = s.network;
  if (s.kind == StepOp::Copy)
    j.src = s.srcSlot;
  if (s.kind == StepOp::Train || s.kind == StepOp::Evaluate) {
    j.kernel = kernel;
    j.dataset = s.dataset;
    j.split = s.split;
  }
  if (s.kind == StepOp::Train) {
    j.epochs = s.train.epochs;
    j.batchSize = s.train.batchSize;
    j.validationSplit = s.train.validationSplit;
    for (const Call &c : s.train.callbacks)
      j.callbacks.push_back({c.name, c.args, c.strArgs});
  }
  if (s.kind == StepOp::Evaluate)
    j.result = s.evalResult;
  if (s.kind == StepOp::Report) {
    j.columns = s.reportColumns;
    j.values.assign(s.reportValues.begin(), s.reportValues.end());
  }
  j.file = s.file;
  j.parts.assign(s.parts.begin(), s.parts.end());
  return j;
}

ExperimentSpec experimentSpec(const Experiment &exp,
                              const std::vector<std::vector<int>> &kernelOf) {
  ExperimentSpec e;
  e.name = exp.name;
  if (!exp.selectMetric.empty())
    e.select = {{"metric", exp.selectMetric}, {"mode", exp.selectMode},
                {"rule", exp.selectRule},     {"folds", exp.folds},
                {"seed", exp.foldSeed},       {"variable", exp.selectVariable}};
  for (size_t r = 0; r < exp.runs.size(); ++r) {
    const Run &run = exp.runs[r];
    RunSpec &out = e.runs.emplace_back();
    for (auto &[k, v] : run.params)
      out.params[k] = v;
    out.fold = run.fold;
    out.shared = run.shared;
    out.seed = run.seed;
    out.repetition = run.repetition;
    for (size_t s = 0; s < run.steps.size(); ++s)
      out.steps.push_back(stepSpec(run.steps[s], kernelOf[r][s]));
  }
  return e;
}

} // namespace

Plan netc::buildPlan(const Program &program, const KernelPlan &kernels,
                     const std::vector<KernelLayout> &layouts) {
  Plan plan;
  plan.file = program.file;
  for (const auto &net : program.networks)
    plan.networks.push_back(networkSpec(*net));
  for (size_t i = 0; i < kernels.kernels.size(); ++i)
    plan.kernels.push_back(kernelSpec(kernels, i, layouts[i].spec));
  for (const DatasetDecl &d : program.datasets)
    plan.datasets.push_back(datasetSpec(d));
  for (size_t e = 0; e < program.experiments.size(); ++e)
    plan.experiments.push_back(
        experimentSpec(program.experiments[e], kernels.stepKernel[e]));
  return plan;
}
