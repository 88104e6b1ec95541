//===- Memory.cpp - `netc check`'s memory estimate ------------------------===//
//
// Every train and evaluate step of the program, at its batch size, against
// the machine's memory or --memory-limit, with the model of
// runtime/include/netc/MemoryEstimate.h. Sizes are static here (networks,
// batch sizes); what only a run knows (--set batch_size, generated data) the
// program checks again at start-up (runtime/lib/Memory.cpp).
//
//===----------------------------------------------------------------------===//
#include "Memory.h"
#include "netc/Driver/Compile.h"
#include "netc/Frontend/Diagnostics.h"
#include "netc/Transforms/Optimizers.h"

#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

using namespace netc;
using memory::Bytes;
using memory::LayerSize;

std::vector<LayerSize> netc::layerSizes(const Network &net) {
  std::vector<LayerSize> sizes;
  for (const Layer &l : net.layers) {
    LayerSize s;
    s.name = l.name;
    s.kind = l.kind;
    s.line = l.loc.line;
    s.col = l.loc.col;
    s.outFloats = 1;
    for (int64_t d : l.outShape)
      s.outFloats = memory::mul(s.outFloats, d);
    for (int p : l.params) {
      int64_t n = 1;
      for (int64_t d : net.params[p].shape)
        n = memory::mul(n, d);
      s.paramFloats = memory::add(s.paramFloats, n);
      if (net.params[p].trainable)
        s.trainableFloats = memory::add(s.trainableFloats, n);
    }
    sizes.push_back(s);
  }
  return sizes;
}

namespace {

/// Reports a step that does not fit: at the largest layer when that layer
/// alone is over the limit, else at the network, with a note at the step.
void checkStep(const Network &net, const Step &step, int64_t slots,
               int64_t batch, const memory::Limit &limit, Diagnostics &diags) {
  const bool training = step.kind == StepOp::Train;
  std::vector<LayerSize> layers = layerSizes(net);
  Bytes total, worst;
  size_t worstLayer = 0;
  for (size_t i = 0; i < layers.size(); ++i) {
    Bytes b = memory::layerBytes(layers[i], training, slots, batch);
    total += b;
    if (b.total() > worst.total()) {
      worst = b;
      worstLayer = i;
    }
  }
  if (total.total() <= limit.bytes)
    return;
  const Layer &layer = net.layers[worstLayer];
  const std::string atBatch = " at batch " + std::to_string(batch);
  if (worst.total() > limit.bytes)
    diags.error(layer.loc, "layer '" + layer.name + "' of network '" +
                               net.instance + "' needs " +
                               memory::formatBytes(worst.total()) + atBatch +
                               " (" + memory::describe(worst) +
                               "); the limit is " + limit.text());
  else
    diags.error(net.loc, std::string(training ? "training" : "evaluating") +
                             " network '" + net.instance + "'" + atBatch +
                             " needs " + memory::formatBytes(total.total()) +
                             " (" + memory::describe(total) +
                             "); the limit is " + limit.text() +
                             "; its largest layer is '" + layer.name +
                             "' with " + memory::formatBytes(worst.total()));
  diags.note(step.loc,
             training
                 ? "trained here with batch_size " + std::to_string(batch)
                 : "evaluated here, in batches of " + std::to_string(batch));
}

} // namespace

bool netc::checkMemory(const Program &program, const memory::Limit &limit,
                       std::ostream &err) {
  std::ifstream in(program.file);
  std::stringstream source;
  source << in.rdbuf();
  Diagnostics diags(program.file, source.str(), err);
  KernelPlan plan = planKernels(program);
  // Each kernel, step kind and batch size once: a sweep repeats them.
  std::set<std::tuple<int, bool, int64_t>> seen;
  for (size_t e = 0; e < program.experiments.size(); ++e)
    for (size_t r = 0; r < program.experiments[e].runs.size(); ++r) {
      const std::vector<Step> &steps = program.experiments[e].runs[r].steps;
      for (size_t s = 0; s < steps.size(); ++s) {
        const Step &step = steps[s];
        const int k = plan.stepKernel[e][r][s];
        if (k < 0)
          continue;
        const bool training = step.kind == StepOp::Train;
        // Evaluations run in batches of 32 unless --set batch_size says
        // otherwise (runtime/lib/Runner.cpp).
        const int64_t batch = training ? step.train.batchSize : 32;
        if (!seen.insert({k, training, batch}).second)
          continue;
        const TrainSpec &t = plan.kernels[k].train;
        const int64_t slots =
            optimizerInfo(t.optimizer.name, t.optimizer.args).slotInit.size();
        checkStep(*plan.kernels[k].network, step, slots, batch, limit, diags);
      }
    }
  return !diags.hasErrors();
}
