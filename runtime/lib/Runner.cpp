//===- Runner.cpp - Executing an experiment's runs ------------------------===//

#include "netc/Runner.h"

#include "RunnerDetail.h"

#include "netc/LeastSquares.h"

#include "netc/AlignedBuffer.h"
#include "netc/CrossValidation.h"
#include "netc/Progress.h"
#include "netc/Random.h"
#include "netc/Resume.h"
#include "netc/Safetensors.h"
#include "netc/data/Prefetcher.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <optional>

using nlohmann::json;

namespace netc {

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

using Slot = ExperimentRunner::Slot;

struct EvalResult {
  double loss = 0, metric = 0;
};

Slot copySlot(const Slot &src) {
  Slot copy;
  copy.network = src.network;
  copy.params = AlignedBuffer(src.params.size());
  std::memcpy(copy.params.get(), src.params.get(),
              sizeof(float) * static_cast<size_t>(src.params.size()));
  copy.frozen = src.frozen;
  copy.parts = src.parts;
  return copy;
}

// A file name for a run's weights: its loop values (and fold), with
// anything but [A-Za-z0-9._,=+-] replaced so it is safe in a path.
std::string runFileName(const RunSpec &run, size_t index) {
  std::string name;
  for (auto &[key, value] : run.params.items())
    name += (name.empty() ? "" : ",") + key + "=" +
            (value.is_string() ? value.get<std::string>() : value.dump());
  if (run.fold >= 0)
    name += (name.empty() ? "" : ",") + std::string("fold=") +
            std::to_string(run.fold);
  if (run.shared)
    name = "shared" + std::to_string(index) + (name.empty() ? "" : "," + name);
  if (name.empty())
    name = "run" + std::to_string(index);
  for (char &c : name)
    if (!std::isalnum(static_cast<unsigned char>(c)) &&
        std::string("._,=+-").find(c) == std::string::npos)
      c = '_';
  return name;
}

double seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since)
      .count();
}

// The eval function over `indices` of `split`, in batches of `cap`.
EvalResult evaluate(const KernelSpec &kernel, const netc_kernel_entry &fn,
                    const Slot &slot, const Split &split,
                    const std::vector<int64_t> &indices, int64_t cap) {
  AlignedBuffer ws(kernel.evalWsFloats(cap));
  AlignedBuffer out(elementCount(kernel.outputShape) * cap), metrics(2);
  double lossSum = 0, metricSum = 0;
  Prefetcher batches(split, indices, cap);
  for (Prefetcher::Batch b = batches.next(); b.n > 0; b = batches.next()) {
    netc_buf p = slot.params.descriptor(), x = b.x->descriptor(),
             y = b.y->descriptor(), w = ws.descriptor(),
             m = metrics.descriptor(), o = out.descriptor();
    fn.eval(&p, &x, &y, b.n, &w, cap, &m, &o);
    lossSum += static_cast<double>(metrics[0]) * b.n;
    metricSum += metrics[1];
  }
  const double n = static_cast<double>(indices.size());
  return {lossSum / n, metricSum / n};
}

} // namespace

