//===- Runner.cpp - Executing an experiment's runs ------------------------===//

#include "netc/Runner.h"

#include "netc/AlignedBuffer.h"
#include "netc/Progress.h"
#include "netc/Random.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <optional>

using nlohmann::json;

namespace netc {

namespace {

int64_t product(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

struct Slot {
  int64_t network = -1;
  AlignedBuffer params;
};

struct EvalResult {
  double loss = 0, metric = 0;
};

const Split &splitOf(const Dataset &data, const DatasetSpec &spec,
                     const std::string &name) {
  if (name == "train")
    return data.train;
  if (name == "test")
    return data.test;
  throw RunError("data set '" + spec.name + "' has no split '" + name +
                 "' (train, test)");
}

// A split must fit the kernel's input and label shapes before any compiled
// code touches it: a mismatch would otherwise read out of bounds.
void checkFits(const Split &split, const DatasetSpec &spec,
               const NetworkSpec &net, const KernelSpec &kernel) {
  if (split.count == 0)
    throw DataError(spec.name, "the split is empty");
  if (split.sampleSize() != product(net.inputShape))
    throw DataError(spec.name,
                    "samples of shape " + shapeText(split.sampleShape) +
                        " do not fit the input " + shapeText(net.inputShape) +
                        " of " + net.name);
  if (split.labelSize() != product(kernel.labelShape))
    throw DataError(spec.name, "labels of shape " +
                                   shapeText(split.labelShape) +
                                   " do not fit the kernel's labels " +
                                   shapeText(kernel.labelShape));
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

} // namespace

uint64_t defaultSeed(const std::string &experiment, const json &params,
                     int64_t fold) {
  // nlohmann::json objects keep keys sorted, so dump() is canonical.
  const std::string text =
      experiment + '\0' + params.dump() + '\0' + std::to_string(fold);
  const uint64_t h = fnv1a64(text.data(), text.size());
  return (h ^ (h >> 32)) & 0xffffffffULL;
}

ExperimentRunner::ExperimentRunner(const Plan &plan,
                                   const netc_kernel_entry *kernels,
                                   int64_t numKernels, const Options &options,
                                   FILE *progress, bool interactive)
    : plan(plan), kernels(kernels), numKernels(numKernels), options(options),
      progress(progress), interactive(interactive) {}

const Dataset &ExperimentRunner::dataset(int64_t index) {
  auto it = datasets.find(index);
  if (it != datasets.end())
    return it->second;
  DatasetSpec spec = plan.datasets[index];
  if (options.limit)
    spec.args["limit"] = static_cast<double>(*options.limit);
  return datasets.emplace(index, loadDataset(spec, options.dataDir))
      .first->second;
}

const netc_kernel_entry &ExperimentRunner::entry(int64_t kernelIndex) const {
  const KernelSpec &spec = plan.kernels[kernelIndex];
  // The plan's index normally names the table row; fall back to the name so a
  // reordered table still works, and refuse a plan/table mismatch.
  if (spec.index >= 0 && spec.index < numKernels && kernels[spec.index].name &&
      spec.name == kernels[spec.index].name)
    return kernels[spec.index];
  for (int64_t i = 0; i < numKernels; ++i)
    if (kernels[i].name && spec.name == kernels[i].name)
      return kernels[i];
  throw RunError("kernel '" + spec.name +
                 "' of the plan is missing from the program's kernel table");
}

ExperimentRecord ExperimentRunner::run(const ExperimentSpec &experiment) {
  ExperimentRecord record;
  record.name = experiment.name;
  for (const RunSpec &run : experiment.runs)
    record.runs.push_back(runOne(experiment, run));
  return record;
}

RunRecord ExperimentRunner::runOne(const ExperimentSpec &experiment,
                                   const RunSpec &run) {
  const auto start = std::chrono::steady_clock::now();
  RunRecord record;
  record.params = run.params;
  record.fold = run.fold;
  record.seed = options.seed
                    ? *options.seed
                    : defaultSeed(experiment.name, run.params, run.fold);
  // One generator per run drives, in step order, initial weights, shuffles
  // and dropout seeds: the seed alone fixes the run.
  Rng rng(record.seed);
  std::map<int64_t, Slot> slots;
  std::map<int64_t, EvalResult> evals;
  std::optional<EvalResult> lastEval;

  auto slotFor = [&](const StepSpec &step, int64_t network) -> Slot & {
    auto it = slots.find(step.slot);
    if (it == slots.end())
      throw RunError("experiment " + experiment.name + ": slot " +
                     std::to_string(step.slot) + " used before 'new'");
    if (it->second.network != network)
      throw RunError("experiment " + experiment.name + ": slot " +
                     std::to_string(step.slot) + " holds network " +
                     plan.networks[it->second.network].name +
                     ", the kernel wants " + plan.networks[network].name);
    return it->second;
  };

  for (const StepSpec &step : run.steps) {
    if (step.op == "new") {
      const NetworkSpec &net = plan.networks[step.network];
      Slot slot{step.network, AlignedBuffer(net.paramFloats)};
      for (const ParamSpec &p : net.params)
        initialize(p.init, slot.params.get() + p.offset, p.shape, p.fanIn,
                   p.fanOut, rng);
      slots[step.slot] = std::move(slot);
    } else if (step.op == "train") {
      const KernelSpec &kernel = plan.kernels[step.kernel];
      const NetworkSpec &net = plan.networks[kernel.network];
      const netc_kernel_entry &fn = entry(step.kernel);
      if (!fn.train)
        throw RunError("kernel '" + kernel.name + "' has no train function");
      Slot &slot = slotFor(step, kernel.network);
      const DatasetSpec &dspec = plan.datasets[step.dataset];
      const Split &split = splitOf(dataset(step.dataset), dspec, step.split);
      checkFits(split, dspec, net, kernel);

      const int64_t epochs = options.epochs.value_or(step.epochs);
      const int64_t cap = options.batchSize.value_or(step.batchSize);
      const int64_t sampleSize = split.sampleSize();
      const int64_t labelSize = split.labelSize();
      AlignedBuffer state(kernel.stateFloats);
      for (const StateInit &init : kernel.stateInit)
        std::fill(state.get() + init.offset,
                  state.get() + init.offset + init.size,
                  static_cast<float>(init.value));
      AlignedBuffer ws(kernel.trainWsPerSample * cap);
      AlignedBuffer xb(sampleSize * cap), yb(labelSize * cap);
      AlignedBuffer hyper(3), metrics(2);
      const float learningRate =
          static_cast<float>(kernel.optimizer.learningRate());
      std::vector<int64_t> order(static_cast<size_t>(split.count));
      for (int64_t i = 0; i < split.count; ++i)
        order[i] = i;
      const int64_t steps = (split.count + cap - 1) / cap;
      int64_t iteration = 0;
      record.history.clear();
      record.metricName = kernel.metric;

      for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
        shuffle(order, rng);
        Progress bar(progress, interactive, epoch, epochs, steps,
                     kernel.metric);
        double lossSum = 0, metricSum = 0;
        int64_t seen = 0;
        for (int64_t s = 0; s < steps; ++s) {
          const int64_t begin = s * cap;
          const int64_t n = std::min(cap, split.count - begin);
          for (int64_t i = 0; i < n; ++i) {
            const int64_t src = order[begin + i];
            std::memcpy(xb.get() + i * sampleSize,
                        split.x.data() + src * sampleSize,
                        sizeof(float) * sampleSize);
            std::memcpy(yb.get() + i * labelSize,
                        split.y.data() + src * labelSize,
                        sizeof(float) * labelSize);
          }
          hyper[0] = learningRate;
          hyper[1] = static_cast<float>(++iteration);
          // 24 bits: exactly representable in the float the ABI passes.
          hyper[2] = static_cast<float>(rng.next() >> 40);
          netc_buf p = slot.params.descriptor(), st = state.descriptor(),
                   x = xb.descriptor(), y = yb.descriptor(),
                   w = ws.descriptor(), h = hyper.descriptor(),
                   m = metrics.descriptor();
          fn.train(&p, &st, &x, &y, n, &w, cap, &h, &m);
          lossSum += static_cast<double>(metrics[0]) * n;
          metricSum += metrics[1];
          seen += n;
          bar.update(s + 1, lossSum / seen, metricSum / seen);
        }
        const double loss = lossSum / split.count;
        const double metric = metricSum / split.count;
        bar.finish(loss, metric);
        record.history.push_back({epoch, loss, metric});
      }
    } else if (step.op == "evaluate") {
      const KernelSpec &kernel = plan.kernels[step.kernel];
      const NetworkSpec &net = plan.networks[kernel.network];
      const netc_kernel_entry &fn = entry(step.kernel);
      if (!fn.eval)
        throw RunError("kernel '" + kernel.name + "' has no eval function");
      Slot &slot = slotFor(step, kernel.network);
      const DatasetSpec &dspec = plan.datasets[step.dataset];
      const Split &split = splitOf(dataset(step.dataset), dspec, step.split);
      checkFits(split, dspec, net, kernel);

      const int64_t cap = options.batchSize.value_or(32);
      const int64_t sampleSize = split.sampleSize();
      const int64_t labelSize = split.labelSize();
      AlignedBuffer ws(kernel.evalWsPerSample * cap);
      AlignedBuffer xb(sampleSize * cap), yb(labelSize * cap);
      AlignedBuffer out(product(kernel.outputShape) * cap), metrics(2);
      double lossSum = 0, metricSum = 0;
      for (int64_t begin = 0; begin < split.count; begin += cap) {
        const int64_t n = std::min(cap, split.count - begin);
        std::memcpy(xb.get(), split.x.data() + begin * sampleSize,
                    sizeof(float) * sampleSize * n);
        std::memcpy(yb.get(), split.y.data() + begin * labelSize,
                    sizeof(float) * labelSize * n);
        netc_buf p = slot.params.descriptor(), x = xb.descriptor(),
                 y = yb.descriptor(), w = ws.descriptor(),
                 m = metrics.descriptor(), o = out.descriptor();
        fn.eval(&p, &x, &y, n, &w, cap, &m, &o);
        lossSum += static_cast<double>(metrics[0]) * n;
        metricSum += metrics[1];
      }
      EvalResult result{lossSum / split.count, metricSum / split.count};
      record.metricName = kernel.metric;
      if (step.result >= 0)
        evals[step.result] = result;
      lastEval = result;
    } else if (step.op == "report") {
      for (size_t i = 0; i < step.columns.size(); ++i) {
        const json &v = step.values[i];
        const std::string &column = step.columns[i];
        if (v.is_string() && v.get<std::string>().rfind("@eval:", 0) == 0) {
          const int64_t id = std::stoll(v.get<std::string>().substr(6));
          auto it = evals.find(id);
          if (it == evals.end())
            throw RunError("experiment " + experiment.name + ": report of '" +
                           column + "' refers to a missing evaluation");
          record.cells.emplace_back(column + "_loss", it->second.loss);
          record.cells.emplace_back(column + "_" + record.metricName,
                                    it->second.metric);
          if (!record.hasTest) { // the first reported evaluation is "test"
            record.hasTest = true;
            record.testLoss = it->second.loss;
            record.testMetric = it->second.metric;
          }
        } else {
          record.cells.emplace_back(column, v);
        }
      }
    } else {
      throw RunError("experiment " + experiment.name + ": step '" + step.op +
                     "' is not supported by this runtime yet");
    }
  }
  // Without a report, the last evaluation is still the run's test result.
  if (!record.hasTest && lastEval) {
    record.hasTest = true;
    record.testLoss = lastEval->loss;
    record.testMetric = lastEval->metric;
    record.cells.emplace_back("test_loss", lastEval->loss);
    record.cells.emplace_back("test_" + record.metricName, lastEval->metric);
  }
  record.seconds = seconds(start);
  return record;
}

} // namespace netc
