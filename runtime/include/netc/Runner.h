//===- Runner.h - Executing an experiment's runs ---------------*- C++ -*-===//
//
// Interprets the plan's steps (new, copy, compose, load, save, freeze, train,
// evaluate, report) for each run, calling the compiled kernels through the
// ABI. Data sets are loaded once and shared by all runs and experiments of a
// program. Network weights live in numbered slots: a run's own slots die
// with it; those of a shared run stay for the experiment's later runs, which
// see them copy-on-write (a run that trains a shared network trains its own
// copy, so runs stay independent and resumable).
//
//===----------------------------------------------------------------------===//
#ifndef NETC_RUNNER_H
#define NETC_RUNNER_H

#include "netc/Abi.h"
#include "netc/AlignedBuffer.h"
#include "netc/Driver.h"
#include "netc/Plan.h"
#include "netc/Results.h"

#include <cstdio>
#include <map>
#include <stdexcept>

namespace netc {

/// A plan the runtime cannot execute (unknown step, mismatched shapes...).
struct RunError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The default seed of a run: FNV-1a over the experiment name, the run's
/// loop values (canonical JSON) and the fold, folded to 32 bits so it can be
/// passed back with --set seed=N.
uint64_t defaultSeed(const std::string &experiment,
                     const nlohmann::json &params, int64_t fold);

class ExperimentRunner {
public:
  /// `progress` receives the per-epoch lines (interactive: redrawn in place).
  ExperimentRunner(const Plan &plan, const netc_kernel_entry *kernels,
                   int64_t numKernels, const Options &options, FILE *progress,
                   bool interactive);

  /// Runs every run of `experiment`, rewriting results.json, results.csv
  /// and report.html in `outDir` after each finished run. With --resume the
  /// runs already in outDir/results.json are not run again. With
  /// `weightsDir` non-empty every trained network is saved there as
  /// <run>.safetensors. Throws DataError, InitError, RunError.
  ExperimentRecord run(const ExperimentSpec &experiment,
                       const std::string &outDir,
                       const std::string &weightsDir = "");

  /// A network's weights and what training must leave alone.
  struct Slot {
    int64_t network = -1;
    AlignedBuffer params;
    /// [offset, size) ranges restored after every train step (freeze).
    std::vector<std::pair<int64_t, int64_t>> frozen;
    /// compose: where each part slot's weights sit, to write them back
    /// after training (a composed network shares its parts' weights, as
    /// in Keras).
    std::vector<std::pair<int64_t, int64_t>> parts; // (slot, offset)
  };

private:
  struct RunState;
  RunRecord runOne(const ExperimentSpec &experiment, const RunSpec &run,
                   size_t index, const std::string &outDir,
                   const std::string &weightsDir);
  void train(RunState &state, const StepSpec &step);
  const Dataset &dataset(int64_t index);
  const netc_kernel_entry &entry(int64_t kernelIndex) const;
  int64_t trainableParamsOf(const RunSpec &run) const;

  /// Slots of the shared runs of the current experiment.
  std::map<int64_t, Slot> sharedSlots;

  const Plan &plan;
  const netc_kernel_entry *kernels;
  int64_t numKernels;
  const Options &options;
  FILE *progress;
  bool interactive;
  std::map<int64_t, Dataset> datasets;
};

} // namespace netc

#endif // NETC_RUNNER_H