namespace detail {

const Split &splitOf(const Dataset &data, const DatasetSpec &spec,
                     const std::string &name) {
  if (name == "train")
    return data.train;
  if (name == "test")
    return data.test;
  throw RunError("data set '" + spec.name + "' has no split '" + name +
                 "' (train, test)");
}

void checkFits(const Split &split, const std::string &splitName,
               const DatasetSpec &spec, const NetworkSpec &net,
               const KernelSpec &kernel) {
  if (split.count == 0)
    throw DataError(spec.name, "the " + splitName + " split is empty" +
                                   (split.emptyBecause.empty()
                                        ? std::string()
                                        : ": " + split.emptyBecause));
  if (split.sampleSize() != elementCount(net.inputShape))
    throw DataError(spec.name,
                    "samples of shape " + shapeText(split.sampleShape) +
                        " do not fit the input " + shapeText(net.inputShape) +
                        " of " + net.name);
  if (split.labelSize() != elementCount(kernel.labelShape))
    throw DataError(spec.name, "labels of shape " +
                                   shapeText(split.labelShape) +
                                   " do not fit the kernel's labels " +
                                   shapeText(kernel.labelShape));
}

void holdOut(const ExperimentSpec &experiment, const RunSpec &run,
             const StepSpec &step, const DatasetSpec &spec, const Split &split,
             std::vector<int64_t> &train, std::vector<int64_t> &validation) {
  train.clear();
  validation.clear();
  if (run.fold >= 0 && experiment.select.is_object()) {
    const int64_t folds = experiment.select.value("folds", int64_t(5));
    const uint64_t seed = experiment.select.value("seed", uint64_t(0));
    if (folds > split.count)
      throw DataError(spec.name, "cannot cut " + std::to_string(split.count) +
                                     " records into " + std::to_string(folds) +
                                     " folds (experiment " + experiment.name +
                                     ")");
    foldSplit(split.count, folds, seed, run.fold, train, validation);
    return;
  }
  double fraction = step.validationSplit;
  auto it = spec.args.find("validation_split");
  if (fraction <= 0 && it != spec.args.end())
    fraction = it->second;
  const int64_t keep =
      fraction > 0 ? static_cast<int64_t>(split.count * (1.0 - fraction))
                   : split.count;
  if (keep < 1)
    throw DataError(spec.name, "validation_split leaves no training records "
                               "of " +
                                   std::to_string(split.count));
  for (int64_t i = 0; i < split.count; ++i)
    (i < keep ? train : validation).push_back(i);
}

std::string savePath(const std::string &file, const std::string &outDir) {
  if (file.front() == '/' || outDir.empty())
    return file;
  return outDir + "/" + file;
}

std::vector<std::string> loadCandidates(const std::string &file,
                                        const std::string &outDir,
                                        const std::string &dataDir) {
  if (file.front() == '/')
    return {file};
  std::vector<std::string> out;
  for (const std::string &dir : {outDir, dataDir})
    if (!dir.empty())
      out.push_back(dir + "/" + file);
  out.push_back(file);
  return out;
}

std::string loadPath(const std::string &file, const std::string &outDir,
                     const std::string &dataDir) {
  for (const std::string &path : loadCandidates(file, outDir, dataDir))
    if (isFile(path))
      return path;
  return savePath(file, outDir);
}

bool isFile(const std::string &path) {
  std::error_code ec;
  return std::filesystem::is_regular_file(path, ec);
}

} // namespace detail

using namespace detail;

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

