//===- Training.cpp - The train step of a run -----------------------------===//
//
// Minibatch training through the compiled train function (or the closed form
// of least_squares), validation after each epoch, freezing, and the end of a
// run that diverges.
//
//===----------------------------------------------------------------------===//

#include "RunState.h"
#include "RunnerDetail.h"

#include "netc/Callbacks.h"
#include "netc/DataParallel.h"
#include "netc/LeastSquares.h"
#include "netc/Mpi.h"
#include "netc/Profile.h"
#include "netc/Progress.h"
#include "netc/Safetensors.h"
#include "netc/StepMemory.h"
#include "netc/data/Prefetcher.h"

#include <algorithm>
#include <cmath>
#include <cstring>

namespace netc::rt {

using namespace detail;

namespace {

/// The next batch, the wait for the prefetching thread timed.
Prefetcher::Batch nextBatch(Prefetcher &batches) {
  const profile::Scope timed(profile::Family::batch);
  return batches.next();
}

} // namespace

/// One train step's buffers: optimizer state, workspace, hyper-parameters
/// and the values of frozen weights.
struct ExperimentRunner::Training {
  const KernelSpec &kernel;
  const netc_kernel_entry &fn;
  Slot &slot;
  const Split &split;
  const int64_t epochs, cap;
  /// Records that train and records that validate.
  std::vector<int64_t> trainIdx, valIdx;
  AlignedBuffer state, ws, hyper{3}, metrics{kernel.metricFloats()};
  std::vector<float> frozenValues;
  int64_t iteration = 0;
  /// The train block's callbacks, and the weights restore_best_weights
  /// kept.
  Callbacks callbacks;
  std::vector<float> bestWeights;
  /// --data-parallel over several ranks (netc/DataParallel.h), with
  /// --sync-batchnorm.
  bool dataParallel = false, syncBatchNorm = false;
  /// The most records of one compiled step: the batch size, or
  /// data-parallel the largest shard (the workspace is sized for it).
  int64_t stepCap = cap;

  Training(const KernelSpec &kernel, const netc_kernel_entry &fn, Slot &slot,
           const Split &split, int64_t epochs, int64_t cap,
           const std::vector<CallbackSpec> &callbackSpecs)
      : kernel(kernel), fn(fn), slot(slot), split(split), epochs(epochs),
        cap(cap), callbacks(callbackSpecs, kernel.optimizer.learningRate()) {}

  /// The rate of the next step: the schedule's, or the one a
  /// reduce_lr_on_plateau set.
  double learningRate() const {
    return callbacks.controlsLearningRate()
               ? callbacks.learningRate()
               : kernel.optimizer.learningRateAt(iteration);
  }

  /// Under --data-parallel with other ranks: trains on this rank's shards.
  void startDataParallel(const Options &options) {
    if (!dp::active(options))
      return;
    const int ranks = mpi::world().size;
    try {
      dp::checkShards(options, cap);
    } catch (const std::invalid_argument &e) {
      throw RunError(e.what());
    }
    dataParallel = true;
    syncBatchNorm = options.syncBatchNorm;
    stepCap = (cap + ranks - 1) / ranks;
  }

  void allocate() {
    state = AlignedBuffer(kernel.stateFloats);
    for (const StateInit &init : kernel.stateInit)
      std::fill(state.get() + init.offset,
                state.get() + init.offset + init.size,
                static_cast<float>(init.value));
    ws = AlignedBuffer(kernel.trainWsFloats(stepCap));
    // Frozen weights are restored after every step rather than masked in
    // the update: the compiled step needs no variant per freeze pattern, and
    // the weights stay bit-identical whatever the optimizer does (weight
    // decay, batchnorm moving averages included).
    for (auto [offset, size] : slot.frozen)
      frozenValues.insert(frozenValues.end(), slot.params.get() + offset,
                          slot.params.get() + offset + size);
  }

