//===- Training.cpp - The train step of a run -----------------------------===//
//
// Minibatch training through the compiled train function (or the closed form
// of least_squares), validation after each epoch, freezing, and the end of a
// run that diverges.
//
//===----------------------------------------------------------------------===//

#include "RunState.h"
#include "RunnerDetail.h"

#include "netc/LeastSquares.h"
#include "netc/Profile.h"
#include "netc/Progress.h"
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
  AlignedBuffer state, ws, hyper{3}, metrics{2};
  std::vector<float> frozenValues;
  int64_t iteration = 0;

  Training(const KernelSpec &kernel, const netc_kernel_entry &fn, Slot &slot,
           const Split &split, int64_t epochs, int64_t cap)
      : kernel(kernel), fn(fn), slot(slot), split(split), epochs(epochs),
        cap(cap) {}

  void allocate() {
    state = AlignedBuffer(kernel.stateFloats);
    for (const StateInit &init : kernel.stateInit)
      std::fill(state.get() + init.offset,
                state.get() + init.offset + init.size,
                static_cast<float>(init.value));
    ws = AlignedBuffer(kernel.trainWsFloats(cap));
    // Frozen weights are restored after every step rather than masked in
    // the update: the compiled step needs no variant per freeze pattern, and
    // the weights stay bit-identical whatever the optimizer does (weight
    // decay, batchnorm moving averages included).
    for (auto [offset, size] : slot.frozen)
      frozenValues.insert(frozenValues.end(), slot.params.get() + offset,
                          slot.params.get() + offset + size);
  }

  /// One compiled train step on `batch`; the loss and metric sums are in
  /// `metrics` afterwards.
  void step(const Prefetcher::Batch &batch, Rng &rng) {
    hyper[0] = static_cast<float>(kernel.optimizer.learningRateAt(iteration));
    hyper[1] = static_cast<float>(++iteration);
    // 24 bits: exactly representable in the float the ABI passes.
    hyper[2] = static_cast<float>(rng.next() >> 40);
    netc_buf p = slot.params.descriptor(), sd = state.descriptor(),
             x = batch.x->descriptor(), y = batch.y->descriptor(),
             w = ws.descriptor(), h = hyper.descriptor(),
             m = metrics.descriptor();
    fn.train(&p, &sd, &x, &y, batch.n, &w, cap, &h, &m);
    profile::countStep();
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
      bar.finish(e.loss, e.metric, e.valLoss, e.valMetric);
    } else {
      bar.finish(e.loss, e.metric);
    }
    record.history.push_back(e);
    return !e.hasVal || std::isfinite(e.valLoss);
  }
};

void ExperimentRunner::train(RunState &st, const StepSpec &step) {
  const KernelSpec &kernel = plan.kernels[step.kernel];
  const netc_kernel_entry &fn = entry(step.kernel);
  if (!fn.train)
    throw RunError("kernel '" + kernel.name + "' has no train function");
  Slot &slot = st.write(step.slot);
  st.expectNetwork(step.slot, slot, kernel.network);
  Training t(kernel, fn, slot, fittingSplit(step),
             options.epochs.value_or(step.epochs),
             options.batchSize.value_or(step.batchSize));
  // Which records train and which validate: a cross-validation fold, else
  // the last `validation_split` of the split, as Keras'
  // fit(validation_split=...).
  holdOut(st.experiment, st.run, step, plan.datasets[step.dataset], t.split,
          t.trainIdx, t.valIdx);
  t.allocate();
  st.record.history.clear();
  st.record.metricName = kernel.metric;
  const bool finished = kernel.optimizer.name == "least_squares"
                            ? fitClosedForm(st, t)
                            : fitByGradient(st, t);
  stepmem::trim(); // the steps' idle temporaries (docs: "Step memory")
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
    if (!t.kernel.optimizer.schedule.empty()) {
      e.hasLearningRate = true;
      e.learningRate = t.kernel.optimizer.learningRateAt(t.iteration - 1);
    }
    if (!t.endEpoch(e, bar, st.record)) {
      diverge(st, epoch, steps, "validation loss");
      return false;
    }
  }
  return true;
}

bool ExperimentRunner::runEpoch(RunState &st, Training &t,
                                const std::vector<int64_t> &order,
                                int64_t epoch, Progress &bar, EpochRecord &e) {
  const int64_t count = static_cast<int64_t>(order.size());
  const int64_t steps = (count + t.cap - 1) / t.cap;
  double lossSum = 0, metricSum = 0;
  int64_t seen = 0;
  Prefetcher batches(t.split, order, t.cap);
  for (int64_t s = 0; s < steps; ++s) {
    const Prefetcher::Batch batch = nextBatch(batches);
    t.step(batch, st.rng);
    lossSum += static_cast<double>(t.metrics[0]) * batch.n;
    metricSum += t.metrics[1];
    seen += batch.n;
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
  std::fprintf(stderr,
               "warning: experiment %s, run %s: the %s became %s %s; the run "
               "stops here, marked \"diverged\"\n",
               st.experiment.name.c_str(),
               st.run.shared ? "(shared)" : runLabel(record).c_str(), what,
               std::isnan(value) ? "NaN" : "Inf", where.c_str());
}

} // namespace netc::rt
