//===- Memory.cpp - The memory estimate at a program's start-up -----------===//

#include "netc/Memory.h"
#include "netc/Device.h"
#include "netc/Mpi.h"

#include <map>
#include <set>
#include <tuple>

namespace netc::rt {

using memory::Bytes;

namespace {

/// Optimizer slots per trainable weight: the plan gives their total.
int64_t slotsOf(const NetworkSpec &net, const KernelSpec &kernel) {
  int64_t trainable = 0;
  for (const memory::LayerSize &l : net.layers)
    trainable = memory::add(trainable, l.trainableFloats);
  return trainable > 0 ? kernel.stateFloats / trainable : 0;
}

std::string where(const Plan &plan, const memory::LayerSize &l) {
  if (l.line <= 0)
    return "";
  return " (" + plan.file + ":" + std::to_string(l.line) + ":" +
         std::to_string(l.col) + ")";
}

std::string stepError(const Plan &plan, const KernelSpec &kernel, bool training,
                      int64_t cap, const memory::Limit &limit, int64_t data) {
  const NetworkSpec &net = plan.networks[kernel.network];
  std::vector<Bytes> perLayer;
  Bytes total = stepBytes(plan, kernel, training, cap, &perLayer);
  total.data = memory::add(total.data, data);
  if (total.total() <= limit.bytes)
    return "";
  size_t worst = 0;
  for (size_t i = 1; i < perLayer.size(); ++i)
    if (perLayer[i].total() > perLayer[worst].total())
      worst = i;
  const std::string atBatch = " at batch " + std::to_string(cap);
  const std::string network = "network '" + net.instance + "'";
  if (!perLayer.empty() && perLayer[worst].total() > limit.bytes) {
    const memory::LayerSize &l = net.layers[worst];
    return "layer '" + l.name + "'" + where(plan, l) + " of " + network +
           " needs " + memory::formatBytes(perLayer[worst].total()) + atBatch +
           " (" + memory::describe(perLayer[worst]) + "); the limit is " +
           limit.text();
  }
  std::string message =
      std::string(training ? "training " : "evaluating ") + network + atBatch +
      " needs " + memory::formatBytes(total.total()) + " (" +
      memory::describe(total) + "); the limit is " + limit.text();
  if (!perLayer.empty())
    message += "; its largest layer is '" + net.layers[worst].name + "'" +
               where(plan, net.layers[worst]) + " with " +
               memory::formatBytes(perLayer[worst].total());
  return message;
}

} // namespace

memory::Limit memoryLimit(const Options &options) {
  if (options.memoryLimit.empty()) {
    // Ranks on one host share its memory (each loads the data sets too).
    memory::Limit limit = memory::machineLimit();
    const int ranks = mpi::world().localSize;
    if (ranks > 1 && limit.bytes != memory::kMax) {
      limit.bytes /= ranks;
      limit.source = "this machine's memory shared by its " +
                     std::to_string(ranks) +
                     " ranks; --memory-limit SIZE sets another per rank";
    }
    return limit;
  }
  memory::Limit limit;
  limit.source = "--memory-limit " + options.memoryLimit;
  if (options.memoryLimit != "none" &&
      !memory::parseSize(options.memoryLimit, limit.bytes))
    throw MemoryError("--memory-limit: expected a size such as 8G or 512M, "
                      "got '" +
                      options.memoryLimit + "'");
  return limit;
}

bool deviceMemoryLimit(memory::Limit &limit) {
  const device::Backend *b = device::active();
  const int64_t bytes = b && b->totalMemory ? b->totalMemory() : 0;
  if (bytes <= 0)
    return false;
  limit.bytes = bytes;
  limit.source = "the memory of the " + std::string(b->name) + " device " +
                 b->deviceName();
  const int ranks = mpi::world().localSize;
  if (ranks > 1) { // every local rank uses the same device 0
    limit.bytes /= ranks;
    limit.source +=
        " shared by this host's " + std::to_string(ranks) + " ranks";
  }
  return true;
}

Bytes stepBytes(const Plan &plan, const KernelSpec &kernel, bool training,
                int64_t cap, std::vector<Bytes> *perLayer) {
  const NetworkSpec &net = plan.networks[kernel.network];
  const int64_t slots = slotsOf(net, kernel);
  Bytes total;
  for (const memory::LayerSize &l : net.layers) {
    Bytes b = memory::layerBytes(l, training, slots, cap);
    b.workspace = 0; // the compiled step's own figure follows
    total += b;
    if (perLayer)
      perLayer->push_back(b);
  }
  using memory::add;
  using memory::kFloatBytes;
  using memory::mul;
  if (net.layers.empty()) { // a plan without layer sizes
    total.params = mul(net.paramFloats, kFloatBytes);
    total.state = training ? mul(kernel.stateFloats, kFloatBytes) : 0;
    total.data =
        mul(mul(mul(elementCount(net.inputShape), cap), 2), kFloatBytes);
  }
  // The label batches (two prefetch buffers), an evaluation's outputs, the
  // compiled step's workspace (per sample times cap, weight gradients).
  total.data =
      add(total.data,
          mul(mul(mul(elementCount(kernel.labelShape), cap), 2), kFloatBytes));
  if (!training)
    total.activations =
        add(total.activations,
            mul(mul(elementCount(kernel.outputShape), cap), kFloatBytes));
  const int64_t perSample =
      training ? kernel.trainWsPerSample : kernel.evalWsPerSample;
  const int64_t fixed = training ? kernel.trainWsFixed : kernel.evalWsFixed;
  const int64_t ws = add(mul(perSample, cap), fixed);
  total.workspace = mul(ws, kFloatBytes);
  return total;
}

int64_t datasetBytes(const DatasetSpec &spec) {
  if (spec.kind != "polynomial")
    return 0;
  auto arg = [&](const char *key, double fallback) {
    auto it = spec.args.find(key);
    return it == spec.args.end() ? fallback : it->second;
  };
  // The generator makes every record before `limit` keeps the first ones.
  const double records = arg("samples", 100);
  if (!(records > 0))
    return 0;
  // Two splits of `records` records of x and y; beyond int64 saturates.
  const double bytes = 2 * records * 2 * memory::kFloatBytes;
  return bytes >= 9.2e18 ? memory::kMax : static_cast<int64_t>(bytes);
}

void checkMemory(const Plan &plan,
                 const std::vector<const ExperimentSpec *> &experiments,
                 const Options &options, const memory::Limit &limit) {
  if (limit.bytes >= memory::kMax)
    return;
  // Data sets stay loaded once loaded: they count against every step.
  std::map<int64_t, int64_t> data; // data set -> bytes
  for (const ExperimentSpec *e : experiments)
    for (const RunSpec &run : e->runs)
      for (const StepSpec &step : run.steps) {
        if (step.dataset < 0 || data.count(step.dataset))
          continue;
        const DatasetSpec &spec = plan.datasets[step.dataset];
        data[step.dataset] = datasetBytes(spec);
        if (data[step.dataset] > limit.bytes)
          throw MemoryError("not enough memory: data set '" + spec.name +
                            "' needs " +
                            memory::formatBytes(data[step.dataset]) +
                            "; the limit is " + limit.text());
      }
  int64_t dataBytes = 0;
  for (auto &[index, bytes] : data)
    dataBytes = memory::add(dataBytes, bytes);
  // Each kernel, step kind and batch size once: a sweep repeats them.
  std::set<std::tuple<int64_t, bool, int64_t>> seen;
  for (const ExperimentSpec *e : experiments)
    for (const RunSpec &run : e->runs)
      for (const StepSpec &step : run.steps) {
        const bool training = step.op == StepOp::Train;
        if ((!training && step.op != StepOp::Evaluate) || step.kernel < 0)
          continue;
        const int64_t cap =
            options.batchSize.value_or(training ? step.batchSize : 32);
        if (!seen.insert({step.kernel, training, cap}).second)
          continue;
        const std::string error = stepError(plan, plan.kernels[step.kernel],
                                            training, cap, limit, dataBytes);
        if (!error.empty())
          throw MemoryError("not enough memory: " + error);
      }
}

} // namespace netc::rt