  /// One compiled train step on `batch`; the loss and metric sums are in
  /// `metrics` afterwards. Data-parallel, `batch` is this rank's part `local`
  /// of the global batch, and the gradients and metrics are the global
  /// batch's.
  void step(const Prefetcher::Batch &batch, Rng &rng,
            const dp::LocalBatch &local = {}) {
    hyper[0] = static_cast<float>(learningRate());
    hyper[1] = static_cast<float>(++iteration);
    // 24 bits: exactly representable in the float the ABI passes. Every
    // rank draws the same; rank r > 0 masks its shard with its own seed.
    const uint64_t seed = rng.next() >> 40;
    hyper[2] = static_cast<float>(
        dataParallel ? dp::maskSeed(seed, mpi::world().rank) : seed);
    if (dataParallel)
      dp::reduceGradients(local.weight, syncBatchNorm);
    netc_buf p = slot.params.descriptor(), sd = state.descriptor(),
             x = batch.x->descriptor(), y = batch.y->descriptor(),
             w = ws.descriptor(), h = hyper.descriptor(),
             m = metrics.descriptor();
    fn.train(&p, &sd, &x, &y, batch.n, &w, stepCap, &h, &m);
    profile::countStep();
    if (dataParallel) {
      dp::off();
      dp::combineMetrics(metrics.get(), metrics.size(), local.weight,
                         local.counted);
    }
    size_t at = 0;
    for (auto [offset, size] : slot.frozen) {
      std::memcpy(slot.params.get() + offset, frozenValues.data() + at,
                  sizeof(float) * static_cast<size_t>(size));
      at += static_cast<size_t>(size);
    }
  }

  /// Validation (when there is any), the epoch's progress line, the history;
  /// false when the validation loss is not finite (the run diverged).
  bool endEpoch(EpochRecord &e, Progress &bar, RunRecord &record) {
    if (!valIdx.empty()) {
      const EvalResult v = evaluate(kernel, fn, slot, split, valIdx, cap);
      e.hasVal = true;
      e.valLoss = v.loss;
      e.valMetric = v.metric;
      e.valMore = v.more;
    }
    if (dataParallel)
      dp::fromRankZero(e);
    if (e.hasVal)
      bar.finish(e.loss, e.metric, e.valLoss, e.valMetric);
    else
      bar.finish(e.loss, e.metric);
    record.history.push_back(e);
    return !e.hasVal || std::isfinite(e.valLoss);
  }