const Split &ExperimentRunner::fittingSplit(const StepSpec &step) {
  const KernelSpec &kernel = plan.kernels[step.kernel];
  const NetworkSpec &net = plan.networks[kernel.network];
  const DatasetSpec &spec = plan.datasets[step.dataset];
  const Dataset &data = dataset(step.dataset);
  const Split &split = splitOf(data, spec, step.split);
  checkFits(split, step.split, spec, net, kernel);
  // Labels are scanned once per split and kernel, not at every step.
  if (labelsChecked.insert({step.dataset, step.split, step.kernel}).second) {
    try {
      checkLabels(data, split, spec, net, kernel);
    } catch (...) {
      labelsChecked.erase({step.dataset, step.split, step.kernel});
      throw;
    }
  }
  return split;
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

// Everything one run's steps share.
struct ExperimentRunner::RunState {
  const ExperimentSpec &experiment;
  const RunSpec &run;
  RunRecord record;
  Rng rng;
  std::map<int64_t, Slot> slots;
  std::map<int64_t, EvalResult> evals;
  std::optional<EvalResult> lastEval;
  /// Trained slots in order of their last training, for --save-weights.
  std::vector<int64_t> trained;
  std::map<int64_t, Slot> &shared;
  const Plan &plan;

  RunState(const ExperimentSpec &experiment, const RunSpec &run, uint64_t seed,
           std::map<int64_t, Slot> &shared, const Plan &plan)
      : experiment(experiment), run(run), rng(seed), shared(shared),
        plan(plan) {}

  [[noreturn]] void fail(const std::string &message) const {
    throw RunError("experiment " + experiment.name + ": " + message);
  }

  /// The slot for reading, the run's own or a shared one.
  const Slot &read(int64_t id) {
    auto it = slots.find(id);
    if (it != slots.end())
      return it->second;
    auto sh = shared.find(id);
    if (sh != shared.end())
      return sh->second;
    fail("slot " + std::to_string(id) + " used before it holds a network");
  }
  /// The slot for writing: a shared slot is first copied into the run.
  Slot &write(int64_t id) {
    auto it = slots.find(id);
    if (it != slots.end())
      return it->second;
    auto sh = shared.find(id);
    if (sh == shared.end())
      fail("slot " + std::to_string(id) + " used before it holds a network");
    return slots.emplace(id, copySlot(sh->second)).first->second;
  }
  /// A kernel is shared by every network of its structure (an initializer
  /// sweep compiles once), so the slot's network must have the kernel
  /// network's weight layout, not be the same instance.
  void expectNetwork(int64_t id, const Slot &slot, int64_t network) const {
    if (network < 0 || slot.network == network)
      return;
    const NetworkSpec &have = plan.networks[slot.network];
    const NetworkSpec &want = plan.networks[network];
    bool same = have.paramFloats == want.paramFloats &&
                have.params.size() == want.params.size();
    for (size_t i = 0; same && i < have.params.size(); ++i)
      same = have.params[i].shape == want.params[i].shape &&
             have.params[i].offset == want.params[i].offset;
    if (!same)
      fail("slot " + std::to_string(id) + " holds network " + have.instance +
           ", whose weights do not fit the step's " + want.instance);
  }
};

ExperimentRecord ExperimentRunner::run(const ExperimentSpec &experiment,
                                       const std::string &outDir,
                                       const std::string &weightsDir) {
  ExperimentRecord record;
  record.name = experiment.name;
  sharedSlots.clear();
  std::vector<RunRecord> finished;
  if (options.resume && !outDir.empty())
    finished = readFinishedRuns(outDir + "/results.json", experiment.name);
  std::vector<int64_t> trainable;
  // Shared runs only matter to the runs after them: on --resume they run
  // (again: same seed, same weights) just before the first run that must.
  std::vector<size_t> pendingShared;
  for (size_t i = 0; i < experiment.runs.size(); ++i) {
    const RunSpec &run = experiment.runs[i];
    if (run.shared) {
      pendingShared.push_back(i);
      continue;
    }
    const uint64_t seed =
        options.seed ? *options.seed
                     : defaultSeed(experiment.name, run.params, run.fold);
    auto done =
        std::find_if(finished.begin(), finished.end(), [&](const RunRecord &r) {
          return sameRun(r, run.params, run.fold, seed);
        });
    if (done != finished.end()) {
      RunRecord reused = *done;
      reused.params = run.params;
      record.runs.push_back(std::move(reused));
      std::fprintf(progress, "Run %s: finished earlier, skipped (--resume)\n",
                   runLabel(record.runs.back()).c_str());
    } else {
      for (size_t s : pendingShared)
        runOne(experiment, experiment.runs[s], s, outDir, weightsDir);
      pendingShared.clear();
      record.runs.push_back(runOne(experiment, run, i, outDir, weightsDir));
    }
    trainable.push_back(trainableParamsOf(run));
    if (!outDir.empty())
      writeResults(record, outDir);
  }
  for (size_t s : pendingShared) // shared runs with no run after them
    runOne(experiment, experiment.runs[s], s, outDir, weightsDir);
  if (experiment.select.is_object()) {
    try {
      record.selection =
          selectionJson(selectModel(experiment.select, record.runs, trainable));
    } catch (const std::runtime_error &e) {
      throw RunError("experiment " + experiment.name + ": " + e.what());
    }
  }
  if (!outDir.empty())
    writeResults(record, outDir);
  sharedSlots.clear();
  return record;
}

int64_t ExperimentRunner::trainableParamsOf(const RunSpec &run) const {
  // The network the run trains last is the candidate being compared.
  int64_t params = 0;
  for (const StepSpec &step : run.steps) {
    if (step.op == "train")
      params = plan.networks[plan.kernels[step.kernel].network].trainableParams;
    else if (step.op == "new" && params == 0)
      params = plan.networks[step.network].trainableParams;
  }
  return params;
}

void ExperimentRunner::train(RunState &st, const StepSpec &step) {
  const KernelSpec &kernel = plan.kernels[step.kernel];
  const netc_kernel_entry &fn = entry(step.kernel);
  if (!fn.train)
    throw RunError("kernel '" + kernel.name + "' has no train function");
  Slot &slot = st.write(step.slot);
  st.expectNetwork(step.slot, slot, kernel.network);
  const Split &split = fittingSplit(step);

  // Which records train and which validate: a cross-validation fold, else
  // the last `validation_split` of the split, as Keras'
  // fit(validation_split=...).
  std::vector<int64_t> trainIdx, valIdx;
  holdOut(st.experiment, st.run, step, plan.datasets[step.dataset], split,
          trainIdx, valIdx);

  const int64_t epochs = options.epochs.value_or(step.epochs);
  const int64_t cap = options.batchSize.value_or(step.batchSize);
  AlignedBuffer state(kernel.stateFloats);
  for (const StateInit &init : kernel.stateInit)
    std::fill(state.get() + init.offset, state.get() + init.offset + init.size,
              static_cast<float>(init.value));
  AlignedBuffer ws(kernel.trainWsFloats(cap));
  AlignedBuffer hyper(3), metrics(2);
  // Frozen weights are restored after every step rather than masked in the
  // update: the compiled step needs no variant per freeze pattern, and the
  // weights stay bit-identical whatever the optimizer does (weight decay,
  // batchnorm moving averages included).
  std::vector<float> frozenValues;
  for (auto [offset, size] : slot.frozen)
    frozenValues.insert(frozenValues.end(), slot.params.get() + offset,
                        slot.params.get() + offset + size);
  const int64_t count = static_cast<int64_t>(trainIdx.size());
  std::vector<int64_t> order = trainIdx;
  const int64_t steps = (count + cap - 1) / cap;
  int64_t iteration = 0;
  RunRecord &record = st.record;
  record.history.clear();
  record.metricName = kernel.metric;

  // Validation (when there is any), the epoch's progress line, the history;
  // false when the validation loss is not finite (the run diverged).
  auto endEpoch = [&](EpochRecord &e, Progress &bar) {
    if (!valIdx.empty()) {
      const EvalResult v = evaluate(kernel, fn, slot, split, valIdx, cap);
      e.hasVal = true;
      e.valLoss = v.loss;
      e.valMetric = v.metric;
      bar.finish(e.loss, e.metric, e.valLoss, e.valMetric);
    } else {
      bar.finish(e.loss, e.metric);
    }
    record.history.push_back(e);
    return !e.hasVal || std::isfinite(e.valLoss);
  };
  if (kernel.optimizer.name == "least_squares") {
    // Closed form: one "epoch" that lands on the optimum (see
    // LeastSquares.h); its history entry is measured like any epoch's.
    if (!slot.frozen.empty())
      throw RunError("least_squares cannot train a network with frozen "
                     "weights");
    Progress bar(progress, interactive, 1, 1, 1, kernel.metric);
    fitLeastSquares(kernel, fn, slot.params, split, trainIdx, cap);
    const EvalResult t = evaluate(kernel, fn, slot, split, trainIdx, cap);
    bar.update(1, t.loss, t.metric);
    EpochRecord e{1, t.loss, t.metric};
    if (!std::isfinite(t.loss)) {
      bar.finish(e.loss, e.metric);
      record.history.push_back(e);
      return diverge(st, 1, 1, "loss");
    }
    if (!endEpoch(e, bar))
      return diverge(st, 1, 1, "validation loss");
  } else {
    for (int64_t epoch = 1; epoch <= epochs; ++epoch) {
      shuffle(order, st.rng);
      Progress bar(progress, interactive, epoch, epochs, steps, kernel.metric);
      double lossSum = 0, metricSum = 0;
      int64_t seen = 0;
      Prefetcher batches(split, order, cap);
      for (int64_t s = 0; s < steps; ++s) {
        const Prefetcher::Batch batch = batches.next();
        const int64_t n = batch.n;
        hyper[0] =
            static_cast<float>(kernel.optimizer.learningRateAt(iteration));
        hyper[1] = static_cast<float>(++iteration);
        // 24 bits: exactly representable in the float the ABI passes.
        hyper[2] = static_cast<float>(st.rng.next() >> 40);
        netc_buf p = slot.params.descriptor(), sd = state.descriptor(),
                 x = batch.x->descriptor(), y = batch.y->descriptor(),
                 w = ws.descriptor(), h = hyper.descriptor(),
                 m = metrics.descriptor();
        fn.train(&p, &sd, &x, &y, n, &w, cap, &h, &m);
        size_t at = 0;
        for (auto [offset, size] : slot.frozen) {
          std::memcpy(slot.params.get() + offset, frozenValues.data() + at,
                      sizeof(float) * static_cast<size_t>(size));
          at += static_cast<size_t>(size);
        }
        lossSum += static_cast<double>(metrics[0]) * n;
        metricSum += metrics[1];
        seen += n;
        bar.update(s + 1, lossSum / seen, metricSum / seen);
        // One scalar test per step: a NaN or Inf loss ends the run, which
        // could only spread it into every weight.
        if (!std::isfinite(metrics[0])) {
          bar.finish(lossSum / seen, metricSum / seen);
          record.history.push_back({epoch, lossSum / seen, metricSum / seen});
          return diverge(st, epoch, s + 1, "loss");
        }
      }
      EpochRecord e{epoch, lossSum / count, metricSum / count};
      if (!kernel.optimizer.schedule.empty()) {
        e.hasLearningRate = true;
        e.learningRate = kernel.optimizer.learningRateAt(iteration - 1);
      }
      if (!endEpoch(e, bar))
        return diverge(st, epoch, steps, "validation loss");
    }
  }
  // A composed network shares its parts' weights: hand them back.
  for (auto [partSlot, offset] : slot.parts) {
    Slot &part = st.write(partSlot);
    std::memcpy(part.params.get(), slot.params.get() + offset,
                sizeof(float) * static_cast<size_t>(part.params.size()));
  }
  st.trained.erase(std::remove(st.trained.begin(), st.trained.end(), step.slot),
                   st.trained.end());
  st.trained.push_back(step.slot);
}

void ExperimentRunner::diverge(RunState &st, int64_t epoch, int64_t step,
                               const char *what) {
  RunRecord &record = st.record;
  record.status = "diverged";
  record.divergedEpoch = epoch;
  record.divergedStep = step;
  const EpochRecord &e = record.history.back();
  const double value = std::isfinite(e.loss) ? e.valLoss : e.loss;
  const std::string where =
      std::string(std::isfinite(e.loss) ? "after" : "at") + " epoch " +
      std::to_string(epoch) + ", step " + std::to_string(step);
  std::fprintf(stderr,
               "warning: experiment %s, run %s: the %s became %s %s; the run "
               "stops here, marked \"diverged\"\n",
               st.experiment.name.c_str(),
               st.run.shared ? "(shared)" : runLabel(record).c_str(), what,
               std::isnan(value) ? "NaN" : "Inf", where.c_str());
}

RunRecord ExperimentRunner::runOne(const ExperimentSpec &experiment,
                                   const RunSpec &run, size_t index,
                                   const std::string &outDir,
                                   const std::string &weightsDir) {
  const auto start = std::chrono::steady_clock::now();
  const uint64_t seed =
      options.seed ? *options.seed
                   : defaultSeed(experiment.name, run.params, run.fold);
  // One generator per run drives, in step order, initial weights, shuffles
  // and dropout seeds: the seed alone fixes the run.
  RunState st(experiment, run, seed, sharedSlots, plan);
  RunRecord &record = st.record;
  record.params = run.params;
  record.fold = run.fold;
  record.seed = seed;

  for (const StepSpec &step : run.steps) {
    // A diverged run stops; its report still names its loop values.
    if (record.diverged() && step.op != "report")
      continue;
    if (step.op == "new") {
      const NetworkSpec &net = plan.networks[step.network];
      Slot slot;
      slot.network = step.network;
      slot.params = AlignedBuffer(net.paramFloats);
      for (const ParamSpec &p : net.params)
        initialize(p.init, slot.params.get() + p.offset, p.shape, p.fanIn,
                   p.fanOut, st.rng);
      st.slots[step.slot] = std::move(slot);
    } else if (step.op == "copy") {
      // A copy starts unfrozen and independent: Keras' clone + set_weights.
      Slot copy = copySlot(st.read(step.src));
      copy.frozen.clear();
      copy.parts.clear();
      st.slots[step.slot] = std::move(copy);
    } else if (step.op == "compose") {
      const NetworkSpec &net = plan.networks[step.network];
      Slot slot;
      slot.network = step.network;
      slot.params = AlignedBuffer(net.paramFloats);
      // The composed params are the parts' params concatenated in order;
      // check that param by param before copying.
      int64_t offset = 0;
      size_t param = 0;
      for (int64_t part : step.parts) {
        const Slot &src = st.read(part);
        const NetworkSpec &pnet = plan.networks[src.network];
        for (const ParamSpec &p : pnet.params) {
          if (param >= net.params.size() ||
              net.params[param].shape != p.shape ||
              net.params[param].offset != offset + p.offset)
            st.fail("compose: network " + net.name +
                    " is not its parts' concatenation at parameter '" + p.name +
                    "' of " + pnet.name);
          ++param;
        }
        std::memcpy(slot.params.get() + offset, src.params.get(),
                    sizeof(float) * static_cast<size_t>(src.params.size()));
        for (auto [o, size] : src.frozen)
          slot.frozen.push_back({offset + o, size});
        slot.parts.push_back({part, offset});
        offset += src.params.size();
      }
      if (offset != net.paramFloats || param != net.params.size())
        st.fail("compose: the parts hold " + std::to_string(offset) +
                " floats, network " + net.name + " has " +
                std::to_string(net.paramFloats));
      st.slots[step.slot] = std::move(slot);
    } else if (step.op == "freeze") {
      Slot &slot = st.write(step.slot);
      slot.frozen = {{0, slot.params.size()}};
    } else if (step.op == "save") {
      const Slot &slot = st.read(step.slot);
      st.expectNetwork(step.slot, slot, step.network);
      const std::string path = savePath(step.file, outDir);
      std::error_code ec;
      const auto parent = std::filesystem::path(path).parent_path();
      if (!parent.empty())
        std::filesystem::create_directories(parent, ec);
      saveSafetensors(path, plan.networks[slot.network], slot.params.get(),
                      {{"format", "pt"},
                       {"network", plan.networks[slot.network].instance}});
    } else if (step.op == "load") {
      Slot &slot = st.write(step.slot);
      st.expectNetwork(step.slot, slot, step.network);
      loadSafetensors(loadPath(step.file, outDir, options.dataDir),
                      plan.networks[slot.network], slot.params.get());
    } else if (step.op == "train") {
      train(st, step);
    } else if (step.op == "evaluate") {
      const KernelSpec &kernel = plan.kernels[step.kernel];
      const netc_kernel_entry &fn = entry(step.kernel);
      if (!fn.eval)
        throw RunError("kernel '" + kernel.name + "' has no eval function");
      const Slot &slot = st.read(step.slot);
      st.expectNetwork(step.slot, slot, kernel.network);
      const Split &split = fittingSplit(step);
      std::vector<int64_t> all(static_cast<size_t>(split.count));
      for (int64_t i = 0; i < split.count; ++i)
        all[i] = i;
      const EvalResult result = evaluate(kernel, fn, slot, split, all,
                                         options.batchSize.value_or(32));
      record.metricName = kernel.metric;
      if (step.result >= 0)
        st.evals[step.result] = result;
      st.lastEval = result;
    } else if (step.op == "report") {
      for (size_t i = 0; i < step.columns.size(); ++i) {
        const json &v = step.values[i];
        const std::string &column = step.columns[i];
        if (v.is_string() && v.get<std::string>().rfind("@eval:", 0) == 0) {
          const int64_t id = std::stoll(v.get<std::string>().substr(6));
          auto it = st.evals.find(id);
          if (it == st.evals.end() && record.diverged())
            continue; // the evaluation never ran
          if (it == st.evals.end())
            st.fail("report of '" + column +
                    "' refers to a missing evaluation");
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
      st.fail("step '" + step.op + "' is not supported by this runtime");
    }
  }
  // Without a report, the last evaluation is still the run's test result.
  if (!record.hasTest && st.lastEval) {
    record.hasTest = true;
    record.testLoss = st.lastEval->loss;
    record.testMetric = st.lastEval->metric;
    record.cells.emplace_back("test_loss", st.lastEval->loss);
    record.cells.emplace_back("test_" + record.metricName, st.lastEval->metric);
  }
  if (!weightsDir.empty() && !st.trained.empty() && !record.diverged()) {
    std::error_code ec;
    std::filesystem::create_directories(weightsDir, ec);
    if (ec)
      throw std::runtime_error(weightsDir + ": " + ec.message());
    const std::string name = runFileName(run, index);
    // The network trained last is the run's; any other gets its slot number.
    for (int64_t id : st.trained) {
      const Slot &slot = st.read(id);
      const std::string file =
          weightsDir + "/" + name +
          (id == st.trained.back() ? "" : ".slot" + std::to_string(id)) +
          ".safetensors";
      saveSafetensors(file, plan.networks[slot.network], slot.params.get(),
                      {{"format", "pt"},
                       {"network", plan.networks[slot.network].instance},
                       {"seed", std::to_string(seed)}});
    }
  }
  if (run.shared)
    for (auto &[id, slot] : st.slots)
      sharedSlots[id] = std::move(slot);
  record.seconds = seconds(start);
  return record;
}

} // namespace netc
