//===- RunState.h - What a run's steps share --------------------*- C++ -*-===//
//
// The state one run's steps read and write, shared by the runner (Runner.cpp),
// its step handlers (Steps.cpp) and training (Training.cpp).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNTIME_RUNSTATE_H
#define NETC_RUNTIME_RUNSTATE_H

#include "netc/Random.h"
#include "netc/Runner.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace netc::rt {

using Slot = ExperimentRunner::Slot;

struct EvalResult {
  double loss = 0, metric = 0;
  /// The kernel's further metrics (KernelSpec::metrics after the first).
  std::vector<double> more;
};

/// A deep copy of a slot's weights, with its freeze and part records.
Slot copySlot(const Slot &src);

/// The eval function over `indices` of `split`, in batches of `cap`.
EvalResult evaluate(const KernelSpec &kernel, const netc_kernel_entry &fn,
                    const Slot &slot, const Split &split,
                    const std::vector<int64_t> &indices, int64_t cap);

// Everything one run's steps share.
struct ExperimentRunner::RunState {
  const ExperimentSpec &experiment;
  const RunSpec &run;
  /// Where `save` writes and `load` looks first (--out).
  const std::string &outDir;
  RunRecord record;
  Rng rng;
  std::map<int64_t, Slot> slots;
  std::map<int64_t, EvalResult> evals;
  std::optional<EvalResult> lastEval;
  /// Trained slots in order of their last training, for --save-weights.
  std::vector<int64_t> trained;
  std::map<int64_t, Slot> &shared;
  const Plan &plan;

  RunState(const ExperimentSpec &experiment, const RunSpec &run,
           const std::string &outDir, uint64_t seed,
           std::map<int64_t, Slot> &shared, const Plan &plan)
      : experiment(experiment), run(run), outDir(outDir), rng(seed),
        shared(shared), plan(plan) {}

  [[noreturn]] void fail(const std::string &message) const {
    throw RunError("experiment " + experiment.name + ": " + message);
  }

  /// The slot for reading, the run's own or a shared one.
  const Slot &read(int64_t id);
  /// The slot for writing: a shared slot is first copied into the run.
  Slot &write(int64_t id);
  /// A kernel is shared by every network of its structure (an initializer
  /// sweep compiles once), so the slot's network must have the kernel
  /// network's weight layout, not be the same instance.
  void expectNetwork(int64_t id, const Slot &slot, int64_t network) const;
};

} // namespace netc::rt

#endif // NETC_RUNTIME_RUNSTATE_H