  /// The callbacks after epoch `e` (docs/design.md, "Callbacks"): keeps or
  /// writes the weights they ask for; false when early stopping stops.
  bool callbacksAfter(const EpochRecord &e, RunRecord &record,
                      const std::string &root, const NetworkSpec &net,
                      FILE *progress);
  /// At the end of training: puts back the weights restore_best_weights
  /// kept, and records the stop and the restore in the run.
  void finishCallbacks(RunRecord &record, FILE *progress);
};

namespace {

/// An epoch's values as Keras' logs name them, for the callbacks.
std::map<std::string, double> epochLogs(const EpochRecord &e,
                                        const std::string &metricName,
                                        const std::vector<std::string> &more) {
  std::map<std::string, double> logs{{"loss", e.loss}, {metricName, e.metric}};
  for (size_t j = 0; j < e.more.size(); ++j)
    logs[more.at(j)] = e.more[j];
  if (e.hasVal) {
    logs["val_loss"] = e.valLoss;
    logs["val_" + metricName] = e.valMetric;
    for (size_t j = 0; j < e.valMore.size(); ++j)
      logs["val_" + more.at(j)] = e.valMore[j];
  }
  return logs;
}

} // namespace

bool ExperimentRunner::Training::callbacksAfter(const EpochRecord &e,
                                                RunRecord &record,
                                                const std::string &root,
                                                const NetworkSpec &net,
                                                FILE *progress) {
  if (callbacks.empty())
    return true;
  CallbackActions a;
  try {
    a = callbacks.endEpoch(
        e.epoch, epochLogs(e, kernel.metric, moreMetricNames(kernel.metrics)));
  } catch (const PlanError &err) {
    throw RunError(err.what());
  }
  if (a.keepWeights)
    bestWeights.assign(slot.params.get(),
                       slot.params.get() + slot.params.size());
  for (const std::string &file : a.saveTo)
    saveSafetensors(savePath(file, root), net, slot.params.get(),
                    {{"format", "pt"},
                     {"network", net.instance},
                     {"epoch", std::to_string(e.epoch)},
                     {"seed", std::to_string(record.seed)}});
  if (a.stop)
    std::fprintf(progress, "Epoch %lld: early stopping\n",
                 static_cast<long long>(e.epoch));
  return !a.stop;
}

void ExperimentRunner::Training::finishCallbacks(RunRecord &record,
                                                 FILE *progress) {
  record.stoppedEpoch = callbacks.stoppedEpoch();
  record.restoredEpoch = callbacks.restoreEpoch();
  if (record.restoredEpoch == 0 || bestWeights.empty())
    return;
  std::memcpy(slot.params.get(), bestWeights.data(),
              sizeof(float) * bestWeights.size());
  std::fprintf(progress,
               "Restoring model weights from the end of the best epoch: "
               "%lld.\n",
               static_cast<long long>(record.restoredEpoch));
}

void ExperimentRunner::train(RunState &st, const StepSpec &step) {
  const KernelSpec &kernel = plan.kernels[step.kernel];
  const netc_kernel_entry &fn = entry(step.kernel);
  if (!fn.train)
    throw RunError("kernel '" + kernel.name + "' has no train function");
  Slot &slot = st.write(step.slot);
  st.expectNetwork(step.slot, slot, kernel.network);
  Training t(kernel, fn, slot, fittingSplit(step),
             options.epochs.value_or(step.epochs),
             options.batchSize.value_or(step.batchSize), step.callbacks);
  // Which records train and which validate: a cross-validation fold, else
  // the last `validation_split` of the split, as Keras'
  // fit(validation_split=...).
  holdOut(st.experiment, st.run, step, plan.datasets[step.dataset], t.split,
          t.trainIdx, t.valIdx);
  t.startDataParallel(options);
  t.allocate();
  st.record.history.clear();
  st.record.stoppedEpoch = st.record.restoredEpoch = 0;
  st.record.metricName = kernel.metric;
  st.record.moreMetricNames = moreMetricNames(kernel.metrics);
  const bool finished = kernel.optimizer.name == "least_squares"
                            ? fitClosedForm(st, t)
                            : fitByGradient(st, t);
  stepmem::trim(); // the steps' idle temporaries (docs: "Step memory")
  const RunRecord &r = st.record;
  st.record.trains.push_back({plan.networks[slot.network].instance,
                              r.metricName, r.moreMetricNames, r.history,
                              r.stoppedEpoch, r.restoredEpoch});
  if (!finished)
    return;
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

bool ExperimentRunner::fitClosedForm(RunState &st, Training &t) {
  // One "epoch" that lands on the optimum (see LeastSquares.h); its history
  // entry is measured like any epoch's.
  if (!t.slot.frozen.empty())
    throw RunError("least_squares cannot train a network with frozen "
                   "weights");
  Progress bar(progress, interactive, 1, 1, 1, t.kernel.metric);
  fitLeastSquares(t.kernel, t.fn, t.slot.params, t.split, t.trainIdx, t.cap);
  const EvalResult r =
      evaluate(t.kernel, t.fn, t.slot, t.split, t.trainIdx, t.cap);
  bar.update(1, r.loss, r.metric);
  EpochRecord e{1, r.loss, r.metric};
  e.more = r.more;
  if (!std::isfinite(r.loss)) {
    bar.finish(e.loss, e.metric);
    st.record.history.push_back(e);
    diverge(st, 1, 1, "loss");
    return false;
  }
  if (!t.endEpoch(e, bar, st.record)) {
    diverge(st, 1, 1, "validation loss");
    return false;
  }
  return true;
}

bool ExperimentRunner::fitByGradient(RunState &st, Training &t) {
  std::vector<int64_t> order = t.trainIdx;
  const int64_t count = static_cast<int64_t>(order.size());
  const int64_t steps = (count + t.cap - 1) / t.cap;
  for (int64_t epoch = 1; epoch <= t.epochs; ++epoch) {
    shuffle(order, st.rng);
    Progress bar(progress, interactive, epoch, t.epochs, steps,
                 t.kernel.metric);
    EpochRecord e;
    if (!runEpoch(st, t, order, epoch, bar, e))
      return false;
    // Data-parallel ranks hold the same trainable weights; batchnorm's
    // moving statistics saw only each rank's shards: rank 0's go to all
    // before validation, as DDP's broadcast_buffers.
    if (t.dataParallel)
      dp::fromRankZero(t.slot.params.get(), t.slot.params.size());
    if (!t.kernel.optimizer.schedule.empty()) {
      e.hasLearningRate = true;
      e.learningRate = t.kernel.optimizer.learningRateAt(t.iteration - 1);
    } else if (t.callbacks.controlsLearningRate()) {
      e.hasLearningRate = true;
      e.learningRate = t.callbacks.learningRate();
    }
    if (!t.endEpoch(e, bar, st.record)) {
      diverge(st, epoch, steps, "validation loss");
      return false;
    }
    if (!t.callbacksAfter(e, st.record, outRoot(options),
                          plan.networks[t.slot.network], progress))
      break;
  }
  t.finishCallbacks(st.record, progress);
  return true;
}

bool ExperimentRunner::runEpoch(RunState &st, Training &t,
                                const std::vector<int64_t> &order,
                                int64_t epoch, Progress &bar, EpochRecord &e) {
  const int64_t count = static_cast<int64_t>(order.size());
  const int64_t steps = (count + t.cap - 1) / t.cap;
  double lossSum = 0, metricSum = 0;
  std::vector<double> moreSums(static_cast<size_t>(t.metrics.size() - 2), 0.0);
  int64_t seen = 0;
  const mpi::World &w = mpi::world();
  std::vector<int64_t> starts;
  Prefetcher batches =
      t.dataParallel
          ? Prefetcher(t.split,
                       dp::localOrder(order, t.cap, w.size, w.rank, starts),
                       t.stepCap, starts)
          : Prefetcher(t.split, order, t.cap);
  for (int64_t s = 0; s < steps; ++s) {
    const Prefetcher::Batch batch = nextBatch(batches);
    // The global batch's records (this rank's part of them: `batch`).
    const int64_t n = std::min(t.cap, count - s * t.cap);
    t.step(batch, st.rng, dp::localBatch(n, w.size, w.rank));
    lossSum += static_cast<double>(t.metrics[0]) * n;
    metricSum += t.metrics[1];
    for (size_t j = 0; j < moreSums.size(); ++j)
      moreSums[j] += t.metrics[2 + j];
    seen += n;
    bar.update(s + 1, lossSum / seen, metricSum / seen);
    // One scalar test per step: a NaN or Inf loss ends the run, which could
    // only spread it into every weight.
    if (!std::isfinite(t.metrics[0])) {
      bar.finish(lossSum / seen, metricSum / seen);
      st.record.history.push_back({epoch, lossSum / seen, metricSum / seen});
      diverge(st, epoch, s + 1, "loss");
      return false;
    }
  }
  e = EpochRecord{epoch, lossSum / count, metricSum / count};
  for (double s : moreSums)
    e.more.push_back(s / count);
  return true;
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
  if (dp::follower(options)) // rank 0 warns (netc/DataParallel.h)
    return;
  std::fprintf(stderr,
               "warning: experiment %s, run %s: the %s became %s %s; the run "
               "stops here, marked \"diverged\"\n",
               st.experiment.name.c_str(),
               st.run.shared ? "(shared)" : runLabel(record).c_str(), what,
               std::isnan(value) ? "NaN" : "Inf", where.c_str());
}

} // namespace netc::rt
